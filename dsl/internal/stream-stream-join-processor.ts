import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { WindowStore } from '../../state/window-store.js';
import type { HeldValues, TimestampedKeyAndJoinSide } from './outer-join-store.js';

/** Stream time and outer-join bookkeeping shared by both sides of one join in one task (Kafka's `TimeTracker`). */
class JoinTimeTracker {
  streamTime = -1;
  minTime = Number.MAX_SAFE_INTEGER;
  nextTimeToEmit = 0;
}

/**
 * One {@link JoinTimeTracker} per task, shared by the two join processors of a stream–stream join.
 * @example
 * const trackers = joinTimeTrackers(); trackers.get('0_1');
 */
export function joinTimeTrackers(): { get(taskId: string): JoinTimeTracker; remove(taskId: string): void } {
  const byTask = new Map<string, JoinTimeTracker>();
  return {
    get(taskId) {
      let t = byTask.get(taskId);
      if (t === undefined) byTask.set(taskId, (t = new JoinTimeTracker()));
      return t;
    },
    remove: (taskId) => void byTask.delete(taskId),
  };
}

/**
 * Kafka's `KStreamJoinWindow`: forwards the record, then (non-null key) puts it into its side's
 * window store at its timestamp, where the other side's join processor finds it. A record older than
 * the store's retention (`before + after + grace` behind the store's stream time) is not kept by the
 * store and is counted as dropped — Kafka's segmented store counts it in the task's dropped-records
 * sensor — though it still reaches the join processor, which joins it with what the other side holds.
 * @example
 * topology.addProcessor('KSTREAM-WINDOWED-0000000002', joinWindowProcessor('KSTREAM-JOINTHIS-0000000004-store'), 'src');
 */
export function joinWindowProcessor<K, V>(storeName: string, retentionMs: number): () => Processor<K, V, K, V> {
  return () => {
    let context!: ProcessorContext<K, V>;
    let store!: WindowStore<K, V>;
    // The largest timestamp this processor put: the store's stream time, except just after a restart
    // (it starts again from what it sees), when an expired put is dropped by the store but not counted.
    let maxPut = -1;
    return {
      init(c: ProcessorContext<K, V>) { context = c; store = c.getStateStore(storeName); },
      process(record: Record<K, V>) {
        context.forward(record);
        if (record.key === null || record.key === undefined) return;
        if (record.timestamp <= maxPut - retentionMs) context.recordDropped?.();
        else if (record.timestamp > maxPut) maxPut = record.timestamp;
        store.put(record.key, record.value, record.timestamp);
      },
    };
  };
}

/**
 * What one side's join processor needs. `join(thisValue, otherValue, key)` is already oriented for
 * this side; `leftJoiner(left, right, key)` is the user's, for held records of either side.
 * @example
 * const spec: StreamJoinSideSpec<string, number, number, string> = { ...sides, leftSide: true, outer: true };
 */
export interface StreamJoinSideSpec<K, VThis, VOther, R> {
  readonly otherStoreName: string;
  readonly outerStoreName: string | undefined;
  readonly leftSide: boolean;
  readonly outer: boolean;
  readonly joinBeforeMs: number;
  readonly joinAfterMs: number;
  readonly windowsBeforeMs: number;
  readonly windowsAfterMs: number;
  readonly graceMs: number;
  readonly emitIntervalMs: number;
  readonly join: (thisValue: VThis, otherValue: VOther | null, key: K) => R;
  readonly leftJoiner: (left: unknown, right: unknown, key: K) => R;
  readonly trackers: ReturnType<typeof joinTimeTrackers>;
}

class StreamStreamJoinProcessor<K, VThis, VOther, R> implements Processor<K, VThis, K, R> {
  #context!: ProcessorContext<K, R>;
  #other!: WindowStore<K, VOther>;
  #held: KeyValueStore<TimestampedKeyAndJoinSide<K>, HeldValues> | undefined;
  #time!: JoinTimeTracker;

  constructor(readonly spec: StreamJoinSideSpec<K, VThis, VOther, R>) {}

  init(context: ProcessorContext<K, R>): void {
    this.#context = context;
    this.#other = context.getStateStore(this.spec.otherStoreName);
    this.#held = this.spec.outerStoreName === undefined ? undefined : context.getStateStore<KeyValueStore<TimestampedKeyAndJoinSide<K>, HeldValues>>(this.spec.outerStoreName);
    this.#time = this.spec.trackers.get(context.taskId);
  }

