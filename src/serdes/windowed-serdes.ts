import { SerializationError } from '../core/errors.js';
import type { Windowed } from '../core/windowed.js';
import { shortAsciiBytes } from './ascii-bytes.js';
import { readInt64BE, writeInt64BE } from './int64-bytes.js';
import { stringSerde } from './primitive-serdes.js';
import type { Serde } from './serde.js';

// Kafka's layouts: a time-windowed key is <key bytes><window start: int64 BE> (TimeWindowedSerializer);
// a session-windowed key is <key bytes><window end: int64 BE><window start: int64 BE> (SessionKeySchema).

/**
 * Serde for keys of time-windowed results. The window end is not on the wire (as in Kafka), so
 * reading needs the window size: end = start + windowSizeMs.
 */
export function windowedSerde<K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> {
  if (!(windowSizeMs > 0)) throw new RangeError(`Serdes.windowed: windowSizeMs must be > 0, got ${windowSizeMs}`);
  return {
    serialize(value, topic) {
      if (value === null || value === undefined) return null;
      const k = value.key;
      if (inner === stringSerde && typeof k === 'string') {
        // A windowed string key (every windowed count by a string key): the UTF-8 written straight
        // into the result, not encoded into a buffer of its own and copied.
        const ascii = shortAsciiBytes(k, 8);
        if (ascii !== null) {
          writeInt64BE(ascii, value.window.start, k.length);
          return ascii;
        }
        const n = Buffer.byteLength(k, 'utf8');
        const buf = Buffer.allocUnsafe(n + 8);
        buf.write(k, 0, n, 'utf8');
        writeInt64BE(buf, value.window.start, n);
        return buf;
      }
      const key = inner.serialize(k, topic) ?? Buffer.alloc(0);
      const buf = Buffer.allocUnsafe(key.length + 8);
      key.copy(buf, 0);
      writeInt64BE(buf, value.window.start, key.length);
      return buf;
    },
    deserialize(data, topic) {
      if (data === null || data === undefined) return null;
      if (data.length < 8) throw new SerializationError('windowed', `need at least 8 bytes, got ${data.length}`, { topic });
      const start = readInt64BE(data, data.length - 8);
      const key = inner.deserialize(data.subarray(0, data.length - 8), topic) as K;
      return { key, window: { start, end: start + windowSizeMs } };
    },
  };
}

/** Serde for keys of session-windowed results (start and end are both on the wire). */
export function sessionWindowedSerde<K>(inner: Serde<K>): Serde<Windowed<K>> {
  return {
    serialize(value, topic) {
      if (value === null || value === undefined) return null;
      const key = inner.serialize(value.key, topic) ?? Buffer.alloc(0);
      const buf = Buffer.allocUnsafe(key.length + 16);
      key.copy(buf, 0);
      writeInt64BE(buf, value.window.end, key.length);
      writeInt64BE(buf, value.window.start, key.length + 8);
      return buf;
    },
    deserialize(data, topic) {
      if (data === null || data === undefined) return null;
      if (data.length < 16) throw new SerializationError('sessionWindowed', `need at least 16 bytes, got ${data.length}`, { topic });
      const end = readInt64BE(data, data.length - 16);
      const start = readInt64BE(data, data.length - 8);
      const key = inner.deserialize(data.subarray(0, data.length - 16), topic) as K;
      return { key, window: { start, end } };
    },
  };
}
