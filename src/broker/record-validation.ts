/**
 * Turning what a producer sends into what a log stores, one field at a time. Each check throws a typed
 * error naming the topic and the record's index in the send, so a caller can find the bad record in a
 * batch of thousands. These run once per record on the produce path: no allocation beyond the Buffers
 * and the header object they must produce.
 */
import { InvalidRecordError, PartitionNotFoundError, RecordTooLargeError } from '../core/errors.js';
import { EMPTY_HEADERS, type Headers } from '../core/record.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a Uint8Array that is not a Buffer';
  return typeof value;
}

/** A key or value as bytes: Buffer as is, string as UTF-8, null as null; anything else InvalidRecordError. */
export function toBytes(value: unknown, field: string, topic: string, index: number): Buffer | null {
  if (value === null) return null;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  throw new InvalidRecordError(
    `topic "${topic}", record ${index}: ${field} must be a Buffer, a string or null, got ${describe(value)}`,
  );
}

/** Header values as Buffers (a fresh object, so later changes by the caller do not reach the log). */
export function toHeaders(headers: unknown, topic: string, index: number): Headers {
  if (headers === undefined || headers === null) return EMPTY_HEADERS;
  if (typeof headers !== 'object' || Array.isArray(headers) || Buffer.isBuffer(headers)) {
    throw new InvalidRecordError(`topic "${topic}", record ${index}: headers must be an object, got ${describe(headers)}`);
  }
  const names = Object.keys(headers);
  if (names.length === 0) return EMPTY_HEADERS;
  const out: Headers = {};
  for (const name of names) {
    const bytes = toBytes((headers as Record<string, unknown>)[name], `header "${name}"`, topic, index);
    if (bytes === null) {
      throw new InvalidRecordError(`topic "${topic}", record ${index}: header "${name}" must be a Buffer or a string, got null`);
    }
    out[name] = bytes;
  }
  return out;
}

/**
 * The size checked against `max.message.bytes`: key + value + header names (UTF-8) and values.
 * Kafka counts the whole batch with its framing; per record payload is what a user can act on.
 */
export function recordSize(key: Buffer | null, value: Buffer | null, headers: Headers): number {
  let size = (key === null ? 0 : key.length) + (value === null ? 0 : value.length);
  if (headers !== EMPTY_HEADERS) for (const name in headers) size += Buffer.byteLength(name) + headers[name]!.length;
  return size;
}

/** RecordTooLargeError naming topic, partition, record index, size and limit when `size > limit`. */
export function checkSize(size: number, limit: number, topic: string, partition: number, index: number): void {
  if (size > limit) {
    throw new RecordTooLargeError(
      `topic "${topic}" partition ${partition}, record ${index}: ${size} bytes exceeds max.message.bytes ${limit}`,
    );
  }
}

/** An explicit partition: a number (else InvalidRecordError) naming an existing partition (else PartitionNotFoundError). */
export function checkPartition(partition: unknown, partitions: number, topic: string, index: number): number {
  if (typeof partition !== 'number') {
    throw new InvalidRecordError(`topic "${topic}", record ${index}: partition must be a number, got ${describe(partition)}`);
  }
  if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
    throw new PartitionNotFoundError(
      `topic "${topic}", record ${index}: partition ${partition} does not exist (the topic has ${partitions} partition(s): 0..${partitions - 1})`,
    );
  }
  return partition;
}

/** An explicit timestamp: a non-negative safe integer of milliseconds. */
export function checkTimestamp(timestamp: unknown, topic: string, index: number): number {
  if (typeof timestamp !== 'number' || !Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new InvalidRecordError(
      `topic "${topic}", record ${index}: timestamp must be a non-negative integer of milliseconds, got ${String(timestamp)}`,
    );
  }
  return timestamp;
}

/**
 * A compacted topic (`cleanup.policy` containing `compact`) refuses a record without a key, as Kafka
 * does: the cleaner keeps the latest record *per key*, so a keyless one could never be kept or replaced.
 */
export function checkCompactedKey(key: Buffer | null, cleanupPolicy: string | undefined, topic: string, partition: number, index: number): void {
  if (key === null && cleanupPolicy !== undefined && cleanupPolicy.includes('compact')) {
    throw new InvalidRecordError(
      `topic "${topic}" partition ${partition}, record ${index}: a compacted topic (cleanup.policy=${cleanupPolicy}) needs a key on every record`,
    );
  }
}
