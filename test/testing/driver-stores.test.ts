import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Materialized } from '../../dsl/materialized.js';
import { TimeWindows } from '../../dsl/windows/time-windows.js';
import { Topology } from '../../src/processor/topology.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { Stores } from '../../state/stores.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import { TopologyError } from '../../src/core/errors.js';
import type { WindowStore } from '../../state/window-store.js';
import type { SessionStore } from '../../state/session-store.js';

/** Writes each record into a 10 ms window store and a session store [ts, ts]. */
class WindowedWriter implements Processor<string, string> {
  #windows!: WindowStore<string, string>;
  #sessions!: SessionStore<string, string>;
  init(ctx: ProcessorContext): void {
    this.#windows = ctx.getStateStore('w');
    this.#sessions = ctx.getStateStore('s');
  }
  process(record: Record<string, string>): void {
    this.#windows.put(record.key, record.value, record.timestamp - (record.timestamp % 10));
    this.#sessions.put({ key: record.key, window: { start: record.timestamp, end: record.timestamp } }, record.value);
  }
}

const S = Serdes.string();
const L = Serdes.long();

/** Counts values per key in store "counts" and forwards the new count. */
class Counter implements Processor<string, string, string, number> {
  #ctx!: ProcessorContext<string, number>;
  #store!: KeyValueStore<string, number>;
  init(ctx: ProcessorContext<string, number>): void {
    this.#ctx = ctx;
    this.#store = ctx.getStateStore<MeteredKeyValueStore<string, number>>('counts');
  }
  process(record: Record<string, string>): void {
    const n = (this.#store.get(record.key) ?? 0) + 1;
    this.#store.put(record.key, n);
    this.#ctx.forward(record.withValue(n));
  }
}

function counting(persistent: boolean, caching = false, logging = true): Topology {
  const supplier = persistent ? Stores.persistentKeyValueStore('counts') : Stores.inMemoryKeyValueStore('counts');
  let b = Stores.keyValueStoreBuilder(supplier, S, L);
  if (caching) b = b.withCachingEnabled();
  if (!logging) b = b.withLoggingDisabled();
  return new Topology()
    .addSource('in', 'words', { keySerde: S, valueSerde: S })
    .addProcessor('count', () => new Counter(), 'in')
    .addStateStore(b, 'count')
    .addSink('out', 'counts-out', { keySerde: S, valueSerde: L }, 'count');
}

describe('testing > TopologyTestDriver > stores', () => {
  for (const persistent of [false, true]) {
    it(`serves a ${persistent ? 'persistent' : 'in-memory'} key-value store synchronously and logs to its changelog`, () => {
      const driver = new TopologyTestDriver(counting(persistent), { applicationId: 'app' }, 0);
      const input = driver.createInputTopic('words', S, S);
      input.pipeInput('a', 'x', 10);
      input.pipeInput('b', 'x', 20);
      input.pipeInput('a', 'x', 30);
      const store = driver.getKeyValueStore<string, number>('counts');
      expect(store.get('a')).toBe(2);
      expect(store.all()).toEqual([{ key: 'a', value: 2 }, { key: 'b', value: 1 }]);
      const changelog = driver.createOutputTopic('app-counts-changelog', S, L).readRecordsToList();
      expect(changelog.map((r) => [r.key, r.value, r.timestamp])).toEqual([['a', 1, 10], ['b', 1, 20], ['a', 2, 30]]);
      driver.close();
    });
  }

  it('writes no changelog when logging is disabled', () => {
    const driver = new TopologyTestDriver(counting(false, false, false), { applicationId: 'app' }, 0);
    driver.createInputTopic('words', S, S).pipeInput('a', 'x', 1);
    expect(driver.getKeyValueStore<string, number>('counts').get('a')).toBe(1);
    expect(driver.producedTopicNames()).not.toContain('app-counts-changelog');
    driver.close();
  });

  it('flushes a caching store after every record, so the changelog sees every update', () => {
    const driver = new TopologyTestDriver(counting(true, true), { applicationId: 'app' }, 0);
    const input = driver.createInputTopic('words', S, S);
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 2);
    const changelog = driver.createOutputTopic('app-counts-changelog', S, L).readKeyValuesToList();
    expect(changelog).toEqual([{ key: 'a', value: 1 }, { key: 'a', value: 2 }]);
    driver.close();
  });

  it('getStateStore returns the store; other getters reject the wrong kind', () => {
    const driver = new TopologyTestDriver(counting(false), {}, 0);
    expect(driver.getStateStore('counts').name).toBe('counts');
    expect(() => driver.getWindowStore('counts')).toThrow(TopologyError);
    expect(() => driver.getSessionStore('counts')).toThrow(TopologyError);
    expect(() => driver.getTimestampedKeyValueStore('counts')).toThrow(TopologyError);
    expect(() => driver.getStateStore('nope')).toThrow(TopologyError);
    driver.close();
  });

  it('serves persistent window and session stores from memory: getWindowStore / getSessionStore read them', () => {
    const topology = new Topology()
      .addSource('in', 'events', { keySerde: S, valueSerde: S })
      .addProcessor('p', () => new WindowedWriter(), 'in')
      .addStateStore(Stores.windowStoreBuilder(Stores.persistentWindowStore('w', 1000, 10, false), S, S), 'p')
      .addStateStore(Stores.sessionStoreBuilder(Stores.persistentSessionStore('s', 1000), S, S), 'p');
    const driver = new TopologyTestDriver(topology, { applicationId: 'app' }, 0);
    const input = driver.createInputTopic('events', S, S);
    input.pipeInput('a', 'x', 13);
    input.pipeInput('a', 'y', 27);
    expect(driver.getWindowStore<string, string>('w').fetch('a', 10)).toBe('x');
    expect(driver.getWindowStore<string, string>('w').fetch('a', 20)).toBe('y');
    expect(driver.getSessionStore<string, string>('s').fetchSession('a', 27, 27)).toBe('y');
    expect(driver.producedTopicNames()).toEqual(expect.arrayContaining(['app-w-changelog', 'app-s-changelog']));
    expect(() => driver.getKeyValueStore('w')).toThrow(TopologyError);
    driver.close();
  });
  it("getWindowStore hands out a DSL windowed count's plain values, getTimestampedWindowStore the timestamps too (as Kafka's driver)", () => {
    const b = new StreamsBuilder();
    b.stream('clicks', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(100)).count(Materialized.as('per-100'));
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    const input = driver.createInputTopic('clicks', S, S);
    input.pipeInput('a', 'x', 10);
    input.pipeInput('a', 'x', 50);
    input.pipeInput('b', 'x', 90);
    const plain = driver.getWindowStore<string, number>('per-100');
    expect(plain.fetch('a', 0)).toBe(2);
    expect(plain.fetch('a', 0, 1000)).toEqual([{ timestamp: 0, value: 2 }]);
    expect(plain.backwardFetch('a', 0, 1000)).toEqual([{ timestamp: 0, value: 2 }]);
    expect(plain.fetchAll(0, 1000).map((e) => [e.key.key, e.key.window.start, e.value])).toEqual([['a', 0, 2], ['b', 0, 1]]);
    expect(plain.all().map((e) => e.value)).toEqual([2, 1]);
    expect(plain.fetch(null, null, 0, 1000).map((e) => e.value)).toEqual([2, 1]);
    const stamped = driver.getTimestampedWindowStore<string, number>('per-100');
    expect(stamped.fetch('a', 0)).toEqual({ value: 2, timestamp: 50 });
    driver.close();
  });
});
