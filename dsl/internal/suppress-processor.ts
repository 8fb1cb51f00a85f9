import type { Change } from '../../src/core/change.js';
import { StreamsProcessingError } from '../../src/core/errors.js';
import type { Windowed } from '../../src/core/windowed.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { Serde } from '../../src/serdes/serde.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { Suppressed } from '../suppressed.js';
import { SuppressionBuffer, type BufferedEntry } from './suppression-buffer.js';

/**
 * What the suppress processor needs: the `Suppressed` config, its buffer store, the table's serdes
 * and, for `untilWindowCloses`, the upstream window's grace (grace + gap for sessions).
 * @example
 * const spec: SuppressSpec<Windowed<string>, number> = { suppressed, storeName: 'KTABLE-SUPPRESS-STATE-STORE-0000000004', keySerde, valueSerde, graceMs: 0 };
 */
export interface SuppressSpec<K, V> {
  readonly suppressed: Suppressed;
  readonly storeName: string;
  readonly keySerde: Serde<K>;
  readonly valueSerde: Serde<V>;
  readonly graceMs: number;
  /** Advance stream time by idle wall-clock time after this long without input (opt-in). */
  readonly closeOnIdleMs?: number | undefined;
}

class SuppressProcessor<K, V> implements Processor<K, Change<V>, K, Change<V>> {
  #context!: ProcessorContext<K, Change<V>>;
  #buffer!: SuppressionBuffer<K, V>;
  #observedStreamTime = -1;
  #lastRecordWallClock = 0;
  #streamTimeAtLastRecord = -1;
  readonly #finalResults: boolean;
  readonly #durationMs: number;

  constructor(readonly spec: SuppressSpec<K, V>) {
    this.#finalResults = spec.suppressed.kind === 'UNTIL_WINDOW_CLOSES';
    this.#durationMs = this.#finalResults ? spec.graceMs : spec.suppressed.timeLimitMs;
  }

  init(context: ProcessorContext<K, Change<V>>): void {
    this.#context = context;
    const store = context.getStateStore<KeyValueStore<Buffer, Buffer> & import('../../state/state-store.js').StateStore>(this.spec.storeName);
    this.#buffer = new SuppressionBuffer(store, this.spec.keySerde, this.spec.valueSerde);
    this.#buffer.restore();
    this.#lastRecordWallClock = context.currentSystemTimeMs();
    const idle = this.spec.closeOnIdleMs;
    if (idle !== undefined) {
      context.schedule(Math.max(1, Math.min(idle, 1000)), 'WALL_CLOCK_TIME', (now) => {
        const idleFor = now - this.#lastRecordWallClock;
        if (idleFor < idle || this.#streamTimeAtLastRecord < 0) return;
        this.#observedStreamTime = Math.max(this.#observedStreamTime, this.#streamTimeAtLastRecord + idleFor);
        this.#enforce();
      });
    }
  }

  process(record: Record<K, Change<V>>): void {
    this.#observedStreamTime = Math.max(this.#observedStreamTime, record.timestamp);
    this.#lastRecordWallClock = this.#context.currentSystemTimeMs();
    this.#streamTimeAtLastRecord = this.#observedStreamTime;
    const time = this.#finalResults ? (record.key as Windowed<unknown>).window.end : record.timestamp;
    this.#buffer.put(time, record.key, record.value, record.timestamp, record.headers);
    this.#enforce();
  }

  #enforce(): void {
    const expiry = this.#observedStreamTime - this.#durationMs;
    for (let e = this.#buffer.peek(); e !== undefined && e.time <= expiry; e = this.#buffer.peek()) this.#emit(this.#buffer.poll()!);
    const config = this.spec.suppressed.bufferConfig;
    const over = () => this.#buffer.numRecords > config.maxRecords || this.#buffer.sizeBytes > config.maxBytes;
    if (!over()) return;
    if (config.whenFull === 'EMIT') {
      while (over()) this.#emit(this.#buffer.poll()!);
      return;
    }
    throw new StreamsProcessingError(
      `suppress buffer "${this.spec.storeName}"`, this.#context.taskId, null, -1, -1,
      { cause: new Error(`buffer exceeded its max capacity: ${this.#buffer.numRecords}/${config.maxRecords} records, ${this.#buffer.sizeBytes}/${config.maxBytes} bytes`) },
    );
  }

  #emit(entry: BufferedEntry<K, V>): void {
    // untilWindowCloses may drop tombstones (a window's final result is never "deleted").
    if (entry.newValue === null && this.#finalResults) return;
    this.#context.forward(new Record(entry.key, { newValue: entry.newValue, oldValue: entry.oldValue }, entry.recordTimestamp, entry.headers));
  }
}

/**
 * Supplier of `KTable.suppress`'s processor (Kafka's `KTableSuppressProcessor`). Per update:
 * observed stream time = max(record timestamps seen); buffer the update under its key at buffer
 * time (window end for `untilWindowCloses`, the record timestamp for `untilTimeLimit`), then emit,
 * oldest first, every entry with `time <= streamTime - (grace | timeLimit)`, with the timestamp of
 * its latest update. A full buffer emits early or fails the task, per its `BufferConfig`.
 * @example
 * topology.addProcessor('KTABLE-SUPPRESS-0000000003', suppressProcessor(spec), 'KSTREAM-AGGREGATE-0000000001');
 */
export function suppressProcessor<K, V>(spec: SuppressSpec<K, V>): () => Processor<K, Change<V>, K, Change<V>> {
  return () => new SuppressProcessor(spec);
}
