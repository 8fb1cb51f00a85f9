/**
 * Windowed aggregation (issue 5b): what the DSL's tumbling-window count costs over counting by hand.
 *
 * Input: 2M records (default), 10k keys, timestamps increasing 1 ms per record on average with 10%
 * of records late by up to 2 s (all within the 10 s grace, so none is dropped), built up front.
 *
 * 1. tributary: `TimeWindows.ofSizeAndGrace(60 s, 10 s)` count per key through a `TaskExecutor`
 *    (objects in via `pushRecord`, the Kafka time-window aggregate processor, an in-memory window
 *    store stack — metered, no cache, no changelog — of `ValueAndTimestamp`s with string/long serdes;
 *    with nothing below the metered layer needing bytes, the store keeps keys and values as objects,
 *    its "object level"); results forwarded to a no-op processor.
 * 2. anchor: a plain loop counting into a `Map` keyed by `key|windowStart` (+ max timestamp).
 *
 * Ratio = anchor ms / tributary ms (target >= 0.5). Three alternating rounds, each side's best kept
 * (the machine is shared). Before timing, one untimed run of each side records every update, and
 * the final count of every (key, window) and the sum of all updates must agree; every timed round
 * must forward as many updates as the anchor counts, so the work cannot be skipped.
 */
import { timeWindowAggregateProcessor } from '../dsl/internal/time-window-aggregate-processor.js';
import { EmitStrategy } from '../dsl/emit-strategy.js';
import { TimeWindows } from '../dsl/windows/time-windows.js';
import type { Change } from '../src/core/change.js';
import type { Windowed } from '../src/core/windowed.js';
import { Record } from '../src/processor/record.js';
import { TaskExecutor } from '../src/processor/task-executor.js';
import { Topology } from '../src/processor/topology.js';
import { ValueAndTimestampSerde } from '../src/processor/value-and-timestamp.js';
import { Serdes } from '../src/serdes/serdes.js';
import { Stores } from '../state/stores.js';
import { fmtRate, printTable, rate, timed } from './report.js';
import { runWindowedStreamsBench } from './windowed-streams.bench.js';

const WINDOW_MS = 60_000;
const GRACE_MS = 10_000;
const KEYS = 10_000;

export function makeInput(n: number): Record<string, string>[] {
  const keys = Array.from({ length: KEYS }, (_, i) => `user-${i}`);
  const out: Record<string, string>[] = new Array(n);
  let seed = 42;
  // 32-bit LCG with Math.imul: a plain `seed * 1103515245` passes 2^53 and loses its low bits, which
  // left the generator in a short cycle that reached only about half of the keys.
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x80000000);
  for (let i = 0; i < n; i++) {
    const late = rand() < 0.1 ? Math.floor(rand() * 2000) : 0;
    out[i] = new Record(keys[Math.floor(rand() * KEYS)]!, 'v', Math.max(0, i - late));
  }
  return out;
}

/** Told about every count update: the key, the window start and the new count. */
type OnUpdate = (key: string, windowStart: number, count: number) => void;

export function runTributary(input: Record<string, string>[], onUpdate?: OnUpdate): number {
  const windows = TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS);
  let forwarded = 0;
  const store = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('counts', WINDOW_MS + GRACE_MS, WINDOW_MS, false), Serdes.string(), new ValueAndTimestampSerde(Serdes.long()))
    .withLoggingDisabled();
  const topology = new Topology()
    .addSource('src', ['in'], { keySerde: Serdes.string(), valueSerde: Serdes.string() })
    .addProcessor('count', timeWindowAggregateProcessor<string, string, number>(windows, {
      storeName: 'counts', initializer: () => 0, aggregator: (_k, _v, n) => n + 1, emitStrategy: EmitStrategy.onWindowUpdate(),
    }), 'src')
    .addProcessor('sink', () => ({
      process: onUpdate === undefined
        ? (_r: Record<Windowed<string>, Change<number>>) => void forwarded++
        : (r: Record<Windowed<string>, Change<number>>) => {
            forwarded++;
            onUpdate(r.key.key, r.key.window.start, r.value.newValue!);
          },
    }), 'count')
    .addStateStore(store, 'count');
  const task = new TaskExecutor(topology, { subtopologyId: 0, partition: 0, applicationId: 'bench', collector: { send: () => {} } });
  task.init();
  for (let i = 0; i < input.length; i++) task.pushRecord('in', input[i]!, i);
  void task.close();
  return forwarded;
}

function runAnchor(input: Record<string, string>[], onUpdate?: OnUpdate): number {
  const counts = new Map<string, { n: number; ts: number }>();
  let streamTime = -1;
  let updates = 0;
  for (let i = 0; i < input.length; i++) {
    const r = input[i]!;
    if (r.timestamp > streamTime) streamTime = r.timestamp;
    const start = Math.floor(r.timestamp / WINDOW_MS) * WINDOW_MS;
    if (start + WINDOW_MS <= streamTime - GRACE_MS) continue;
    const k = `${r.key}|${start}`;
    let c = counts.get(k);
    if (c === undefined) counts.set(k, (c = { n: 1, ts: r.timestamp }));
    else {
      c.n++;
      if (r.timestamp > c.ts) c.ts = r.timestamp;
    }
    updates++;
    onUpdate?.(r.key!, start, c.n);
  }
  return updates;
}

/** One untimed run of each side: the same final count per (key, window), the same sum of updates. */
function verifySameCounts(input: Record<string, string>[]): void {
  const record = () => {
    const finals = new Map<string, number>();
    let sum = 0;
    const onUpdate: OnUpdate = (key, start, count) => {
      finals.set(`${key}|${start}`, count);
      sum += count;
    };
    return { finals, onUpdate, sum: () => sum };
  };
  const t = record();
  const a = record();
  runTributary(input, t.onUpdate);
  runAnchor(input, a.onUpdate);
  const differs = [...a.finals].find(([k, n]) => t.finals.get(k) !== n);
  if (t.finals.size !== a.finals.size || differs !== undefined || t.sum() !== a.sum()) {
    throw new Error(`windowed bench: the counts differ (windows ${t.finals.size} vs ${a.finals.size}, sum ${t.sum()} vs ${a.sum()}, first differing ${differs?.[0]})`);
  }
}

/**
 * Runs the windowed suite and prints one table (records/s of each side and the ratio).
 * @example
 * await runWindowedBench({ records: 200_000 });
 */
export async function runWindowedBench(opts: { records?: number } = {}): Promise<void> {
  const n = opts.records ?? 2_000_000;
  const input = makeInput(n);
  verifySameCounts(input);
  let best = { tributary: Infinity, anchor: Infinity };
  for (let round = 0; round < 3; round++) {
    const t = await timed(() => runTributary(input));
    const a = await timed(() => runAnchor(input));
    if (t.result !== a.result) throw new Error(`windowed bench: tributary forwarded ${t.result} updates, the anchor counted ${a.result}`);
    best = { tributary: Math.min(best.tributary, t.ms), anchor: Math.min(best.anchor, a.ms) };
  }
  printTable(
    ['case', 'tributary', 'anchor (Map loop)', 'ratio (anchor ms / tributary ms)'],
    [[`tumbling 60 s count, ${n} records, ${KEYS} keys, 10% late <= 2 s`, fmtRate(rate(n, best.tributary)), fmtRate(rate(n, best.anchor)), (best.anchor / best.tributary).toFixed(2)]],
  );
  input.length = 0;
  await runWindowedStreamsBench({ records: n });
}
