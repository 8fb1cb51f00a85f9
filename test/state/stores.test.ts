import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.js';
import { Stores } from '../../state/stores.js';
import { FakeStoreContext } from './fake-store-context.js';

describe('state > Stores', () => {
  it('rejects store names that cannot name a changelog topic', () => {
    expect(() => Stores.inMemoryKeyValueStore('')).toThrow(TypeError);
    expect(() => Stores.persistentKeyValueStore('a b')).toThrow(/letters, digits/);
    expect(() => Stores.inMemoryWindowStore('w/x', 1000, 100, false)).toThrow(TypeError);
  });

  it('rejects a window retention shorter than the window, and non-positive durations', () => {
    expect(() => Stores.persistentWindowStore('w', 100, 1000, false)).toThrow(RangeError);
    expect(() => Stores.inMemoryWindowStore('w', 1000, 0, false)).toThrow(RangeError);
    expect(() => Stores.inMemorySessionStore('s', 0)).toThrow(RangeError);
    expect(() => Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('k'), Serdes.string(), Serdes.string()).withTtl(0)).toThrow(RangeError);
  });

  it('builds immutable builders with Kafka defaults: logging on, caching off', () => {
    const base = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('k'), Serdes.string(), Serdes.string());
    const off = base.withLoggingDisabled();
    expect(base.loggingEnabled).toBe(true);
    expect(base.options.caching).toBe(false);
    expect(off.loggingEnabled).toBe(false);
    expect(base.build()).not.toBe(base.build());
    const w = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 7_200_000, 60_000, true), Serdes.string(), Serdes.long());
    expect(w.changelogConfig).toEqual({ 'cleanup.policy': 'compact,delete', 'retention.ms': String(7_200_000 + 86_400_000) });
  });

  it('fails init of a logged store whose context cannot log, and of a persistent store without a TaskStateDb', async () => {
    const plainContext = { applicationId: 'app', taskId: '0_0', partition: 0, stateDir: undefined };
    const logged = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('k'), Serdes.string(), Serdes.string()).build();
    expect(() => logged.init(plainContext, logged)).toThrow(/no logChange/);
    const persistent = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('p'), Serdes.string(), Serdes.string()).withLoggingDisabled().build();
    await expect(Promise.resolve().then(() => persistent.init(new FakeStoreContext(), persistent))).rejects.toThrow(/needs StoreContext.stateDb/);
  });
});
