import type { Serde } from '../../src/serdes/serde.js';
import type { ChangelogRecord, KeyValueEntry } from '../key-value-entry.js';
import type { KeyValueBytesStore } from '../key-value-bytes-store.js';
import type { StateStore, StateStoreContext } from '../state-store.js';

/** What a caching layer reports when it writes a key through: the bytes-level flush listener. */
export type BytesFlushListener = (key: Buffer, newValue: Buffer | null, oldValue: Buffer | null, timestamp: number) => void;

/** A bytes store that may sit on a caching layer: `setFlushListener` returns true if one took it. */
export interface FlushListenable {
  setFlushListener(listener: BytesFlushListener): boolean;
}

/** True if the store (a layer) forwards flush listeners. */
export function isFlushListenable(store: object): store is FlushListenable {
  return typeof (store as Partial<FlushListenable>).setFlushListener === 'function';
}

/**
 * A layer that delegates every call to the store below; subclasses override what they add.
 * Layers share the inner store's name.
 */
export abstract class WrappedKeyValueBytesStore implements KeyValueBytesStore, FlushListenable {
  constructor(protected readonly inner: KeyValueBytesStore) {}

  get name(): string {
    return this.inner.name;
  }
  init(context: StateStoreContext, root: StateStore): void | Promise<void> {
    return this.inner.init(context, root);
  }
  flush(): void | Promise<void> {
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
  setFlushListener(listener: BytesFlushListener): boolean {
    return isFlushListenable(this.inner) ? this.inner.setFlushListener(listener) : false;
  }
  get(key: Buffer): Buffer | null {
    return this.inner.get(key);
  }
  put(key: Buffer, value: Buffer | null, timestamp?: number): void {
    this.inner.put(key, value, timestamp);
  }
  putIfAbsent(key: Buffer, value: Buffer, timestamp?: number): Buffer | null {
    return this.inner.putIfAbsent(key, value, timestamp);
  }
  delete(key: Buffer, timestamp?: number): Buffer | null {
    return this.inner.delete(key, timestamp);
  }
  putAll(entries: readonly KeyValueEntry<Buffer, Buffer | null>[], timestamp?: number): void {
    this.inner.putAll(entries, timestamp);
  }
  range(from: Buffer | null, to: Buffer | null): KeyValueEntry<Buffer, Buffer>[] {
    return this.inner.range(from, to);
  }
  reverseRange(from: Buffer | null, to: Buffer | null): KeyValueEntry<Buffer, Buffer>[] {
    return this.inner.reverseRange(from, to);
  }
  prefixScan<P>(prefix: P, prefixKeySerde: Serde<P>): KeyValueEntry<Buffer, Buffer>[] {
    return this.inner.prefixScan(prefix, prefixKeySerde);
  }
  all(): KeyValueEntry<Buffer, Buffer>[] {
    return this.inner.all();
  }
  reverseAll(): KeyValueEntry<Buffer, Buffer>[] {
    return this.inner.reverseAll();
  }
  approximateNumEntries(): number {
    return this.inner.approximateNumEntries();
  }
  restoreBatch(records: readonly ChangelogRecord[]): void {
    this.inner.restoreBatch(records);
  }
}
