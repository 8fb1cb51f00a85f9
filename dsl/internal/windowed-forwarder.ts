import type { Change } from '../../src/core/change.js';
import type { Windowed } from '../../src/core/windowed.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';

type Listener<V> = (key: Windowed<unknown>, newValue: V | null, oldValue: V | null, timestamp: number) => void;
interface ListenableStore<V> {
  setFlushListener?(listener: Listener<V> | null, sendOldValues?: boolean): boolean;
}

const IGNORE = (): void => {};

/**
 * Forwards the updates of a windowed aggregation (Kafka's `TimestampedTupleForwarder` with a
 * timestamped-window or session cache-flush listener). With a caching layer in the store's stack the
 * cache forwards each window once per flush (window aggregates: the window's max record timestamp;
 * sessions: the session end); otherwise the processor forwards every update itself. With
 * `onWindowClose` no listener is set: final results are read from the store.
 * @example
 * const fwd = new WindowedForwarder(store, ctx, () => sendOld, 'window', true);
 * fwd.maybeForward(new Record(windowedKey, { newValue: 2, oldValue: null }, ts));
 */
export class WindowedForwarder<K, VA> {
  readonly cached: boolean;

  constructor(
    store: unknown,
    readonly context: ProcessorContext<Windowed<K>, Change<VA>>,
    sendOldValues: () => boolean,
    kind: 'window' | 'session',
    onUpdate: boolean,
  ) {
    const s = store as ListenableStore<unknown>;
    if (!onUpdate || typeof s.setFlushListener !== 'function') {
      this.cached = false;
      return;
    }
    const listener: Listener<unknown> =
      kind === 'window'
        ? (key, n, o, ts) => {
            const nv = n as ValueAndTimestamp<VA> | null;
            const ov = o as ValueAndTimestamp<VA> | null;
            const change = { newValue: nv?.value ?? null, oldValue: sendOldValues() ? (ov?.value ?? null) : null };
            context.forward(new Record(key as Windowed<K>, change, nv?.timestamp ?? ts));
          }
        : (key, n, o) => {
            const change = { newValue: (n as VA | null) ?? null, oldValue: sendOldValues() ? ((o as VA | null) ?? null) : null };
            context.forward(new Record(key as Windowed<K>, change, key.window.end));
          };
    // Whether a downstream needs old values is settled by build(), before tasks start (TableState):
    // without it the cache need not read each flushed window's old value from the store below.
    this.cached = s.setFlushListener(listener, kind === 'window' ? sendOldValues() : true);
    // Uncached, the processor forwards itself: the store must not call the listener on every put.
    // A window store takes null (its puts then skip reading the old value for a listener).
    if (!this.cached) s.setFlushListener(kind === 'window' ? null : IGNORE);
  }

  /** Forwards `record` unless the store's cache will forward the update when it is flushed. */
  maybeForward(record: Record<Windowed<K>, Change<VA>>): void {
    if (!this.cached) this.context.forward(record);
  }
}
