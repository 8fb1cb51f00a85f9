import { describe, expect, it } from 'vitest';
import { Materialized } from '../../dsl/materialized.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { CachingKeyValueStore } from '../../state/caching-key-value-store.js';
import { ChangeLoggingKeyValueStore } from '../../state/change-logging-key-value-store.js';
import { InMemoryKeyValueStore } from '../../state/in-memory-key-value-store.js';
import { LevelKeyValueStore } from '../../state/level-key-value-store.js';
import { Stores } from '../../state/stores.js';
import { TimeToLiveKeyValueStore } from '../../state/time-to-live-key-value-store.js';

/** The layer classes of a built key-value stack, outer to inner (below the metered layer). */
function layers(store: { inner: object }): string[] {
  const out: string[] = [];
  for (let s: object | undefined = store.inner; s !== undefined; s = (s as { inner?: object }).inner) out.push(s.constructor.name);
  return out;
}

describe('dsl > Materialized', () => {
  const defaults = { name: 'KSTREAM-AGGREGATE-STATE-STORE-0000000001', keySerde: Serdes.string(), valueSerde: Serdes.long() };

  it('defaults like the Kafka DSL: persistent, cached, logged', () => {
    const b = Materialized.with(Serdes.string(), Serdes.long()).toKeyValueStoreBuilder(defaults);
    expect(b.name).toBe(defaults.name);
    expect(b.loggingEnabled).toBe(true);
    expect(b.changelogConfig['cleanup.policy']).toBe('compact');
    expect(layers(b.build())).toEqual([CachingKeyValueStore.name, ChangeLoggingKeyValueStore.name, LevelKeyValueStore.name]);
  });

  it('is immutable and chainable', () => {
    const base = Materialized.as<string, number>('counts');
    const changed = base.withCachingDisabled().withLoggingDisabled().withTtl(1000);
    expect(base.cachingEnabled).toBe(true);
    expect(base.loggingEnabled).toBe(true);
    expect(changed.cachingEnabled).toBe(false);
    expect(changed.loggingEnabled).toBe(false);
    expect(changed.storeName).toBe('counts');
    const built = changed.toKeyValueStoreBuilder(defaults).build();
    expect(built.name).toBe('counts');
    expect(layers(built)).toEqual([TimeToLiveKeyValueStore.name, LevelKeyValueStore.name]);
  });

  it('uses a given supplier and serdes over the defaults', () => {
    const m = Materialized.as<string, number>(Stores.inMemoryKeyValueStore('mem')).withKeySerde(Serdes.string()).withValueSerde(Serdes.int32());
    const b = m.withLoggingEnabled({ 'segment.ms': '1000' }).toKeyValueStoreBuilder({ ...defaults, valueSerde: Serdes.int32() });
    expect(b.name).toBe('mem');
    expect(b.valueSerde).toBe(Serdes.int32());
    expect(b.changelogConfig).toEqual({ 'cleanup.policy': 'compact', 'segment.ms': '1000' });
    expect(layers(b.build()).at(-1)).toBe(InMemoryKeyValueStore.name);
  });

  it('derives window retention from size and grace, and rejects a retention below them', () => {
    const w = { ...defaults, windowSizeMs: 60_000, graceMs: 10_000 };
    expect(Materialized.as<string, number>('w').toWindowStoreBuilder(w).supplier.retentionMs).toBe(86_400_000);
    expect(Materialized.as<string, number>('w').withRetention(120_000).toWindowStoreBuilder(w).changelogConfig).toEqual({
      'cleanup.policy': 'compact,delete',
      'retention.ms': String(120_000 + 86_400_000),
    });
    expect(() => Materialized.as<string, number>('w').withRetention(65_000).toWindowStoreBuilder(w)).toThrow(RangeError);
    expect(Materialized.as<string, number>('s').toSessionStoreBuilder({ ...defaults, gapMs: 1000, graceMs: 0 }).supplier.retentionMs).toBe(86_400_000);
  });

  it('rejects store names that cannot name a topic, and bad durations', () => {
    expect(() => Materialized.as('bad name')).toThrow(TypeError);
    expect(() => Materialized.as('x').withTtl(0)).toThrow(RangeError);
    expect(() => Materialized.as('x').withRetention(-1)).toThrow(RangeError);
  });
});
