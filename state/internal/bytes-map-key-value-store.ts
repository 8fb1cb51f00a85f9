import { StoreNotOpenError } from '../../src/core/errors.js';
import type { Serde } from '../../src/serdes/serde.js';
import type { ChangelogRecord, KeyValueEntry } from '../key-value-entry.js';
import type { KeyValueBytesStore } from '../key-value-bytes-store.js';
import type { StateStore, StateStoreContext } from '../state-store.js';
import type { BytesMap } from './bytes-map.js';
import { andThen } from './maybe-async.js';

/** The first key after every key that starts with `prefix` (null: no upper bound). */
export function prefixUpperBound(prefix: Buffer): Buffer | null {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return null;
}

/**
 * Every key-value operation over a {@link BytesMap}; subclasses say where the map comes from
 * (`openMap` at init) and whether it is persistent. Public methods check that the store is open,
 * then work on the map (abstract-level's check-then-hook shape).
 */
export abstract class BytesMapKeyValueStore implements KeyValueBytesStore {
  protected map: BytesMap | null = null;

  constructor(readonly name: string) {}

  protected abstract openMap(context: StateStoreContext): BytesMap | Promise<BytesMap>;
  protected abstract closeMap(): void | Promise<void>;
  abstract persistent(): boolean;

  init(context: StateStoreContext, _root: StateStore): void | Promise<void> {
    if (this.map !== null) throw new TypeError(`state store "${this.name}" is already initialized`);
    return andThen(this.openMap(context), (map) => {
      this.map = map;
    });
  }

  flush(): void {
    this.open();
  }

  close(): void | Promise<void> {
    if (this.map === null) return;
    this.map = null;
    return this.closeMap();
  }

  isOpen(): boolean {
    return this.map !== null;
  }

  protected open(): BytesMap {
    if (this.map === null) throw new StoreNotOpenError(this.name);
    return this.map;
  }

  get(key: Buffer): Buffer | null {
    return this.open().get(key);
  }

  put(key: Buffer, value: Buffer | null): void {
    this.open().set(key, value);
  }

  putIfAbsent(key: Buffer, value: Buffer): Buffer | null {
    const map = this.open();
    const old = map.get(key);
    if (old === null) map.set(key, value);
    return old;
  }

  delete(key: Buffer): Buffer | null {
    const map = this.open();
    const old = map.get(key);
    if (old !== null) map.set(key, null);
    return old;
  }

  putAll(entries: readonly KeyValueEntry<Buffer, Buffer | null>[]): void {
    const map = this.open();
    for (const { key, value } of entries) map.set(key, value);
  }

  range(from: Buffer | null, to: Buffer | null): KeyValueEntry<Buffer, Buffer>[] {
    return this.collect(from, to, false);
  }

  reverseRange(from: Buffer | null, to: Buffer | null): KeyValueEntry<Buffer, Buffer>[] {
    return this.collect(from, to, true);
  }

  prefixScan<P>(prefix: P, prefixKeySerde: Serde<P>): KeyValueEntry<Buffer, Buffer>[] {
    const map = this.open();
    const from = prefixKeySerde.serialize(prefix) ?? Buffer.alloc(0);
    const out: KeyValueEntry<Buffer, Buffer>[] = [];
    map.scan(from, null, false, (key, value) => {
      if (key.length < from.length || key.compare(from, 0, from.length, 0, from.length) !== 0) return false;
      out.push({ key, value });
    });
    return out;
  }

  all(): KeyValueEntry<Buffer, Buffer>[] {
    return this.collect(null, null, false);
  }

  reverseAll(): KeyValueEntry<Buffer, Buffer>[] {
    return this.collect(null, null, true);
  }

  approximateNumEntries(): number {
    return this.open().size;
  }

  restoreBatch(records: readonly ChangelogRecord[]): void {
    const map = this.open();
    for (const r of records) map.set(r.key, r.value);
  }

  private collect(from: Buffer | null, to: Buffer | null, reverse: boolean): KeyValueEntry<Buffer, Buffer>[] {
    const out: KeyValueEntry<Buffer, Buffer>[] = [];
    this.open().scan(from, to, reverse, (key, value) => {
      out.push({ key, value });
    });
    return out;
  }
}
