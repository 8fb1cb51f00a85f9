import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { Produced } from '../../../dsl/produced.js';
import { StreamJoined } from '../../../dsl/stream-joined.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { JoinWindows } from '../../../dsl/windows/join-windows.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
type Kind = 'join' | 'leftJoin' | 'outerJoin';
type In = readonly ['L' | 'R', string | null, string | null, number];

function build(kind: Kind, windows: JoinWindows, sj = StreamJoined.with(S, S, S).withOuterJoinEmitIntervalMs(0)) {
  const b = new StreamsBuilder();
  const left = b.stream('left', Consumed.with(S, S));
  const right = b.stream('right', Consumed.with(S, S));
  const joiner = (l: string | null, r: string | null) => `[${l}, ${r}]`;
  (left[kind] as (o: typeof right, j: typeof joiner, w: JoinWindows, s: StreamJoined<string, string, string>) => typeof left)(right, joiner, windows, sj)
    .to('out', Produced.with(S, S));
  return b;
}

function run(kind: Kind, windows: JoinWindows, inputs: readonly In[], sj?: StreamJoined<string, string, string>) {
  const driver = new TopologyTestDriver(build(kind, windows, sj).build(), { applicationId: 'app' }, 0);
  const topics = { L: driver.createInputTopic('left', S, S), R: driver.createInputTopic('right', S, S) };
  const out = driver.createOutputTopic('out', S, S);
  const perInput = inputs.map(([side, k, v, ts]) => {
    topics[side].pipeInput(k as string, v as string, ts);
    return out.readRecordsToList().map((r) => `${r.value}@${r.timestamp}`);
  });
  return { driver, perInput };
}

// Kafka's developer guide, "Semantics of stream-stream joins": one key, window 15 (s), grace 5.
const GUIDE: In[] = [
  ['L', 'k', null, 1], ['R', 'k', null, 2], ['L', 'k', 'A', 3], ['R', 'k', 'a', 4], ['L', 'k', 'B', 5], ['R', 'k', 'b', 6],
  ['L', 'k', null, 7], ['R', 'k', null, 8], ['L', 'k', 'C', 9], ['R', 'k', 'c', 10], ['R', 'k', null, 11], ['L', 'k', null, 12],
  ['R', 'k', null, 13], ['R', 'k', 'd', 14], ['L', 'k', 'D', 15], ['L', 'k', 'E', 40], ['L', 'k', 'F', 60], ['R', 'k', 'f', 80],
];
const GUIDE_COMMON = [
  [], [], [], ['[A, a]@4'], ['[B, a]@5'], ['[A, b]@6', '[B, b]@6'], [], [], ['[C, a]@9', '[C, b]@9'],
  ['[A, c]@10', '[B, c]@10', '[C, c]@10'], [], [], [], ['[A, d]@14', '[B, d]@14', '[C, d]@14'],
  ['[D, a]@15', '[D, b]@15', '[D, c]@15', '[D, d]@15'], [],
];

