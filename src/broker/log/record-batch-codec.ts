/**
 * On-disk format of one record batch (magic 1). All integers are big-endian; int64 fields hold JS safe
 * integers (|v| <= 2^53 - 1) written as a signed high int32 + unsigned low int32.
 *
 * ```
 * pos  size  field
 *   0     4  length            int32: bytes after this field (the batch is 4 + length bytes)
 *   4     1  magic             int8 = 1
 *   5     4  crc               uint32: CRC-32 (zlib.crc32) of every byte from pos 9 to the end of the batch
 *   9     8  baseOffset        int64
 *  17     4  lastOffsetDelta   int32: lastOffset - baseOffset
 *  21     4  recordCount       int32
 *  25     8  firstTimestamp    int64: the base of the timestamp deltas: the first record's timestamp, or
 *                                 the delete horizon when attribute bit 6 is set (written by the cleaner)
 *  33     8  maxTimestamp      int64
 *  41     8  producerId        int64, -1 = not idempotent
 *  49     2  producerEpoch     int16, -1 = none
 *  51     4  baseSequence      int32, -1 = none
 *  55     2  attributes        int16: bit 4 = transactional, bit 5 = control, bit 6 = delete horizon set
 *                                 (Kafka's bit positions)
 *  57        records, recordCount times:
 *              4  offsetDelta     int32 (stored, not implied, so compaction can leave gaps later)
 *              8  timestampDelta  int64: timestamp - firstTimestamp (may be negative)
 *              4  keyLength       int32, -1 = null key;   then the key bytes
 *              4  valueLength     int32, -1 = null value; then the value bytes
 *              4  headerCount     int32; then per header:
 *                   2 nameLength int16 + UTF-8 name, 4 valueLength int32 + value bytes
 * ```
 *
 * Batches may have gaps, as in Kafka: the log cleaner keeps a batch's baseOffset and lastOffset but drops
 * some of its records (so offsetDelta is stored), and drops whole batches (so the next batch may start
 * past `lastOffset + 1`). Offsets only ever increase. The delete horizon (KIP-534) is the time after
 * which the cleaner may drop the batch's tombstones; storing it as the delta base costs no extra field.
 *
 * Fixed-width fields (not Kafka's varints) keep encode/decode to plain `Buffer` reads and writes, which
 * is what makes the hot path fast in JS; the cost is ~10 bytes per record over varints.
 */
import { crc32 } from 'node:zlib';
import { EMPTY_HEADERS, type Headers } from '../../core/record.js';
import type { AppendBatch, LogRecord, LogRecordInput } from './partition-log.js';

/** Format version written in every batch. */
export const MAGIC = 1;
/** Bytes of the batch header, length prefix included. */
export const BATCH_HEADER_SIZE = 57;
/** Bytes of a record with null key, null value and no headers. */
const RECORD_OVERHEAD = 24;
const ATTR_TRANSACTIONAL = 0x10;
const ATTR_CONTROL = 0x20;
const ATTR_DELETE_HORIZON = 0x40;
const TWO_32 = 4294967296;
/** Largest batch accepted on encode and believed on decode (a larger length prefix is garbage). */
export const MAX_BATCH_SIZE = 0x7fff_ffff;

/** The fixed header of a batch, as decoded without touching its records. */
export interface BatchHeader {
  /** Total bytes of the batch, length prefix included. */
  size: number;
  crc: number;
  baseOffset: number;
  lastOffset: number;
  recordCount: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
  isControl: boolean;
  /** When the cleaner may drop this batch's tombstones (ms since the epoch), or null when not set yet. */
  deleteHorizonMs: number | null;
}

/** What a re-encoded (cleaned) batch keeps of the original: header fields, and its offset span. */
export interface CleanedBatchHeader {
  baseOffset: number;
  lastOffset: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
  isControl: boolean;
}

function writeInt64(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(v - hi * TWO_32, pos + 4);
}

function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

function checkInt64(what: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new RangeError(`${what} must be a safe integer, got ${v}`);
}

/**
 * Encodes `batch` with offsets starting at `baseOffset` into one freshly allocated Buffer (size computed
 * first, so the caller can write it with a single syscall). Throws RangeError on an empty batch or a
 * field that does not fit the format.
 */
export function encodeBatch(batch: AppendBatch, baseOffset: number): { buffer: Buffer; maxTimestamp: number } {
  const records = batch.records;
  if (records.length === 0) throw new RangeError('cannot encode an empty batch');
  const header: CleanedBatchHeader = {
    baseOffset,
    lastOffset: baseOffset + records.length - 1,
    producerId: batch.producerId ?? -1,
    producerEpoch: batch.producerEpoch ?? -1,
    baseSequence: batch.baseSequence ?? -1,
    isTransactional: batch.isTransactional ?? false,
    isControl: batch.isControl ?? false,
  };
  return encode(header, records, null, null);
}

/**
 * Encodes what the log cleaner kept of a batch: the original header and offset span, only `records`
 * (non-empty, offsets increasing within [baseOffset, lastOffset]), and the delete horizon if any.
 */
