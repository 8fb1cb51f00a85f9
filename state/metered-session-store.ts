import type { Windowed } from '../src/core/windowed.js';
import type { Serde } from '../src/serdes/serde.js';
import { StoreMetricsRecorder, type StoreMetrics } from './internal/store-metrics.js';
import type { ChangelogRecord, KeyValueEntry, RestorableStore } from './key-value-entry.js';
import type { SessionBytesStore, SessionStore } from './session-store.js';
import type { StateStore, StateStoreContext } from './state-store.js';

type Sessions<K, AGG> = KeyValueEntry<Windowed<K>, AGG>[];

/**
 * The typed outer layer of a session store: serdes (topic = the changelog topic), counters and
 * sampled latency.
 * @example
 * const s = new MeteredSessionStore(new InMemorySessionStore('sessions', 86_400_000), Serdes.string(), Serdes.long());
 */
export class MeteredSessionStore<K, AGG> implements SessionStore<K, AGG>, RestorableStore {
  private readonly recorder = new StoreMetricsRecorder();
  private topic: string | undefined;

  constructor(
    readonly inner: SessionBytesStore,
    readonly keySerde: Serde<K>,
    readonly aggSerde: Serde<AGG>,
  ) {}

  get name(): string {
    return this.inner.name;
  }
  async init(context: StateStoreContext, root: StateStore = this): Promise<void> {
    this.topic = `${context.applicationId}-${this.name}-changelog`;
    await this.inner.init(context, root);
  }
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
  metrics(): StoreMetrics {
    return this.recorder.snapshot();
  }

  private k(key: K): Buffer {
    const bytes = this.keySerde.serialize(key, this.topic);
    if (bytes === null) throw new TypeError(`store "${this.name}": null keys are not allowed`);
    return bytes;
  }
  private kOrNull(key: K | null): Buffer | null {
    return key === null ? null : this.k(key);
  }
  private sessions(list: Sessions<Buffer, Buffer>): Sessions<K, AGG> {
    this.recorder.ranges++;
    return list.map((e) => ({
      key: { key: this.keySerde.deserialize(e.key.key, this.topic) as K, window: e.key.window },
      value: this.aggSerde.deserialize(e.value, this.topic) as AGG,
    }));
  }

  put(sessionKey: Windowed<K>, aggregate: AGG | null): void {
    this.recorder.puts++;
    const key = { key: this.k(sessionKey.key), window: sessionKey.window };
    const agg = aggregate === null ? null : this.aggSerde.serialize(aggregate, this.topic);
    this.recorder.time(() => this.inner.put(key, agg));
  }
  remove(sessionKey: Windowed<K>): void {
    this.recorder.deletes++;
    this.inner.remove({ key: this.k(sessionKey.key), window: sessionKey.window });
  }
  fetchSession(key: K, sessionStartTime: number, sessionEndTime: number): AGG | null {
    this.recorder.gets++;
    const bytes = this.recorder.time(() => this.inner.fetchSession(this.k(key), sessionStartTime, sessionEndTime));
    return bytes === null ? null : this.aggSerde.deserialize(bytes, this.topic);
  }

  findSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions<K, AGG>;
  findSessions(keyFrom: K | null, keyTo: K | null, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions<K, AGG>;
  findSessions(a: K | null, b: K | number | null, c: number, d?: number): Sessions<K, AGG> {
    if (d === undefined) return this.sessions(this.inner.findSessions(this.k(a as K), b as number, c));
    return this.sessions(this.inner.findSessions(this.kOrNull(a), this.kOrNull(b as K | null), c, d));
  }
  backwardFindSessions(key: K, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions<K, AGG>;
  backwardFindSessions(keyFrom: K | null, keyTo: K | null, earliestSessionEndTime: number, latestSessionStartTime: number): Sessions<K, AGG>;
  backwardFindSessions(a: K | null, b: K | number | null, c: number, d?: number): Sessions<K, AGG> {
    if (d === undefined) return this.sessions(this.inner.backwardFindSessions(this.k(a as K), b as number, c));
    return this.sessions(this.inner.backwardFindSessions(this.kOrNull(a), this.kOrNull(b as K | null), c, d));
  }
  fetch(key: K): Sessions<K, AGG>;
  fetch(keyFrom: K | null, keyTo: K | null): Sessions<K, AGG>;
  fetch(a: K | null, ...rest: (K | null)[]): Sessions<K, AGG> {
    return this.sessions(rest.length === 0 ? this.inner.fetch(this.k(a as K)) : this.inner.fetch(this.kOrNull(a), this.kOrNull(rest[0]!)));
  }
  backwardFetch(key: K): Sessions<K, AGG>;
  backwardFetch(keyFrom: K | null, keyTo: K | null): Sessions<K, AGG>;
  backwardFetch(a: K | null, ...rest: (K | null)[]): Sessions<K, AGG> {
    return this.sessions(rest.length === 0 ? this.inner.backwardFetch(this.k(a as K)) : this.inner.backwardFetch(this.kOrNull(a), this.kOrNull(rest[0]!)));
  }

  restoreBatch(records: readonly ChangelogRecord[]): void {
    this.inner.restoreBatch(records);
    this.recorder.restored += records.length;
  }
}