describe('dsl > KStream stream–stream joins', () => {
  const w = JoinWindows.ofTimeDifferenceAndGrace(15, 5);

  it("reproduces the developer guide's table: inner join", () => {
    expect(run('join', w, GUIDE).perInput).toEqual([...GUIDE_COMMON, [], []]);
  });

  it("left join: the guide's rows; [A, null] is never emitted (A matched a later), [E, null] only once E's window closed (stream time > 40 + 15 + 5)", () => {
    // The guide prints [E, null] in the row of F@60; Kafka's code emits it at the first record
    // after stream time passes 60 (here f@80), stamped with E's timestamp. F@60 stays held.
    expect(run('leftJoin', w, GUIDE).perInput).toEqual([...GUIDE_COMMON, [], ['[E, null]@40']]);
  });

  it('outer join: the same, and unmatched right records are held too', () => {
    const { perInput } = run('outerJoin', w, [...GUIDE, ['L', 'k', 'G', 200]]);
    expect(perInput.slice(0, GUIDE.length)).toEqual([...GUIDE_COMMON, [], ['[E, null]@40']]);
    // G@200 closes F@60 (left) and f@80 (right): emitted in timestamp order before G is held.
    expect(perInput[GUIDE.length]).toEqual(['[F, null]@60', '[null, f]@80']);
  });

  it('window bounds are inclusive and asymmetric with before/after; result timestamp is max of both sides', () => {
    const win = JoinWindows.ofTimeDifferenceWithNoGrace(0).before(2).after(5);
    const { perInput } = run('join', win, [
      ['R', 'k', 'r7', 7], ['R', 'k', 'r8', 8], ['L', 'k', 'L10', 10], ['R', 'k', 'r15', 15], ['R', 'k', 'r16', 16],
    ]);
    // L10 joins right records in [8, 15], whichever side comes first.
    expect(perInput).toEqual([[], [], ['[L10, r8]@10'], ['[L10, r15]@15'], []]);
  });

  it('null keys and null values are dropped and counted; a left join passes a null-key left record at once (KIP-962)', () => {
    const inner = run('join', w, [['L', null, 'x', 1], ['L', 'k', null, 2], ['R', null, 'y', 3]]);
    expect(inner.perInput).toEqual([[], [], []]);
    expect(inner.driver.metrics()['dropped-records-total']).toBe(3);
    const left = run('leftJoin', w, [['L', null, 'x', 1], ['R', null, 'y', 3]]);
    expect(left.perInput).toEqual([['[x, null]@1'], []]);
    expect(left.driver.metrics()['dropped-records-total']).toBe(1);
  });

  it('a record older than its store retention is dropped from the store and counted, yet still joins what the other side holds (as Kafka)', () => {
    // Window 10 ms each way, no grace: each side's store keeps 20 ms behind its own stream time.
    const { driver, perInput } = run('join', JoinWindows.ofTimeDifferenceWithNoGrace(10), [
      ['R', 'k', 'r3', 3],
      ['L', 'k', 'a', 1000],
      ['L', 'k', 'late', 5], // the left store is at 1000: not kept, counted; the right store still holds r3
      ['R', 'k', 'r6', 6], // the right store is at 6: kept, but the left store no longer serves time 5
    ]);
    expect(perInput).toEqual([[], [], ['[late, r3]@5'], []]);
    expect(driver.metrics()['dropped-records-total']).toBe(1);
  });

  it('a left record whose window already closed when it arrives is joined with null at once', () => {
    const { perInput } = run('leftJoin', w, [['L', 'a', 'X', 100], ['L', 'k', 'late', 70]]);
    expect(perInput).toEqual([[], ['[late, null]@70']]);
  });

  it('held results are looked for at most once per second of wall-clock time by default (Kafka emit interval)', () => {
    const sj = StreamJoined.with(S, S, S);
    const driver = new TopologyTestDriver(build('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(0), sj).build(), {}, 0);
    const left = driver.createInputTopic('left', S, S);
    const out = driver.createOutputTopic('out', S, S);
    left.pipeInput('a', 'A', 1);
    left.pipeInput('b', 'B', 2); // emits [A, null]; next look-up not before wall-clock 1000
    expect(out.readValuesToList()).toEqual(['[A, null]']);
    left.pipeInput('c', 'C', 3);
    expect(out.readValuesToList()).toEqual([]);
    driver.advanceWallClockTime(1000);
    left.pipeInput('d', 'D', 4);
    expect(out.readValuesToList()).toEqual(['[B, null]', '[C, null]']);
  });

  it("describe() names nodes and stores as Kafka's KStreamImplJoin", () => {
    const text = build('leftJoin', w).build().describe().toString();
    for (const s of [
      'Processor: KSTREAM-WINDOWED-0000000002 (stores: [KSTREAM-JOINTHIS-0000000004-store])',
      'Processor: KSTREAM-WINDOWED-0000000003 (stores: [KSTREAM-OUTEROTHER-0000000005-store])',
      'KSTREAM-JOINTHIS-0000000004 (stores: [KSTREAM-OUTEROTHER-0000000005-store, KSTREAM-OUTERSHARED-0000000004-store])',
      'Processor: KSTREAM-MERGE-0000000006 (stores: [])',
    ]) expect(text).toContain(s);
    const named = build('outerJoin', w, StreamJoined.with(S, S, S).withName('j').withStoreName('st')).build().describe().toString();
    for (const s of ['Processor: j-this-windowed (stores: [st-outer-this-join-store])', 'Processor: j-outer-other-join', 'st-outer-shared-join-store', 'Processor: j-merge'])
      expect(named).toContain(s);
  });

  it('a key-changing stream is repartitioned before the join (<name>-left-repartition)', () => {
    const b = new StreamsBuilder();
    const left = b.stream('left', Consumed.with(S, S)).selectKey((_k, v) => v);
    const right = b.stream('right', Consumed.with(S, S));
    left.join(right, (l, r) => l + r, w, StreamJoined.with(S, S, S).withName('j')).to('out', Produced.with(S, S));
    const text = b.build().describe().toString();
    expect(text).toContain('j-left-repartition');
    const driver = new TopologyTestDriver(b.build(), { applicationId: 'app' }, 0);
    driver.createInputTopic('right', S, S).pipeInput('x', 'r', 1);
    driver.createInputTopic('left', S, S).pipeInput('ignored', 'x', 2);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'x', value: 'xr' }]);
  });
});
