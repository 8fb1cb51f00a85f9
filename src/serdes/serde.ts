/**
 * Turns values into bytes and back. `null` always maps to `null` (a tombstone stays a tombstone).
 * Bytes a serde cannot decode throw a `SerializationError` naming the serde.
 */
export interface Serde<T> {
  serialize(value: T | null, topic?: string): Buffer | null;
  deserialize(data: Buffer | null, topic?: string): T | null;
}
