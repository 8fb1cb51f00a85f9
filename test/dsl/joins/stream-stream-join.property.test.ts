import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { Produced } from '../../../dsl/produced.js';
import { StreamJoined } from '../../../dsl/stream-joined.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { JoinWindows } from '../../../dsl/windows/join-windows.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { keyedRecords, type TimedRecord } from '../../../src/testing/arbitraries.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
type Kind = 'join' | 'leftJoin' | 'outerJoin';
type Rec = TimedRecord<string | null, { left: boolean; v: string | null }>;
interface Params { before: number; after: number; disorder: number; grace: number }

/**
 * The model: every pair (l, r) of non-null key and value, same key, `r.ts` in `[l.ts - before,
 * l.ts + after]`, at `max` of both timestamps. An outer side's record with a null key is joined
 * with null; an unmatched one is joined with null — if it arrived after its window had closed
 * (`ts + lookAhead < streamTime`), when nothing of the other side had matched it yet, else when
 * nothing ever matched it (all held records get emitted by the final flush record).
 */
function model(kind: Kind, p: Params, records: readonly Rec[]): string[] {
  const out: string[] = [];
  const outer = (left: boolean) => kind === 'outerJoin' || (kind === 'leftJoin' && left);
  const matches = (a: Rec, b: Rec) => {
    const [l, r] = a.value.left ? [a, b] : [b, a];
    return r.timestamp >= l.timestamp - p.before && r.timestamp <= l.timestamp + p.after;
  };
  const valid = (r: Rec) => r.key !== null && r.value.v !== null;
  let streamTime = -1;
  records.forEach((rec, i) => {
    streamTime = Math.max(streamTime, rec.timestamp);
    const single = () => out.push(`${rec.key}:${rec.value.left ? `[${rec.value.v}, null]` : `[null, ${rec.value.v}]`}@${rec.timestamp}`);
    if (rec.key === null && rec.value.v !== null && outer(rec.value.left)) return single();
    if (!valid(rec)) return;
    const others = records.filter((o) => valid(o) && o.key === rec.key && o.value.left !== rec.value.left && matches(rec, o));
    for (const o of others.filter((o) => records.indexOf(o) < i)) {
      const [l, r] = rec.value.left ? [rec, o] : [o, rec];
      out.push(`${rec.key}:[${l.value.v}, ${r.value.v}]@${Math.max(l.timestamp, r.timestamp)}`);
    }
    if (!outer(rec.value.left)) return;
    const lookAhead = rec.value.left ? p.after : p.before;
    const closedOnArrival = rec.timestamp + lookAhead < streamTime;
    const before = others.some((o) => records.indexOf(o) < i);
    if (closedOnArrival ? !before : others.length === 0) single();
  });
  return out.sort();
}

function run(kind: Kind, p: Params, records: readonly Rec[]): string[] {
  const b = new StreamsBuilder();
  const left = b.stream('left', Consumed.with(S, S));
  const right = b.stream('right', Consumed.with(S, S));
  const windows = JoinWindows.ofTimeDifferenceAndGrace(0, p.grace).before(p.before).after(p.after);
  const joiner = (l: string | null, r: string | null) => `[${l}, ${r}]`;
  const sj = StreamJoined.with(S, S, S).withOuterJoinEmitIntervalMs(0);
  (left[kind] as (o: typeof right, j: typeof joiner, w: JoinWindows, s: typeof sj) => typeof left)(right, joiner, windows, sj).to('out', Produced.with(S, S));
  const driver = new TopologyTestDriver(b.build(), { applicationId: 'p' }, 0);
  const topics = { left: driver.createInputTopic('left', S, S), right: driver.createInputTopic('right', S, S) };
  for (const r of records) topics[r.value.left ? 'left' : 'right'].pipeInput(r.key as string, r.value.v as string, r.timestamp);
  const max = records.reduce((m, r) => Math.max(m, r.timestamp), 0);
  topics.left.pipeInput('~flush', 'F', max + p.before + p.after + p.grace + 1);
  return driver.createOutputTopic('out', S, S).readRecordsToList()
    .filter((r) => r.key !== '~flush')
    .map((r) => `${r.key}:${r.value}@${r.timestamp}`).sort();
}

const params = fc.record({ before: fc.integer({ min: 0, max: 15 }), after: fc.integer({ min: 0, max: 15 }), disorder: fc.integer({ min: 0, max: 8 }) })
  .map((p) => ({ ...p, grace: p.disorder + 1 }));
const records = (disorder: number) => keyedRecords(fc, {
  keys: fc.constantFrom<string | null>('a', 'b', 'c', null),
  values: fc.record({ left: fc.boolean(), v: fc.option(fc.constantFrom('1', '2', '3'), { freq: 6 }) }),
  maxDisorderMs: disorder,
  maxGapMs: 6,
  maxLength: 30,
});

describe('dsl > KStream stream–stream joins (model)', () => {
  for (const kind of ['join', 'leftJoin', 'outerJoin'] as const) {
    it(`property: ${kind} emits exactly the model's results (pairs within the window bounds, unmatched after close)`, () => {
      fc.assert(
        fc.property(params.chain((p) => fc.tuple(fc.constant(p), records(p.disorder))), ([p, recs]) => {
          expect(run(kind, p, recs)).toEqual(model(kind, p, recs));
        }),
        { numRuns: 150 },
      );
    });
  }
});
