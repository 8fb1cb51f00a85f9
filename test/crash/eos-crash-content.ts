/**
 * What the exactly-once crash harness processes, and the model of what it must produce.
 *
 * Topology (three sub-topologies, two repartition topics, a table, a windowed store):
 *
 *   eos-crash-users ──table('users')───────────────────────────────┐
 *   eos-crash-in ─selectKey(user)─▶ by-user-repartition ─leftJoin(users)─▶ {id, region ?? 'none'}
 *     ─groupBy(region)─▶ by-region-repartition ─windowedBy(tumbling 2 s, grace 120 s)
 *     ─count('region-counts', caching off: every update is emitted)─▶ `<region>@<windowStart>` ─▶ eos-crash-out
 *
 * Determinism (so a model can say what the output must be, however the kills land):
 * - the table is fed and fully processed by a clean bootstrap run before any order exists, so every
 *   join sees the final table (a stream–table join reads the table as of processing time);
 * - orders' timestamps are disordered by up to 3 s and the whole input spans less than the 120 s
 *   grace, so no order is ever late. Which records are late is not a deterministic property here,
 *   nor in Kafka: the count task's stream time depends on how the upstream tasks' writes interleave
 *   in the repartition partitions, and the window processor's observed stream time starts again
 *   from nothing when its task restarts (as Kafka's `KStreamWindowAggregate`). Late-record dropping
 *   is tested by the windowed-aggregation property tests, where the order is fixed.
 */
import { Consumed } from '../../dsl/consumed.js';
import { Grouped } from '../../dsl/grouped.js';
import { Joined } from '../../dsl/joined.js';
import { KeyValue } from '../../dsl/key-value.js';
import { Materialized } from '../../dsl/materialized.js';
import { Produced } from '../../dsl/produced.js';
import { Repartitioned } from '../../dsl/repartitioned.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { TimeWindows } from '../../dsl/windows/time-windows.js';
import type { Topology } from '../../src/processor/topology.js';
import { Serdes } from '../../src/serdes/serdes.js';

export const EOS_CRASH_APP = 'eos-crash';
export const EOS_CRASH_IN = 'eos-crash-in';
export const EOS_CRASH_USERS = 'eos-crash-users';
export const EOS_CRASH_OUT = 'eos-crash-out';
export const EOS_CRASH_BY_USER = `${EOS_CRASH_APP}-by-user-repartition`;
export const EOS_CRASH_BY_REGION = `${EOS_CRASH_APP}-by-region-repartition`;
export const EOS_CRASH_STORE = 'region-counts';
export const EOS_CRASH_PARTITIONS = 3;

export const WINDOW_MS = 2_000;
export const GRACE_MS = 120_000;
const BASE_TS = 1_000_000_000;
const STEP_MS = 2;
const DISORDER_MS = 3_000;
const USERS = 40;

/** An order as produced (value of `eos-crash-in`, JSON); after the join it becomes an {@link Enriched}. */
export interface Order {
  readonly id: number;
  readonly user: string;
}

export interface Enriched {
  readonly id: number;
  readonly region: string;
}

function hash(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Order `i`: input partition `i % P`, a pseudo-random user, a timestamp 2 ms per order minus up to 3 s of disorder. */
export function orderOf(i: number): { partition: number; key: string; order: Order; timestamp: number } {
  const timestamp = BASE_TS + i * STEP_MS - (hash(i + 7) % DISORDER_MS);
  return { partition: i % EOS_CRASH_PARTITIONS, key: `o${i}`, order: { id: i, user: `u${hash(i) % USERS}` }, timestamp };
}

/** Inputs the harness may feed: the whole input must span less than the grace (see the file comment). */
export const MAX_ORDERS = Math.floor((GRACE_MS - DISORDER_MS - WINDOW_MS) / STEP_MS);

/**
 * The users table as fed (in this order): every 10th user has no row (the left join gives 'none');
 * u0 moves region (the last row wins); u1 is deleted by a tombstone (then also 'none').
 */
export function userRows(): { key: string; value: string | null }[] {
  const rows: { key: string; value: string | null }[] = [];
  for (let u = 0; u < USERS; u++) if (u % 10 !== 9) rows.push({ key: `u${u}`, value: `reg${u % 4}` });
  rows.push({ key: 'u0', value: 'reg3' }, { key: 'u1', value: null });
  return rows;
}

/** The table as it stands once every row was applied. */
export function userTable(): Map<string, string> {
  const table = new Map<string, string>();
  for (const r of userRows()) {
    if (r.value === null) table.delete(r.key);
    else table.set(r.key, r.value);
  }
  return table;
}

/** The join result of order `i` (what the by-region repartition topic must carry for it). */
export function regionOf(i: number, table = userTable()): string {
  return table.get(orderOf(i).order.user) ?? 'none';
}

/** The output key of a window: `<region>@<windowStart>`. */
export function windowKey(region: string, start: number): string {
  return `${region}@${start}`;
}

/** The final count of every (region, window) for the first `n` orders. */
export function modelOf(n: number): Map<string, number> {
  const table = userTable();
  const model = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const { timestamp } = orderOf(i);
    const k = windowKey(regionOf(i, table), timestamp - (timestamp % WINDOW_MS));
    model.set(k, (model.get(k) ?? 0) + 1);
  }
  return model;
}

/** The topology every child runs. */
export function eosCrashTopology(): Topology {
  const S = Serdes.string();
  const orderSerde = Serdes.json<Order>();
  const enrichedSerde = Serdes.json<Enriched>();
  const builder = new StreamsBuilder();
  const users = builder.table(EOS_CRASH_USERS, Consumed.with(S, S), Materialized.as<string, string>('users').withCachingDisabled());
  builder
    .stream(EOS_CRASH_IN, Consumed.with(S, orderSerde))
    .selectKey((_id, o) => o.user)
    .repartition(Repartitioned.with(S, orderSerde).withName('by-user'))
    .leftJoin(users, (o, region): Enriched => ({ id: o.id, region: region ?? 'none' }), Joined.with(S, orderSerde, S))
    .groupBy((_user, e) => e.region, Grouped.with(S, enrichedSerde).withName('by-region'))
    .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS))
    .count(Materialized.as<string, number>(EOS_CRASH_STORE).withCachingDisabled().withRetention(10 * GRACE_MS))
    .toStream()
    .map((w, n) => KeyValue.pair(windowKey(w.key, w.window.start), n))
    .to(EOS_CRASH_OUT, Produced.with(S, Serdes.long()));
  return builder.build();
}
