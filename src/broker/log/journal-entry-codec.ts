/**
 * The byte format of the commit journal (`commit-journal.ts`).
 *
 * Header, at position 0 (the rest of the first 4 KiB is unused):
 * ```
 * 0  u32 magic 'TRJH'   4  u32 version (1)   8  u32 generation   12  u32 CRC-32 of bytes 0..11
 * ```
 * Entries, back to back from position 4096; one entry per journaled sync:
 * ```
 * 0  u32 magic 'TRJE'   4  u32 generation   8  u32 body length   12  u32 CRC-32 of bytes 0..11 and the body
 * body: u16 chunk count, then per chunk:
 *   u16 topic length, topic (UTF-8), u32 partition, f64 base offset, u32 data length, data (whole batches)
 * ```
 * An entry counts only when its magic, generation (the header's) and CRC all match: zeros, a torn write
 * and an entry of an earlier lap round the file all fail one of them, and the journal ends there.
 *
 * Two entry kinds differ only in what the CRC covers. 'TRJE': bytes 0..11 and the whole body. 'TRJB'
 * (written whenever every chunk's data is whole record batches, which is what logs hand over): bytes
 * 0..11, the chunk count, every chunk's fields, and of each batch only the 9 bytes its own CRC does not
 * cover (length, magic, CRC; `record-batch-codec.ts`) — a reader then checks every batch's CRC too, so a
 * torn write anywhere still fails the entry. The batch CRCs were computed when the batches were
 * appended, so a commit does not checksum its data a second time.
 *
 * Seals: a chunk with the empty topic name (never a topic's: names are validated) and no data is a
 * seal — its base offset is the id of a commit token (`journaled-sync.ts`): "everything the token's
 * commit wrote was durable, or in this entry or an earlier one, when this entry was written". Journals
 * without seals read the same, and a reader that does not know seals skips them as an unknown topic.
 */
import { crc32 } from 'node:zlib';
import { batchCrcMatches, peekBatchSize } from './record-batch-codec.js';

export const HEADER_MAGIC = 0x54524a48;
/** 'TRJE': the CRC covers the whole body. */
export const ENTRY_MAGIC = 0x54524a45;
/** 'TRJB': the CRC covers the body's framing and batch prefixes; the batches' own CRCs cover the rest. */
export const ENTRY_MAGIC_BATCHES = 0x54524a42;
/** Bytes at the start of a record batch that its own CRC does not cover. */
const BATCH_UNCOVERED = 9;
export const JOURNAL_VERSION = 1;
export const HEADER_SIZE = 16;
export const DATA_START = 4096;
export const ENTRY_HEADER_SIZE = 16;

/** The bytes one log handed to the journal: whole batches, the first at `baseOffset`. */
export interface JournalChunk {
  topic: string;
  partition: number;
  baseOffset: number;
  data: Buffer;
}

/** A chunk to write: its data may come in pieces (the batches as the log appended them), written without copying. */
export interface JournalChunkInput {
  topic: string;
  partition: number;
  baseOffset: number;
  data: Buffer | readonly Buffer[];
}

/** Bytes of a chunk's data, whole or in pieces. */
export function chunkDataLength(data: Buffer | readonly Buffer[]): number {
  if (Buffer.isBuffer(data)) return data.length;
  let n = 0;
  for (const piece of data as readonly Buffer[]) n += piece.length;
  return n;
}

/** The topic name of a seal chunk (see the header). */
export const SEAL_TOPIC = '';

/** A seal chunk for commit token `id`. */
export function sealChunk(id: number): JournalChunk {
  return { topic: SEAL_TOPIC, partition: 0, baseOffset: id, data: Buffer.alloc(0) };
}

/** The header block: magic, version, generation, CRC. */
export function encodeHeader(generation: number): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE);
  buf.writeUInt32BE(HEADER_MAGIC, 0);
  buf.writeUInt32BE(JOURNAL_VERSION, 4);
  buf.writeUInt32BE(generation >>> 0, 8);
  buf.writeUInt32BE(crc32(buf.subarray(0, 12)), 12);
  return buf;
}

/** The generation of a valid header, or a reason it is not one. */
export function decodeHeader(buf: Buffer): number | string {
  if (buf.length < HEADER_SIZE) return `header is ${buf.length} bytes, expected ${HEADER_SIZE}`;
  if (buf.readUInt32BE(0) !== HEADER_MAGIC) return 'bad header magic';
  if (buf.readUInt32BE(12) !== crc32(buf.subarray(0, 12))) return 'header CRC mismatch';
  if (buf.readUInt32BE(4) !== JOURNAL_VERSION) return `unknown journal version ${buf.readUInt32BE(4)}`;
  return buf.readUInt32BE(8);
}

/**
 * One entry as a list of buffers for a single `writev` (the chunks' data are not copied), and its size.
 * A 'TRJB' entry when every piece of data is whole batches, else a 'TRJE' one (see the header).
 */
