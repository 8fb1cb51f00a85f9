import type { ProcessorContext } from './processor-context.js';
import type { Record } from './record.js';

/**
 * The unit of the Processor API: receives records of one node, may forward new records to its
 * children through the context it got in `init`.
 *
 * Lifecycle: one instance per task (the topology holds a {@link ProcessorSupplier}); `init` once
 * before the first record, `process` once per record — synchronously, never `async` (the hot path is
 * plain calls) — and `close` when the task closes. A throw from `process` fails the task with a
 * `StreamsProcessingError` naming this processor and the input record's topic/partition/offset.
 *
 * @example
 * class Uppercase implements Processor<string, string, string, string> {
 *   private ctx!: ProcessorContext<string, string>;
 *   init(ctx: ProcessorContext<string, string>): void { this.ctx = ctx; }
 *   process(record: Record<string, string>): void { this.ctx.forward(record.withValue(record.value.toUpperCase())); }
 * }
 */
export interface Processor<KIn, VIn, KOut = never, VOut = never> {
  /** Called once before any record; keep the context to forward and to reach stores. */
  init?(context: ProcessorContext<KOut, VOut>): void;
  /** Handles one record. */
  process(record: Record<KIn, VIn>): void;
  /** Called once when the task closes; release anything `init` acquired. */
  close?(): void;
}

/**
 * Makes a new {@link Processor} for each task. Must return a fresh instance on every call:
 * tasks run concurrently and must not share processor state.
 *
 * @example
 * topology.addProcessor('upper', () => new Uppercase(), 'source');
 */
export type ProcessorSupplier<KIn, VIn, KOut = never, VOut = never> = () => Processor<KIn, VIn, KOut, VOut>;
