import type { Windowed } from '../core/windowed.js';
import { jsonSerde } from './json-serde.js';
import { bytesSerde, doubleSerde, int32Serde, int64Serde, longSerde, stringSerde } from './primitive-serdes.js';
import type { Serde } from './serde.js';
import { sessionWindowedSerde, windowedSerde } from './windowed-serdes.js';

/**
 * The built-in serdes, with Kafka's byte layouts.
 * @example
 * const keys = Serdes.string();
 * keys.deserialize(keys.serialize('user-1')); // 'user-1'
 */
export const Serdes = {
  /** UTF-8 text. */
  string: (): Serde<string> => stringSerde,
  /** JSON text in UTF-8. */
  json: <T>(): Serde<T> => jsonSerde<T>(),
  /** 32-bit big-endian integer (Kafka's Integer serde). */
  int32: (): Serde<number> => int32Serde,
  /** 64-bit big-endian integer (Kafka's Long serde), read back as bigint. */
  int64: (): Serde<bigint | number> => int64Serde,
  /** 64-bit big-endian integer read back as a number (errors outside the safe-integer range). */
  long: (): Serde<number> => longSerde,
  /** 64-bit big-endian IEEE 754 (Kafka's Double serde). */
  double: (): Serde<number> => doubleSerde,
  /** Raw bytes. */
  bytes: (): Serde<Buffer> => bytesSerde,
  /** Keys of time-windowed results: key bytes + 8-byte window start; the end is start + windowSizeMs. */
  windowed: <K>(inner: Serde<K>, windowSizeMs: number): Serde<Windowed<K>> => windowedSerde(inner, windowSizeMs),
  /** Keys of session-windowed results: key bytes + 8-byte end + 8-byte start. */
  sessionWindowed: <K>(inner: Serde<K>): Serde<Windowed<K>> => sessionWindowedSerde(inner),
} as const;
