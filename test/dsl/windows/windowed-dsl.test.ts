import { describe, expect, expectTypeOf, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { Grouped } from '../../../dsl/grouped.js';
import { EmitStrategy } from '../../../dsl/emit-strategy.js';
import { Materialized } from '../../../dsl/materialized.js';
import type { KTable } from '../../../dsl/ktable.js';
import type { Windowed } from '../../../src/core/windowed.js';
import { Produced } from '../../../dsl/produced.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { BufferConfig, Suppressed } from '../../../dsl/suppressed.js';
import { SessionWindows } from '../../../dsl/windows/session-windows.js';
import { SlidingWindows } from '../../../dsl/windows/sliding-windows.js';
import { TimeWindows } from '../../../dsl/windows/time-windows.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const noCache = <V>() => Materialized.as<string, V>('agg').withCachingDisabled();

function drive(build: (b: StreamsBuilder) => void, outKeySerde = Serdes.windowed(S, 10)) {
  const builder = new StreamsBuilder();
  build(builder);
  const topology = builder.build();
  const driver = new TopologyTestDriver(topology, { applicationId: 'win' }, 0);
  const input = driver.createInputTopic('in', S, S);
  const output = driver.createOutputTopic('out', outKeySerde, Serdes.long());
  const read = () => output.readRecordsToList().map((r) => `${r.key!.key}[${r.key!.window.start},${r.key!.window.end}]=${r.value}@${r.timestamp}`);
  return { topology, driver, input, read };
}

describe('dsl > windows > windowedBy through StreamsBuilder and the driver', () => {
  it('tumbling count: one update per record, Kafka node/store names, windowed key serde', () => {
    const h = drive((b) => b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(noCache<number>()).toStream().to('out', Produced.with(Serdes.windowed(S, 10), Serdes.long())));
    h.input.pipeInput('a', 'x', 3);
    h.input.pipeInput('a', 'x', 12);
    h.input.pipeInput('a', 'x', 7);
    h.input.pipeInput('a', 'x', 15); // stream time 15: [0,10) closed
    h.input.pipeInput('a', 'x', 9); // dropped
    expect(h.read()).toEqual(['a[0,10]=1@3', 'a[10,20]=1@12', 'a[0,10]=2@7', 'a[10,20]=2@15']);
    expect(h.topology.describe().toString()).toContain('KSTREAM-AGGREGATE-0000000001 (stores: [agg])');
    h.driver.close();
  });

  it('sliding and session counts run end to end', () => {
    const sliding = drive((b) => b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(10)).count(noCache<number>()).toStream().to('out', Produced.with(Serdes.windowed(S, 10), Serdes.long())));
    sliding.input.pipeInput('a', 'x', 10);
    sliding.input.pipeInput('a', 'x', 15);
    expect(sliding.read()).toEqual(['a[0,10]=1@10', 'a[11,21]=1@15', 'a[5,15]=2@15']);
    const session = drive(
      (b) => b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5)).count(noCache<number>()).toStream().to('out', Produced.with(Serdes.sessionWindowed(S), Serdes.long())),
      Serdes.sessionWindowed(S) as never,
    );
    session.input.pipeInput('a', 'x', 1);
    session.input.pipeInput('a', 'x', 4);
    expect(session.read()).toEqual(['a[1,1]=1@1', 'a[1,1]=null@1', 'a[1,4]=2@4']);
  });

  it('suppress(untilWindowCloses) vs emitStrategy(onWindowClose): same final results, different node layout', () => {
    const suppressed = drive((b) => {
      const counts = b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 2)).count(noCache<number>());
      counts.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded())).toStream().to('out', Produced.with(Serdes.windowed(S, 10), Serdes.long()));
    });
    const onClose = drive((b) => b.stream('in', Consumed.with(S, S)).groupByKey().windowedBy(TimeWindows.ofSizeAndGrace(10, 2))
      .emitStrategy(EmitStrategy.onWindowClose().withEmitIntervalMs(0)).count(noCache<number>()).toStream().to('out', Produced.with(Serdes.windowed(S, 10), Serdes.long())));
    for (const h of [suppressed, onClose]) {
      // (a jump past the store's retention — default size + grace, as Kafka — would expire closed windows before onWindowClose reads them)
      for (const [k, t] of [['a', 1], ['b', 4], ['a', 9], ['a', 11], ['b', 12], ['a', 22]] as const) h.input.pipeInput(k, 'x', t);
    }
    expect(suppressed.read()).toEqual(['a[0,10]=2@9', 'b[0,10]=1@4', 'a[10,20]=1@11', 'b[10,20]=1@12']);
    expect(onClose.read()).toEqual(['a[0,10]=2@9', 'b[0,10]=1@4', 'a[10,20]=1@11', 'b[10,20]=1@12']);
    const text = suppressed.topology.describe().toString();
    expect(text).toContain('KTABLE-SUPPRESS-0000000002 (stores: [KTABLE-SUPPRESS-STATE-STORE-0000000003])');
    expect(onClose.topology.describe().toString()).not.toContain('SUPPRESS');
  });

  it('with DSL defaults (caching on) and after a key change: repartition named after the store, same results', () => {
    const h = drive((b) => b.stream('in', Consumed.with(S, S)).selectKey((_k, v) => v).groupByKey(Grouped.with(S, S))
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10)).emitStrategy(EmitStrategy.onWindowClose().withEmitIntervalMs(0)).count()
      .toStream().to('out', Produced.with(Serdes.windowed(S, 10), Serdes.long())));
    for (const [v, t] of [['x', 1], ['y', 2], ['x', 3], ['x', 11]] as const) h.input.pipeInput('k', v, t);
    expect(h.read()).toEqual(['x[0,10]=2@3', 'y[0,10]=1@2']);
    expect(h.driver.producedTopicNames()).toContain('win-KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition');
  });

  it('rejects a retention below size + grace, and untilWindowCloses on a non-windowed table', () => {
    const b = new StreamsBuilder();
    const grouped = b.stream('in', Consumed.with(S, S)).groupByKey();
    expect(() => grouped.windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count(Materialized.as<string, number>('w').withRetention(14))).toThrow(/retention 14 ms must be >= 15/);
    const table = grouped.count();
    expect(() => table.suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))).toThrow(/windowed KTable/);
    expectTypeOf(grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5)).count()).toEqualTypeOf<KTable<Windowed<string>, number>>();
    expectTypeOf(grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(5)).reduce((a, v) => a + v)).toEqualTypeOf<KTable<Windowed<string>, string>>();
  });
});