export function encodeEntry(generation: number, chunks: readonly JournalChunkInput[]): { pieces: Buffer[]; size: number } {
  if (chunks.length > 0xffff) throw new RangeError(`a journal entry holds at most 65535 chunks, got ${chunks.length}`);
  const head = Buffer.alloc(ENTRY_HEADER_SIZE + 2);
  const pieces: Buffer[] = [head];
  /** Which of `pieces` are chunk data (the rest is framing, always checksummed). */
  const isData: boolean[] = [false];
  let bodyLength = 2;
  let wholeBatches = true;
  head.writeUInt16BE(chunks.length, ENTRY_HEADER_SIZE);
  for (const c of chunks) {
    const data = Buffer.isBuffer(c.data) ? [c.data] : (c.data as readonly Buffer[]);
    const dataLength = chunkDataLength(c.data);
    const topic = Buffer.from(c.topic, 'utf8');
    const meta = Buffer.alloc(2 + topic.length + 4 + 8 + 4);
    let at = meta.writeUInt16BE(topic.length, 0);
    at += topic.copy(meta, at);
    at = meta.writeUInt32BE(c.partition, at);
    at = meta.writeDoubleBE(c.baseOffset, at);
    meta.writeUInt32BE(dataLength, at);
    pieces.push(meta);
    isData.push(false);
    for (const piece of data) {
      if (wholeBatches && !isWholeBatches(piece)) wholeBatches = false;
      pieces.push(piece);
      isData.push(true);
    }
    bodyLength += meta.length + dataLength;
  }
  head.writeUInt32BE(wholeBatches ? ENTRY_MAGIC_BATCHES : ENTRY_MAGIC, 0);
  head.writeUInt32BE(generation >>> 0, 4);
  head.writeUInt32BE(bodyLength, 8);
  let crc = crc32(head.subarray(0, 12));
  crc = crc32(head.subarray(ENTRY_HEADER_SIZE), crc);
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i]!;
    crc = wholeBatches && isData[i] ? crcOfBatchPrefixes(piece, 0, piece.length, crc) : crc32(piece, crc);
  }
  head.writeUInt32BE(crc, 12);
  return { pieces, size: ENTRY_HEADER_SIZE + bodyLength };
}

/** True when `buf` splits exactly into record batches by their length prefixes. */
function isWholeBatches(buf: Buffer): boolean {
  let pos = 0;
  while (pos < buf.length) {
    if (buf.length - pos < BATCH_UNCOVERED) return false;
    const size = peekBatchSize(buf, pos);
    if (typeof size === 'string' || pos + size > buf.length) return false;
    pos += size;
  }
  return true;
}

/** Continues `crc` over the uncovered prefix of every batch in `buf[from, to)` (whole batches). */
function crcOfBatchPrefixes(buf: Buffer, from: number, to: number, crc: number): number {
  for (let pos = from; pos < to; pos += buf.readInt32BE(pos) + 4) crc = crc32(buf.subarray(pos, pos + BATCH_UNCOVERED), crc);
  return crc;
}

/** The body length of the entry whose 16-byte header is `head`, or null when it is not an entry of `generation`. */
export function entryBodyLength(head: Buffer, generation: number): number | null {
  if (head.length < ENTRY_HEADER_SIZE || head.readUInt32BE(4) !== generation >>> 0) return null;
  const magic = head.readUInt32BE(0);
  if (magic !== ENTRY_MAGIC && magic !== ENTRY_MAGIC_BATCHES) return null;
  return head.readUInt32BE(8);
}

/** The chunks of an entry (`head` as read, `body` of the length it gives), or a reason it is damaged. */
export function decodeEntryBody(head: Buffer, body: Buffer): JournalChunk[] | string {
  const batches = head.readUInt32BE(0) === ENTRY_MAGIC_BATCHES;
  let crc = crc32(head.subarray(0, 12));
  if (!batches) {
    crc = crc32(body, crc);
    if (crc !== head.readUInt32BE(12)) return 'entry CRC mismatch (torn write)';
  }
  const chunks: JournalChunk[] = [];
  try {
    const count = body.readUInt16BE(0);
    let at = 2;
    for (let i = 0; i < count; i++) {
      const metaStart = at;
      const topicLength = body.readUInt16BE(at);
      const topic = body.toString('utf8', at + 2, at + 2 + topicLength);
      at += 2 + topicLength;
      const partition = body.readUInt32BE(at);
      const baseOffset = body.readDoubleBE(at + 4);
      const length = body.readUInt32BE(at + 12);
      at += 16;
      if (at + length > body.length) return `chunk ${i} runs past the end of the entry`;
      const data = body.subarray(at, at + length);
      if (batches) {
        // Framing first (the count with chunk 0's fields), then each batch's prefix and its own CRC.
        crc = crc32(body.subarray(i === 0 ? 0 : metaStart, at), crc);
        const problem = checkBatches(data);
        if (problem !== null) return `chunk ${i}: ${problem} (torn write)`;
        crc = crcOfBatchPrefixes(data, 0, data.length, crc);
      }
      chunks.push({ topic, partition, baseOffset, data });
      at += length;
    }
    if (at !== body.length) return `${body.length - at} bytes follow the last chunk`;
    if (batches && count === 0) crc = crc32(body.subarray(0, 2), crc);
  } catch (err) {
    return `entry body is malformed (${(err as Error).message})`;
  }
  if (batches && crc !== head.readUInt32BE(12)) return 'entry CRC mismatch (torn write)';
  return chunks;
}

/** Null when `data` is whole batches, each with a matching CRC; else what is wrong. */
function checkBatches(data: Buffer): string | null {
  for (let pos = 0; pos < data.length; ) {
    if (data.length - pos < BATCH_UNCOVERED) return `a batch header is cut short at ${pos}`;
    const size = peekBatchSize(data, pos);
    if (typeof size === 'string') return `batch at ${pos}: ${size}`;
    if (pos + size > data.length) return `batch at ${pos} runs past its chunk`;
    if (!batchCrcMatches(data, pos, size)) return `batch at ${pos}: CRC mismatch`;
    pos += size;
  }
  return null;
}
