import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { EmitStrategy } from '../../dsl/emit-strategy.js';
import { SuppressionBuffer } from '../../dsl/internal/suppression-buffer.js';
import { Materialized } from '../../dsl/materialized.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../dsl/suppressed.js';
import { SessionWindows } from '../../dsl/windows/session-windows.js';
import { TimeWindows } from '../../dsl/windows/time-windows.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import { Stores } from '../../state/stores.js';

const S = Serdes.string();
const W = Serdes.windowed(S, 10);

describe('dsl > suppress through StreamsBuilder and the driver', () => {
  it('the buffer store is logged to <appId>-<name>-store-changelog (withName) and the output has one final per window', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count(Materialized.as<string, number>('counts').withCachingDisabled())
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('finals'))
      .toStream().to('out', Produced.with(W, Serdes.long()));
    const topology = b.build();
    expect(topology.describe().toString()).toContain('Processor: finals (stores: [finals-store])');
    const driver = new TopologyTestDriver(topology, { applicationId: 'app' }, 0);
    const input = driver.createInputTopic('in', S, S);
    for (const t of [1, 2, 5, 12]) input.pipeInput('k', 'v', t);
    const out = driver.createOutputTopic('out', W, Serdes.long()).readRecordsToList();
    expect(out.map((r) => [r.key!.window.start, r.value, r.timestamp])).toEqual([[0, 3, 5]]);
    expect(driver.producedTopicNames()).toContain('app-finals-store-changelog');
    driver.close();
  });

  it('sessions: suppress waits grace + gap past the session end and drops the merged-away sessions\' tombstones', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5))
      .count(Materialized.as<string, number>('sessions').withCachingDisabled())
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream().to('out', Produced.with(Serdes.sessionWindowed(S), Serdes.long()));
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    const input = driver.createInputTopic('in', S, S);
    const output = driver.createOutputTopic('out', Serdes.sessionWindowed(S), Serdes.long());
    input.pipeInput('a', 'v', 1);
    input.pipeInput('a', 'v', 4);
    input.pipeInput('b', 'v', 8); // 8 - 5 = 3 < 4: [1,4] still open
    expect(output.isEmpty()).toBe(true);
    input.pipeInput('b', 'v', 9);
    expect(output.readRecordsToList().map((r) => `${r.key!.key}[${r.key!.window.start},${r.key!.window.end}]=${r.value}@${r.timestamp}`)).toEqual(['a[1,4]=2@4']);
    driver.close();
  });

  it('untilTimeLimit on a plain table: rate-limits per key, tombstones are forwarded', () => {
    const b = new StreamsBuilder();
    b.table('in', Consumed.with(S, S)).suppress(Suppressed.untilTimeLimit(10, BufferConfig.maxRecords(100))).toStream().to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    const input = driver.createInputTopic('in', S, S);
    const output = driver.createOutputTopic('out', S, S);
    input.pipeInput('a', 'a1', 0);
    input.pipeInput('a', 'a2', 5);
    input.pipeInput('b', null as unknown as string, 6);
    input.pipeInput('c', 'c1', 16); // expiry 6: a (buffered at 0) and b (at 6) go, oldest first
    expect(output.readRecordsToList().map((r) => [r.key, r.value, r.timestamp])).toEqual([['a', 'a2', 5], ['b', null, 6]]);
    driver.close();
  });

  it('closeOnIdle (opt-in): advancing the driver\'s wall clock closes windows for onWindowClose and suppress', () => {
    for (const mode of ['onWindowClose', 'suppress'] as const) {
      const b = new StreamsBuilder();
      let windowed = b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).closeOnIdle(1_000);
      if (mode === 'onWindowClose') windowed = windowed.emitStrategy(EmitStrategy.onWindowClose());
      let table = windowed.count(Materialized.as<string, number>('counts').withCachingDisabled());
      if (mode === 'suppress') table = table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()));
      table.toStream().to('out', Produced.with(W, Serdes.long()));
      const driver = new TopologyTestDriver(b.build(), { applicationId: `idle-${mode}` }, 0);
      driver.createInputTopic('in', S, S).pipeInput('k', 'v', 3);
      const output = driver.createOutputTopic('out', W, Serdes.long());
      driver.advanceWallClockTime(999);
      expect(output.readRecordsToList()).toEqual([]);
      driver.advanceWallClockTime(20_000);
      expect(output.readRecordsToList().map((r) => [r.key!.window.start, r.value, r.timestamp])).toEqual([[0, 1, 3]]);
      driver.close();
    }
  });

  it('without closeOnIdle (the default), wall-clock time closes nothing', () => {
    const b = new StreamsBuilder();
    b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .count(Materialized.as<string, number>('counts').withCachingDisabled())
      .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
      .toStream().to('out', Produced.with(W, Serdes.long()));
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    driver.createInputTopic('in', S, S).pipeInput('k', 'v', 3);
    driver.advanceWallClockTime(1_000_000);
    expect(driver.createOutputTopic('out', W, Serdes.long()).isEmpty()).toBe(true);
    driver.close();
  });

  it('the buffer is rebuilt from its store after a restart: same order, times, values and first-buffered times', () => {
    const store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('buf'), Serdes.bytes(), Serdes.bytes()).withLoggingDisabled().build();
    store.init({ applicationId: 'a', taskId: '0_0', partition: 0, stateDir: undefined } as never, store);
    const kv = store as unknown as KeyValueStore<Buffer, Buffer>;
    const before = new SuppressionBuffer(kv, S, Serdes.long());
    before.put(20, 'b', { newValue: 1, oldValue: null }, 11, undefined);
    before.put(10, 'a', { newValue: 1, oldValue: null }, 5, undefined);
    before.put(99, 'b', { newValue: 2, oldValue: 1 }, 15, undefined); // keeps time 20
    const after = new SuppressionBuffer(kv, S, Serdes.long());
    after.restore();
    const drained = [];
    for (let e = after.poll(); e !== undefined; e = after.poll()) drained.push([e.key, e.time, e.newValue, e.oldValue, e.recordTimestamp]);
    expect(drained).toEqual([['a', 10, 1, null, 5], ['b', 20, 2, 1, 15]]);
    expect(new SuppressionBuffer(kv, S, Serdes.long()).numRecords).toBe(0);
    expect([...kv.all()]).toEqual([]);
  });
});
