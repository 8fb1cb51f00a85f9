import { doubleSerde, int32Serde, longSerde, stringSerde } from '../../src/serdes/primitive-serdes.js';
import type { Serde } from '../../src/serdes/serde.js';

/**
 * Which values of a serde an in-memory store may keep as they are instead of as bytes: those for
 * which `deserialize(serialize(v))` is `v` itself (`Object.is`), so handing `v` back is exactly what
 * a byte store would hand back. For keys it also means two such values are equal as `Map` keys
 * exactly when their bytes are equal (no `-0`, no `NaN`, no lone surrogates: those take the bytes
 * path). Only primitives qualify — an object could be mutated by its holder after a put — and only
 * for the built-in serdes whose layout is known; every other serde answers `null` (bytes only).
 */
export type KeepsAsIs = (value: unknown) => boolean;

const isInt32 = (v: unknown): boolean => typeof v === 'number' && Object.is(v | 0, v);
const isLong = (v: unknown): boolean => Number.isSafeInteger(v) && !Object.is(v, -0);
const isDouble = (v: unknown): boolean => typeof v === 'number' && v === v && !Object.is(v, -0);
// String.prototype.isWellFormed is in Node 20 but not in the ES2023 lib this project compiles against.
const isWellFormedString = (v: unknown): boolean => typeof v === 'string' && (v as string & { isWellFormed(): boolean }).isWellFormed();

/**
 * The as-is test for values of `serde` (also used for keys), or null.
 * @example
 * keepsAsIs(Serdes.string())?.('a'); // true
 */
export function keepsAsIs(serde: Serde<unknown>): KeepsAsIs | null {
  if (serde === (stringSerde as Serde<unknown>)) return isWellFormedString;
  if (serde === (longSerde as Serde<unknown>)) return isLong;
  if (serde === (int32Serde as Serde<unknown>)) return isInt32;
  if (serde === (doubleSerde as Serde<unknown>)) return isDouble;
  return null;
}

/**
 * For a `ValueAndTimestampSerde` (the DSL's timestamped stores) over a serde with an as-is test:
 * that test for the inner value. `state/` may not import the processor layer where the class lives,
 * so it is recognised by its name and public `inner`, then proven by one round trip of Kafka's
 * layout (`<timestamp int64 BE><inner bytes>`) — an unrelated serde that merely looks alike answers null.
 * @example
 * timestampedKeepsAsIs(new ValueAndTimestampSerde(Serdes.long())); // isLong
 */
export function timestampedKeepsAsIs(serde: Serde<unknown>): KeepsAsIs | null {
  const candidate = serde as Serde<unknown> & { inner?: Serde<unknown> };
  if (candidate.constructor?.name !== 'ValueAndTimestampSerde' || candidate.inner === undefined) return null;
  const inner = keepsAsIs(candidate.inner);
  if (inner === null) return null;
  const sample = candidate.inner === (stringSerde as Serde<unknown>) ? 'x' : 7;
  try {
    const bytes = candidate.serialize({ value: sample, timestamp: 5 });
    const innerBytes = candidate.inner.serialize(sample);
    if (bytes === null || innerBytes === null || bytes.length !== 8 + innerBytes.length) return null;
    if (bytes.readBigInt64BE(0) !== 5n || !bytes.subarray(8).equals(innerBytes)) return null;
    const back = candidate.deserialize(bytes) as { value?: unknown; timestamp?: unknown } | null;
    return back?.value === sample && back.timestamp === 5 ? inner : null;
  } catch {
    return null;
  }
}

/** A timestamp `ValueAndTimestampSerde` writes and reads back unchanged (int64, no -0). */
export const isTimestamp = isLong;