export function encodeCleanedBatch(header: CleanedBatchHeader, records: LogRecord[], deleteHorizonMs: number | null): Buffer {
  if (records.length === 0) throw new RangeError(`cannot encode an empty cleaned batch at offset ${header.baseOffset}`);
  const deltas = records.map((r) => r.offset - header.baseOffset);
  for (let i = 0; i < deltas.length; i++) {
    if (deltas[i]! < 0 || deltas[i]! > header.lastOffset - header.baseOffset || (i > 0 && deltas[i]! <= deltas[i - 1]!)) {
      throw new RangeError(`cleaned batch at offset ${header.baseOffset}: record offset ${records[i]!.offset} is out of order or outside the batch`);
    }
  }
  return encode(header, records, deltas, deleteHorizonMs).buffer;
}

function encode(
  header: CleanedBatchHeader,
  records: LogRecordInput[],
  offsetDeltas: number[] | null,
  deleteHorizonMs: number | null,
): { buffer: Buffer; maxTimestamp: number } {
  const n = records.length;
  const baseOffset = header.baseOffset;
  checkInt64('baseOffset', baseOffset);
  const producerId = header.producerId;
  checkInt64('producerId', producerId);

  // Pass 1: size, timestamps, header names (encoded once, reused in pass 2).
  let size = BATCH_HEADER_SIZE;
  let maxTimestamp = records[0]!.timestamp;
  let headerNames: (string[] | null)[] | null = null;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    checkInt64('record timestamp', r.timestamp);
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
    size += RECORD_OVERHEAD + (r.key === null ? 0 : r.key.length) + (r.value === null ? 0 : r.value.length);
    const names = r.headers === EMPTY_HEADERS ? null : Object.keys(r.headers);
    if (names !== null && names.length > 0) {
      (headerNames ??= new Array<string[] | null>(n).fill(null))[i] = names;
      for (const name of names) size += 6 + Buffer.byteLength(name, 'utf8') + r.headers[name]!.length;
    }
  }
  const firstTimestamp = deleteHorizonMs ?? records[0]!.timestamp;
  checkInt64('delete horizon', firstTimestamp);
  checkInt64('timestamp delta', maxTimestamp - firstTimestamp);
  if (size > MAX_BATCH_SIZE) throw new RangeError(`batch of ${size} bytes exceeds the ${MAX_BATCH_SIZE}-byte limit`);

  const buf = Buffer.allocUnsafe(size);
  buf.writeInt32BE(size - 4, 0);
  buf.writeInt8(MAGIC, 4);
  writeInt64(buf, 9, baseOffset);
  buf.writeInt32BE(header.lastOffset - baseOffset, 17);
  buf.writeInt32BE(n, 21);
  writeInt64(buf, 25, firstTimestamp);
  writeInt64(buf, 33, maxTimestamp);
  writeInt64(buf, 41, producerId);
  buf.writeInt16BE(header.producerEpoch, 49);
  buf.writeInt32BE(header.baseSequence, 51);
  const attributes =
    (header.isTransactional ? ATTR_TRANSACTIONAL : 0) | (header.isControl ? ATTR_CONTROL : 0) | (deleteHorizonMs !== null ? ATTR_DELETE_HORIZON : 0);
  buf.writeInt16BE(attributes, 55);

  // Pass 2: records. The per-record fixed fields are plain byte stores (putInt32): the checked
  // Buffer writers cost more than the bytes on batches of small records; the values are in range by
  // construction (lengths and deltas checked above).
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    putInt32(buf, pos, offsetDeltas === null ? i : offsetDeltas[i]!);
    const delta = r.timestamp - firstTimestamp;
    const hi = Math.floor(delta / TWO_32);
    putInt32(buf, pos + 4, hi);
    putInt32(buf, pos + 8, delta - hi * TWO_32);
    pos += 12;
    pos = writeBytes(buf, pos, r.key);
    pos = writeBytes(buf, pos, r.value);
    const names = headerNames === null ? null : headerNames[i]!;
    if (names === null) {
      putInt32(buf, pos, 0);
      pos += 4;
      continue;
    }
    buf.writeInt32BE(names.length, pos);
    pos += 4;
    for (const name of names) {
      const len = buf.write(name, pos + 2, 'utf8');
      if (len > 0x7fff) throw new RangeError(`header name "${name.slice(0, 40)}..." is longer than 32767 bytes`);
      buf.writeInt16BE(len, pos);
      pos = writeBytes(buf, pos + 2 + len, r.headers[name]!);
    }
  }
  buf.writeUInt32BE(crc32(buf.subarray(9)), 5);
  return { buffer: buf, maxTimestamp };
}

/** Big-endian int32 from four byte loads (the caller has checked the bytes are inside the batch). */
function getInt32(buf: Buffer, pos: number): number {
  return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
}

/** Big-endian int32 (or uint32: the low half of an int64) as four byte stores; no range check. */
function putInt32(buf: Buffer, pos: number, v: number): void {
  buf[pos] = v >>> 24;
  buf[pos + 1] = v >>> 16;
  buf[pos + 2] = v >>> 8;
  buf[pos + 3] = v;
}

function writeBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) {
    putInt32(buf, pos, -1);
    return pos + 4;
  }
  putInt32(buf, pos, bytes.length);
  buf.set(bytes, pos + 4);
  return pos + 4 + bytes.length;
}

/**
 * Reads the length prefix at `pos` and returns the batch's total size, or a reason it cannot be a batch
 * (too short, bad magic). Needs only 5 bytes; does not check the CRC.
 */
export function peekBatchSize(buf: Buffer, pos: number): number | string {
  const length = buf.readInt32BE(pos);
  if (length < BATCH_HEADER_SIZE - 4) return `length prefix ${length} is too small for a batch`;
  const magic = buf.readInt8(pos + 4);
  if (magic !== MAGIC) return `unknown magic byte ${magic}`;
  return length + 4;
}

/** Decodes the fixed header of the batch at `pos` (the whole header must be in `buf`). */
export function decodeBatchHeader(buf: Buffer, pos: number): BatchHeader {
  const baseOffset = readInt64(buf, pos + 9);
  const attributes = buf.readInt16BE(pos + 55);
  return {
    size: buf.readInt32BE(pos) + 4,
    crc: buf.readUInt32BE(pos + 5),
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(pos + 17),
    recordCount: buf.readInt32BE(pos + 21),
    firstTimestamp: readInt64(buf, pos + 25),
    maxTimestamp: readInt64(buf, pos + 33),
    producerId: readInt64(buf, pos + 41),
    producerEpoch: buf.readInt16BE(pos + 49),
    baseSequence: buf.readInt32BE(pos + 51),
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTR_CONTROL) !== 0,
    deleteHorizonMs: (attributes & ATTR_DELETE_HORIZON) !== 0 ? readInt64(buf, pos + 25) : null,
  };
}

/** True when the CRC stored in the batch at `pos` (whole batch in `buf`) matches its bytes. */
export function batchCrcMatches(buf: Buffer, pos: number, size: number): boolean {
  return buf.readUInt32BE(pos + 5) === crc32(buf.subarray(pos + 9, pos + size));
}

/**
 * Decodes the records of a batch whose bytes are `buf[pos, pos + header.size)` and whose CRC the caller
 * has checked. Keys, values and header values are `subarray` views of `buf` (no copy). Throws a plain
 * Error naming the problem when the structure is inconsistent; the caller wraps it with location.
 */
export function decodeRecords(buf: Buffer, pos: number, header: BatchHeader): LogRecord[] {
  const end = pos + header.size;
  const n = header.recordCount;
  const records = new Array<LogRecord>(n);
  let p = pos + BATCH_HEADER_SIZE;
  let prevDelta = -1;
  for (let i = 0; i < n; i++) {
    if (p + RECORD_OVERHEAD > end) throw new Error(`record ${i} overruns the batch`);
    const offsetDelta = getInt32(buf, p);
    if (offsetDelta <= prevDelta || offsetDelta > header.lastOffset - header.baseOffset) {
      throw new Error(`record ${i} has offset delta ${offsetDelta} out of order`);
    }
    prevDelta = offsetDelta;
    const timestamp = header.firstTimestamp + (getInt32(buf, p + 4) * TWO_32 + (getInt32(buf, p + 8) >>> 0));
    p += 12;
    let len = getInt32(buf, p);
    p += 4;
    let key: Buffer | null = null;
    if (len >= 0) {
      if (p + len > end) throw new Error(`record ${i} key overruns the batch`);
      key = buf.subarray(p, (p += len));
    }
    // Value length and header count: byte loads past the buffer would read undefined, not throw.
    if (p + 8 > end) throw new Error(`record ${i} overruns the batch`);
    len = getInt32(buf, p);
    p += 4;
    let value: Buffer | null = null;
    if (len >= 0) {
      if (p + len > end) throw new Error(`record ${i} value overruns the batch`);
      value = buf.subarray(p, (p += len));
    }
    const headerCount = getInt32(buf, p);
    p += 4;
    let headers = EMPTY_HEADERS;
    if (headerCount !== 0) {
      headers = {};
      for (let h = 0; h < headerCount; h++) {
        if (p + 6 > end) throw new Error(`record ${i} header ${h} overruns the batch`);
        const nameLen = buf.readInt16BE(p);
        const name = buf.toString('utf8', p + 2, p + 2 + nameLen);
        p += 2 + nameLen;
        const valueLen = buf.readInt32BE(p);
        p += 4;
        if (valueLen < 0 || p + valueLen > end) throw new Error(`record ${i} header "${name}" overruns the batch`);
        setHeader(headers, name, buf.subarray(p, (p += valueLen)));
      }
    }
    records[i] = { offset: header.baseOffset + offsetDelta, timestamp, key, value, headers };
  }
  if (p !== end) throw new Error(`batch has ${end - p} trailing bytes after its ${n} records`);
  return records;
}

/** `headers[name] = value`, except that a header literally named `__proto__` must not set the prototype. */
function setHeader(headers: Headers, name: string, value: Buffer): void {
  if (name === '__proto__') {
    Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    headers[name] = value;
  }
}