  process(record: Record<K, VThis>): void {
    const { spec } = this;
    const ts = record.timestamp;
    const time = this.#time;
    time.streamTime = Math.max(time.streamTime, ts);
    const { key, value } = record;
    const nullValue = value === null || value === undefined;
    if (spec.outer && (key === null || key === undefined) && !nullValue) {
      this.#context.forward(record.withValue(spec.join(value, null, key)));
      return;
    }
    if (key === null || key === undefined || nullValue) {
      this.#context.recordDropped?.();
      return;
    }
    if (ts === time.streamTime && this.#held !== undefined) this.#emitClosed(this.#held, record);
    const timeFrom = Math.max(0, ts - spec.joinBeforeMs);
    const timeTo = Math.max(0, ts + spec.joinAfterMs);
    const matches = this.#other.fetch(key, timeFrom, timeTo);
    for (const m of matches) {
      const otherKey = { timestamp: m.timestamp, leftSide: !spec.leftSide, key };
      if (this.#held !== undefined && this.#held.get(otherKey) !== null) this.#held.delete(otherKey, m.timestamp);
      this.#context.forward(record.withValue(spec.join(value, m.value, key)).withTimestamp(Math.max(ts, m.timestamp)));
    }
    if (!spec.outer || matches.length > 0) return;
    if (this.#held === undefined || timeTo < time.streamTime) {
      this.#context.forward(record.withValue(spec.join(value, null, key)));
      return;
    }
    time.minTime = Math.min(time.minTime, ts);
    const heldKey = { timestamp: ts, leftSide: spec.leftSide, key };
    const list = this.#held.get(heldKey) ?? [];
    this.#held.put(heldKey, [...list, { value, left: spec.leftSide }], ts);
  }

  /** Emits the held records whose window closed, oldest first (Kafka's `emitNonJoinedOuterRecords`). */
  #emitClosed(store: KeyValueStore<TimestampedKeyAndJoinSide<K>, HeldValues>, record: Record<K, VThis>): void {
    const { spec } = this;
    const time = this.#time;
    if (time.minTime + spec.joinAfterMs + spec.graceMs >= time.streamTime) return;
    const now = this.#context.currentSystemTimeMs();
    if (now < time.nextTimeToEmit) return;
    time.nextTimeToEmit = now + spec.emitIntervalMs;
    time.minTime = Number.MAX_SAFE_INTEGER;
    let leftOpen = false;
    let rightOpen = false;
    for (const { key: heldKey, value: values } of store.all()) {
      time.minTime = heldKey.timestamp;
      if (leftOpen && rightOpen) break;
      const lookBack = heldKey.leftSide ? spec.windowsAfterMs : spec.windowsBeforeMs;
      if (time.minTime + lookBack + spec.graceMs >= time.streamTime) {
        if (heldKey.leftSide) leftOpen = true;
        else rightOpen = true;
        continue;
      }
      for (const v of values) {
        const out = heldKey.leftSide ? spec.leftJoiner(v.value, null, heldKey.key) : spec.leftJoiner(null, v.value, heldKey.key);
        this.#context.forward(record.withKey(heldKey.key).withValue(out).withTimestamp(heldKey.timestamp));
      }
      store.delete(heldKey, heldKey.timestamp);
    }
  }

  close(): void {
    this.spec.trackers.remove(this.#context.taskId);
  }
}

/**
 * Supplier of one side of Kafka's `KStreamKStreamJoin` (KIP-633 semantics, Kafka ≥ 3.1). Per record:
 * advance the shared stream time; an outer side forwards a null-key record joined with null at
 * once (KIP-962); other null keys and null values are dropped and counted; with a shared store,
 * first emit held records whose window closed (only when this record advanced stream time, at most
 * once per `emitIntervalMs` of wall-clock time); then join with every record of the other side's
 * window store in `[ts - before, ts + after]` at `max(ts, otherTs)`, deleting the matched records
 * from the held store; an unmatched record of an outer side is held in the shared store, or
 * forwarded joined with null at once if its window already closed (`ts + after < streamTime`).
 * @example
 * topology.addProcessor('KSTREAM-JOINTHIS-0000000004', streamStreamJoinProcessor(spec), 'KSTREAM-WINDOWED-0000000002');
 */
export function streamStreamJoinProcessor<K, VThis, VOther, R>(spec: StreamJoinSideSpec<K, VThis, VOther, R>): () => Processor<K, VThis, K, R> {
  return () => new StreamStreamJoinProcessor(spec);
}
