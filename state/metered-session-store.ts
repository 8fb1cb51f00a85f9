import type { Windowed } from '../src/core/windowed.js';
import { resolveDefaultSerde } from '../src/serdes/default-serde.js';
import type { Serde } from '../src/serdes/serde.js';
import { MeteredStoreBase } from './internal/metered-store-base.js';
import type { ChangelogRecord, KeyValueEntry, RestorableStore } from './key-value-entry.js';
import type { SessionBytesStore, SessionStore } from './session-store.js';
import type { SessionBytesFlushListener } from './caching-session-store.js';

type Sessions<K, AGG> = KeyValueEntry<Windowed<K>, AGG>[];

/** Told about every session update that leaves the store. */
export type SessionFlushListener<K, AGG> = (key: Windowed<K>, newValue: AGG | null, oldValue: AGG | null, timestamp: number) => void;

/**
 * The typed outer layer of a session store: serdes (topic = the changelog topic), counters and
 * sampled latency.
 * @example
 * const s = new MeteredSessionStore(new InMemorySessionStore('sessions', 86_400_000), Serdes.string(), Serdes.long());
 */
export class MeteredSessionStore<K, AGG> extends MeteredStoreBase<SessionBytesStore> implements SessionStore<K, AGG>, RestorableStore {
  private immediate: SessionFlushListener<K, AGG> | null = null;

  constructor(
    inner: SessionBytesStore,
    public keySerde: Serde<K>,
    public aggSerde: Serde<AGG>,
  ) {
    super(inner);
  }
  protected override useDefaultSerdes(key: Serde<unknown> | undefined, value: Serde<unknown> | undefined): void {
    this.keySerde = resolveDefaultSerde(this.keySerde, key);
    this.aggSerde = resolveDefaultSerde(this.aggSerde, value);
  }


  /**
   * Hears every session update that leaves the store: once per flush with a caching layer below
   * (returns true), else on every put/remove (returns false).
   */
  setFlushListener(listener: SessionFlushListener<K, AGG>): boolean {
    const inner = this.inner as SessionBytesStore & { setFlushListener?: (l: SessionBytesFlushListener) => boolean };
    const cached = inner.setFlushListener?.((k, n, o, ts) =>
      listener({ key: this.keySerde.deserialize(k.key, this.topic) as K, window: k.window }, this.agg(n), this.agg(o), ts),
    ) ?? false;
    this.immediate = cached ? null : listener;
    return cached;
  }

  private agg(bytes: Buffer | null): AGG | null {
    return bytes === null ? null : this.aggSerde.deserialize(bytes, this.topic);
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
    if (this.immediate === null) return this.recorder.time(() => this.inner.put(key, agg));
    const old = this.inner.fetchSession(key.key, key.window.start, key.window.end);
    this.inner.put(key, agg);
    if (old !== null || agg !== null) this.immediate(sessionKey, aggregate, this.agg(old), this.now());
  }
  remove(sessionKey: Windowed<K>): void {
    this.recorder.deletes++;
    if (this.immediate !== null) return this.put(sessionKey, null);
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
