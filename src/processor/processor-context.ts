import type { StateStore } from '../../state/state-store.js';
import type { Record } from './record.js';

/**
 * Which clock a punctuator follows. `STREAM_TIME` advances only with record timestamps (the max seen
 * by the task); `WALL_CLOCK_TIME` follows the system (or the test driver's mock) clock.
 * @example
 * ctx.schedule(60_000, 'WALL_CLOCK_TIME', (now) => flushOlderThan(now));
 */
export type PunctuationType = 'STREAM_TIME' | 'WALL_CLOCK_TIME';

/**
 * A scheduled callback; receives the stream time or wall-clock time at which it fires.
 * @example
 * const emit: Punctuator = (ts) => ctx.forward(new Record('tick', ts, ts));
 */
export type Punctuator = (timestampMs: number) => void;

/**
 * Handle of a scheduled punctuator.
 * @example
 * const handle = ctx.schedule(1000, 'STREAM_TIME', tick); handle.cancel();
 */
export interface Cancellable {
  /** Stops future firings. Idempotent. */
  cancel(): void;
}

/**
 * Where the record being processed came from.
 * @example
 * const meta = ctx.recordMetadata(); if (meta) console.log(meta.topic, meta.partition, meta.offset);
 */
export interface ProcessingRecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * What a {@link Processor} can do besides receiving records: forward to children, schedule
 * punctuators, reach its connected state stores, and read task metadata and clocks.
 *
 * All calls are synchronous. `forward` runs the children before it returns (depth first), exactly
 * like Kafka Streams.
 *
 * @example
 * init(ctx: ProcessorContext<string, number>) {
 *   this.store = ctx.getStateStore<KeyValueStore<string, number>>('counts');
 *   ctx.schedule(1000, 'WALL_CLOCK_TIME', (now) => ctx.forward(new Record('tick', 1, now)));
 * }
 */
export interface ProcessorContext<KForward = unknown, VForward = unknown> {
  /** The application id of the running application (or of the test driver). */
  readonly applicationId: string;
  /** The task running this processor: `<subtopology>_<partition>`. */
  readonly taskId: string;
  /**
   * Sends a record to every child of this node, or only to the child named `childName`.
   * Throws a `TopologyError` if `childName` is not a child of this node.
   */
  forward<K extends KForward, V extends VForward>(record: Record<K, V>, childName?: string): void;
  /**
   * Calls `punctuator` every `intervalMs` of the given clock. Stream-time punctuators are aligned to 0
   * and fire as soon as stream time reaches their next due time; wall-clock punctuators first fire
   * `intervalMs` after scheduling. Missed intervals fire once, not once per interval.
   */
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /**
   * The store named `name`, which must be connected to this processor. An unknown or unconnected
   * name throws a `TopologyError` naming the processor and the store.
   */
  getStateStore<S extends StateStore = StateStore>(name: string): S;
  /** Topic, partition and offset of the input record being processed; `null` inside a punctuator. */
  recordMetadata(): ProcessingRecordMetadata | null;
  /** The task's stream time: the largest record timestamp it has seen (`-1` before any record). */
  currentStreamTimeMs(): number;
  /** The task's wall-clock time (the mock clock under the test driver). */
  currentSystemTimeMs(): number;
  /**
   * Counts a record this processor dropped on purpose (a null key in an aggregation, a record too
   * late for its window): the task's `dropped-records` metric (`TaskExecutor.metrics.dropped`).
   * Optional so that hand-written contexts (tests) need not implement it.
   */
  recordDropped?(): void;
}
