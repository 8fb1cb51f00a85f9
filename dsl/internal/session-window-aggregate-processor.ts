import type { Change } from '../../src/core/change.js';
import type { Window, Windowed } from '../../src/core/windowed.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { SessionStore } from '../../state/session-store.js';
import type { SessionWindows } from '../windows/session-windows.js';
import { FinalEmitTracker } from './final-emit-tracker.js';
import { WindowedForwarder } from './windowed-forwarder.js';
import type { WindowAggregateSpec } from './time-window-aggregate-processor.js';

/**
 * What the session aggregate needs besides a {@link WindowAggregateSpec}: how to merge two
 * sessions' aggregates, `merger(key, aggOne, aggTwo)`.
 * @example
 * const spec: SessionAggregateSpec<string, string, number> = { ...countSpec, merger: (k, a, b) => a + b };
 */
export interface SessionAggregateSpec<K, V, VA> extends WindowAggregateSpec<K, V, VA> {
  readonly merger: (key: K, aggOne: VA, aggTwo: VA) => VA;
}

class SessionWindowAggregateProcessor<K, V, VA> implements Processor<K, V, Windowed<K>, Change<VA>> {
  #context!: ProcessorContext<Windowed<K>, Change<VA>>;
  #store!: SessionStore<K, VA>;
  readonly #tracker: FinalEmitTracker;
  #forwarder!: WindowedForwarder<K, VA>;

  constructor(readonly windows: SessionWindows, readonly spec: SessionAggregateSpec<K, V, VA>) {
    this.#tracker = new FinalEmitTracker(spec.emitStrategy, spec.closeOnIdleMs);
  }

  init(context: ProcessorContext<Windowed<K>, Change<VA>>): void {
    this.#context = context;
    this.#store = context.getStateStore<SessionStore<K, VA>>(this.spec.storeName);
    this.#forwarder = new WindowedForwarder<K, VA>(this.#store, context, () => this.spec.sendOldValues === true, 'session', !this.#tracker.onWindowClose);
    this.#tracker.init(context as ProcessorContext<unknown, unknown>, () => {
      const closeTime = this.#closeTime();
      if (this.#tracker.shouldEmitFinal(closeTime, false)) this.#emitFinal(closeTime, undefined);
    });
  }

  #closeTime(): number {
    return this.#tracker.observedStreamTime - this.windows.graceMs - this.windows.inactivityGapMs;
  }

  process(record: Record<K, V>): void {
    const key = record.key;
    if (key === null || key === undefined) {
      this.#context.recordDropped?.();
      return;
    }
    const t = record.timestamp;
    this.#tracker.observe(t);
    const closeTime = this.#closeTime();
    const gap = this.windows.inactivityGapMs;
    const merged = this.#store.findSessions(key, t - gap, t + gap);
    let agg = this.spec.initializer();
    let window: Window = { start: t, end: t };
    for (const session of merged) {
      agg = this.spec.merger(key, agg, session.value);
      window = { start: Math.min(window.start, session.key.window.start), end: Math.max(window.end, session.key.window.end) };
    }
    if (window.end < closeTime) {
      this.#context.recordDropped?.();
    } else {
      if (window.start !== t || window.end !== t) {
        for (const session of merged) {
          this.#store.remove(session.key);
          this.#forwardUpdate(session.key, null, session.value, record);
        }
      }
      agg = this.spec.aggregator(key, record.value, agg);
      const sessionKey: Windowed<K> = { key, window };
      this.#store.put(sessionKey, agg);
      this.#forwardUpdate(sessionKey, agg, null, record);
    }
    if (this.#tracker.shouldEmitFinal(closeTime)) this.#emitFinal(closeTime, record);
  }

  /** Updates carry the session end as timestamp, as in Kafka. */
  #forwardUpdate(key: Windowed<K>, newAgg: VA | null, oldAgg: VA | null, record: Record<K, V>): void {
    if (this.#tracker.onWindowClose) return;
    const change = { newValue: newAgg, oldValue: this.spec.sendOldValues === true ? oldAgg : null };
    this.#forwarder.maybeForward(new Record<Windowed<K>, Change<VA>>(key, change, key.window.end, record.headers));
  }

  /** Emits the sessions whose end is in [lastClose, close - 1], by end time (Kafka's time-ordered session store). */
  #emitFinal(closeTime: number, record: Record<K, V> | undefined): void {
    const upper = closeTime - 1;
    if (upper < 0) return;
    const lower = Math.max(0, this.#tracker.lastEmitCloseTime);
    if (upper < lower) return;
    for (const { key, value } of this.#store.findSessions(null, null, lower, upper)) {
      if (key.window.end > upper) continue;
      this.#context.forward(new Record<Windowed<K>, Change<VA>>(key, { newValue: value, oldValue: null }, key.window.end, record?.headers));
    }
    this.#tracker.lastEmitCloseTime = closeTime;
  }
}

/**
 * Supplier of the processor behind session-windowed `count`/`reduce`/`aggregate` (Kafka's
 * `KStreamSessionWindowAggregate`): a record at `t` merges with every session of its key that ends
 * at or after `t - gap` and starts at or before `t + gap`; if the merged session ends before
 * `streamTime - grace - gap` the record is dropped (and counted). Otherwise the merged-away sessions
 * are removed with a tombstone each (`Change(null, old?)`, at their end time), and the new session's
 * aggregate is forwarded at the session's end time.
 * @example
 * topology.addProcessor('sessions', sessionWindowAggregateProcessor(SessionWindows.ofInactivityGapWithNoGrace(5), spec), 'source');
 */
export function sessionWindowAggregateProcessor<K, V, VA>(
  windows: SessionWindows,
  spec: SessionAggregateSpec<K, V, VA>,
): () => Processor<K, V, Windowed<K>, Change<VA>> {
  return () => new SessionWindowAggregateProcessor(windows, spec);
}
