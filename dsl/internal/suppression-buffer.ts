import type { Change } from '../../src/core/change.js';
import type { Headers } from '../../src/core/record.js';
import type { Serde } from '../../src/serdes/serde.js';
import type { KeyValueStore } from '../../state/key-value-store.js';

/**
 * One buffered key: its latest update and where it sits in the time order.
 * @example
 * const oldest: BufferedEntry<string, number> | undefined = buffer.peek();
 */
export interface BufferedEntry<K, V> {
  readonly time: number;
  readonly keyBytes: Buffer;
  readonly key: K;
  newValue: V | null;
  oldValue: V | null;
  recordTimestamp: number;
  headers: Headers | undefined;
  size: number;
}

const compare = (a: { time: number; keyBytes: Buffer }, b: { time: number; keyBytes: Buffer }) =>
  a.time - b.time || Buffer.compare(a.keyBytes, b.keyBytes);

/**
 * The time-ordered buffer behind `suppress` (Kafka's in-memory time-ordered key-value buffer):
 * one entry per key, ordered by (buffer time, serialized key bytes). A later update of a buffered
 * key replaces its value but keeps its place ("non-resetting"). Every change is written through to
 * a key-value store of bytes (logged to `<appId>-<store>-changelog`), from which `restore()`
 * rebuilds the buffer after a restart. Entry layout: time, record timestamp (int64 each), then the
 * new and old value as length-prefixed bytes (-1 = null).
 * @example
 * const buffer = new SuppressionBuffer(store, keySerde, valueSerde); buffer.restore();
 * buffer.put(windowEnd, key, change, record.timestamp, record.headers);
 */
export class SuppressionBuffer<K, V> {
  readonly #sorted: BufferedEntry<K, V>[] = [];
  readonly #index = new Map<string, BufferedEntry<K, V>>();
  #bytes = 0;

  constructor(readonly store: KeyValueStore<Buffer, Buffer>, readonly keySerde: Serde<K>, readonly valueSerde: Serde<V>) {}

  get numRecords(): number {
    return this.#sorted.length;
  }
  get sizeBytes(): number {
    return this.#bytes;
  }
  /** The oldest entry, or undefined. */
  peek(): BufferedEntry<K, V> | undefined {
    return this.#sorted[0];
  }

  /** Rebuilds the in-memory order from the store (after a restart or changelog restore). */
  restore(): void {
    for (const { key: keyBytes, value } of this.store.all()) {
      const time = Number(value.readBigInt64BE(0));
      const recordTimestamp = Number(value.readBigInt64BE(8));
      const [newBytes, next] = readPart(value, 16);
      const [oldBytes] = readPart(value, next);
      const entry: BufferedEntry<K, V> = {
        time, keyBytes, key: this.keySerde.deserialize(keyBytes) as K, recordTimestamp, headers: undefined,
        newValue: this.valueSerde.deserialize(newBytes), oldValue: this.valueSerde.deserialize(oldBytes), size: keyBytes.length + value.length,
      };
      this.#insert(entry);
    }
  }

  put(time: number, key: K, change: Change<V>, recordTimestamp: number, headers: Headers | undefined): void {
    const keyBytes = this.keySerde.serialize(key) ?? Buffer.alloc(0);
    const id = keyBytes.toString('latin1');
    let entry = this.#index.get(id);
    if (entry === undefined) {
      entry = { time, keyBytes, key, newValue: change.newValue, oldValue: change.oldValue, recordTimestamp, headers, size: 0 };
      this.#insert(entry);
    } else {
      entry.newValue = change.newValue;
      entry.oldValue = change.oldValue;
      entry.recordTimestamp = recordTimestamp;
      entry.headers = headers;
    }
    const encoded = this.#encode(entry);
    this.#bytes += keyBytes.length + encoded.length - entry.size;
    entry.size = keyBytes.length + encoded.length;
    this.store.put(keyBytes, encoded);
  }

  /** Removes and returns the oldest entry. */
  poll(): BufferedEntry<K, V> | undefined {
    const entry = this.#sorted.shift();
    if (entry === undefined) return undefined;
    this.#index.delete(entry.keyBytes.toString('latin1'));
    this.#bytes -= entry.size;
    this.store.delete(entry.keyBytes);
    return entry;
  }

  #insert(entry: BufferedEntry<K, V>): void {
    let lo = 0;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(this.#sorted[mid]!, entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.#sorted.splice(lo, 0, entry);
    this.#index.set(entry.keyBytes.toString('latin1'), entry);
    this.#bytes += entry.size;
  }

  #encode(entry: BufferedEntry<K, V>): Buffer {
    const head = Buffer.allocUnsafe(16);
    head.writeBigInt64BE(BigInt(entry.time), 0);
    head.writeBigInt64BE(BigInt(entry.recordTimestamp), 8);
    return Buffer.concat([head, part(this.valueSerde.serialize(entry.newValue)), part(this.valueSerde.serialize(entry.oldValue))]);
  }
}

function part(bytes: Buffer | null): Buffer {
  const len = Buffer.allocUnsafe(4);
  len.writeInt32BE(bytes === null ? -1 : bytes.length, 0);
  return bytes === null ? len : Buffer.concat([len, bytes]);
}

function readPart(buf: Buffer, offset: number): [Buffer | null, number] {
  const len = buf.readInt32BE(offset);
  if (len < 0) return [null, offset + 4];
  return [buf.subarray(offset + 4, offset + 4 + len), offset + 4 + len];
}
