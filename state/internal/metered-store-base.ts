import type { Serde } from '../../src/serdes/serde.js';
import type { StateStore, StateStoreContext } from '../state-store.js';
import { storeContextParts } from '../store-context.js';
import type { StoreMetrics } from '../store-metrics.js';
import { StoreMetricsRecorder } from './store-metrics.js';

/**
 * The lifecycle every typed (metered) store layer shares, whatever its kind: it names itself after
 * its inner store, learns its changelog topic (`<applicationId>-<store>-changelog`, the topic its
 * serdes are called with, as in Kafka) and the context's clock at `init`, counts flushes, and hands
 * out its counters. Key-value, window and session layers add their typed operations on top.
 */
export abstract class MeteredStoreBase<I extends StateStore> {
  protected readonly recorder = new StoreMetricsRecorder();
  /** The changelog topic, passed to serdes; undefined until `init`. */
  protected topic: string | undefined;
  /** Event time of the record being processed (from the context), else wall-clock time. */
  protected now: () => number = () => Date.now();

  constructor(readonly inner: I) {}

  get name(): string {
    return this.inner.name;
  }
  init(context: StateStoreContext, root: StateStore = this as unknown as StateStore): void | Promise<void> {
    this.topic = `${context.applicationId}-${this.name}-changelog`;
    const parts = storeContextParts(context);
    if (parts.timestamp !== undefined) this.now = parts.timestamp.bind(context);
    this.useDefaultSerdes(parts.defaultKeySerde, parts.defaultValueSerde);
    return this.inner.init(context, root);
  }

  /**
   * Replaces a serde that stands for the application's default with the configured one (Kafka's
   * metered stores do this at init). Each typed layer overrides it for its own serdes.
   */
  protected useDefaultSerdes(_key: Serde<unknown> | undefined, _value: Serde<unknown> | undefined): void {}
  flush(): void | Promise<void> {
    this.recorder.flushes++;
    return this.inner.flush();
  }
  close(): void | Promise<void> {
    return this.inner.close();
  }
  persistent(): boolean {
    return this.inner.persistent();
  }
  isOpen(): boolean {
    return this.inner.isOpen();
  }
  /** Counters and sampled latency. */
  metrics(): StoreMetrics {
    return this.recorder.snapshot();
  }
}
