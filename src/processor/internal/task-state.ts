import type { StateStore } from '../../../state/state-store.js';
import type { Cancellable, PunctuationType, Punctuator } from '../processor-context.js';
import type { ObjectCollector, RecordCollector } from '../record-collector.js';

/**
 * What the runtime nodes of one task share: identity, clocks, the record being processed, the
 * collectors and stores. Implemented by `TaskExecutor`; the nodes read fields directly (hot path).
 * @example
 * const state: TaskState = task; state.streamTimeMs; // max timestamp seen
 */
export interface TaskState {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  streamTimeMs: number;
  /** Topic of the input record being processed; `null` inside a punctuator. */
  currentTopic: string | null;
  /** The task's partition (meaningful only while `currentTopic` is set). */
  currentPartition: number;
  currentOffset: number;
  readonly collector: RecordCollector;
  readonly objectCollector: ObjectCollector | undefined;
  wallClockMs(): number;
  /** Wraps an error thrown by user code in a node into the error to rethrow. */
  fail(error: unknown, nodeName: string): Error;
  schedule(nodeName: string, intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  store(name: string): StateStore | undefined;
  /** A global store (read-only view), which any processor may read without connecting it. */
  globalStore(name: string): StateStore | undefined;
  /** Counts a record an operator dropped on purpose (the task's `dropped-records` metric). */
  recordDropped(): void;
}
