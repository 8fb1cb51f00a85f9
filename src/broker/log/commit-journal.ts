/**
 * The broker's commit journal: one file that makes a commit durable with a single fdatasync, instead of
 * one per partition log it wrote (issue 6). Each journaled sync appends one entry holding the bytes every
 * log gained since its last sync (format in `journal-entry-codec.ts`); the segment files are fsynced
 * later, at a checkpoint. `journaled-sync.ts` decides what goes here; this file only keeps the file.
 *
 * Why it is cheap: the file is zero-filled ahead of the writes and then reused round and round, so an
 * fdatasync after an entry writes data blocks only — no file size or block allocation to journal in the
 * file system, which is what makes an fdatasync after an append several times slower on ext4.
 *
 * Laps: when an entry does not fit before `capacityBytes`, the owner checkpoints (fsyncs every log the
 * journal holds bytes of) and calls `reset`: a new generation in the header, entries again from the
 * start. Entries of older generations no longer count, so the stale bytes behind the new ones end the
 * replay, as zeros or a torn entry do.
 *
 * Group commit: `waitDurable` resolves once an fdatasync that started after the caller's entry was
 * written has finished; committers of the same tick share one fdatasync.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ClosedError } from '../../core/errors.js';
import {
  DATA_START,
  decodeEntryBody,
  decodeHeader,
  encodeEntry,
  encodeHeader,
  ENTRY_HEADER_SIZE,
  entryBodyLength,
  HEADER_SIZE,
  type JournalChunk,
  type JournalChunkInput,
} from './journal-entry-codec.js';
import { tryFsyncDir } from './log-start-checkpoint.js';

/** Options of {@link CommitJournal.open}. */
export interface CommitJournalOptions {
  /** Size the file grows to and is then reused within. Default 64 MiB. */
  capacityBytes?: number;
  /** Told about a damaged header or a torn last entry. */
  warn: (message: string) => void;
}

const DEFAULT_CAPACITY = 64 * 1024 * 1024;
/** The file is zero-filled this far ahead of the write position, one step at a time. */
const ZERO_STEP = 4 * 1024 * 1024;
const ZEROS = Buffer.alloc(1024 * 1024);
/** Recent fdatasyncs quicker than this on average: the next runs on the calling thread (see `waitDurable`). */
const INLINE_SYNC_MS = 1;

/**
 * The journal file of one data directory.
 *
 * @example
 * const journal = CommitJournal.open(path.join(dataDir, 'commit.journal'), { warn: console.warn });
 * for (const entry of journal.readEntries()) replay(entry);
 * journal.reset();
 * if (journal.tryAppend(chunks)) await journal.waitDurable();
 */
export class CommitJournal {
  /** Where the next entry goes. */
  private position = DATA_START;
  /** The file holds initialized blocks (zeros or old entries) up to here. */
  private zeroedTo: number;
  /** Entries appended / made durable so far (a counter, not a position: it survives laps). */
  private writtenSeq = 0;
  private durableSeq = 0;
  private flushing: Promise<void> | null = null;
  /** A moving average of recent fdatasync times, deciding where the next one runs (see `waitDurable`). */
  private recentSyncMs = 0;
  private closed = false;

  private constructor(
    readonly file: string,
    private fd: number,
    private generation: number,
    readonly capacityBytes: number,
    private readonly warn: (message: string) => void,
  ) {
    this.zeroedTo = fs.fstatSync(fd).size;
  }

  /** Opens or creates the journal; a damaged header (only ever written after a full checkpoint) empties it. */
  static open(file: string, opts: CommitJournalOptions): CommitJournal {
    const capacity = opts.capacityBytes ?? DEFAULT_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < DATA_START * 2) {
      throw new RangeError(`commit journal capacity must be an integer >= ${DATA_START * 2}, got ${capacity}`);
    }
    const existed = fs.existsSync(file);
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    try {
      const head = Buffer.alloc(HEADER_SIZE);
      const n = existed ? fs.readSync(fd, head, 0, HEADER_SIZE, 0) : 0;
      let generation = existed ? decodeHeader(head.subarray(0, n)) : 'new';
      if (typeof generation === 'string') {
        if (existed) opts.warn(`commit journal ${file}: ${generation}; starting it empty (a header is only rewritten after every log was fsynced)`);
        fs.ftruncateSync(fd, 0);
        writeAll(fd, encodeHeader(1), 0);
        fs.fdatasyncSync(fd);
        tryFsyncDir(path.dirname(file));
        generation = 1;
      }
      return new CommitJournal(file, fd, generation, capacity, opts.warn);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
  }

  /** The valid entries of the current generation, oldest first (each a list of chunks). */
  readEntries(): JournalChunk[][] {
    this.ensureOpen();
    const entries: JournalChunk[][] = [];
    const head = Buffer.alloc(ENTRY_HEADER_SIZE);
    let pos = DATA_START;
    for (;;) {
      if (pos + ENTRY_HEADER_SIZE > this.capacityBytes || readAt(this.fd, head, pos) < ENTRY_HEADER_SIZE) break;
      const length = entryBodyLength(head, this.generation);
      if (length === null) break;
      if (pos + ENTRY_HEADER_SIZE + length > this.capacityBytes) {
        this.warn(`commit journal ${this.file}: entry at ${pos} claims ${length} bytes, past the capacity; ignoring it and what follows`);
        break;
      }
      const body = Buffer.allocUnsafe(length);
      const chunks = readAt(this.fd, body, pos + ENTRY_HEADER_SIZE) < length ? 'entry is cut short (torn write)' : decodeEntryBody(head, body);
      if (typeof chunks === 'string') {
        this.warn(`commit journal ${this.file}: entry at ${pos}: ${chunks}; it was never acknowledged, ignoring it`);
        break;
      }
      entries.push(chunks);
      pos += ENTRY_HEADER_SIZE + length;
    }
    this.position = pos;
    return entries;
  }

  /** The current lap's generation: entries written now carry it. */
  get currentGeneration(): number {
    return this.generation;
  }

  /** Bytes an entry of these chunks takes; `tryAppend` fits one of up to `capacityBytes - 4096` after a reset. */
  get maxEntryBytes(): number {
    return this.capacityBytes - DATA_START;
  }

  /**
   * Writes one entry (synchronously, so entries keep the order of the calls) and returns true; false,
   * writing nothing, when it does not fit before the capacity — checkpoint, `reset`, and try again.
   * Not durable until `waitDurable` resolves.
   */
  tryAppend(chunks: readonly JournalChunkInput[]): boolean {
    this.ensureOpen();
    const { pieces, size } = encodeEntry(this.generation, chunks);
    const end = this.position + size;
    if (end > this.capacityBytes) return false;
    this.zeroFillTo(end);
    writeAllv(this.fd, pieces, size, this.position);
    this.position = end;
    this.writtenSeq++;
    return true;
  }

  /**
   * Resolves when every entry appended before the call is durable. Entries appended in the same tick
   * share one fdatasync (the wait first yields to the microtask queue so that they can join), and a
   * caller arriving while one is under way waits for it and, if its entry came later, the next.
   *
   * The fdatasync runs on the calling thread while recent ones took less than {@link INLINE_SYNC_MS}:
   * a commit waits for it anyway, and the thread-pool round trip (hand-off, wake-up, callback) added a
   * fifth to each commit's time. A slow disk would stall everything else in the process for as long,
   * so past that bound it goes to the thread pool until the disk is quick again.
   */
  async waitDurable(): Promise<void> {
    const target = this.writtenSeq;
    if (this.durableSeq >= target) return;
    await Promise.resolve();
    while (this.durableSeq < target) {
      this.ensureOpen();
      if (this.flushing === null && this.recentSyncMs < INLINE_SYNC_MS) {
        const upTo = this.writtenSeq;
        const started = performance.now();
        fs.fdatasyncSync(this.fd);
        this.noteSync(performance.now() - started, upTo);
        continue;
      }
      if (this.flushing === null) {
        const upTo = this.writtenSeq;
        const fd = this.fd;
        const started = performance.now();
        this.flushing = new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())))
          .then(() => this.noteSync(performance.now() - started, upTo))
          .finally(() => {
            this.flushing = null;
          });
      }
      await this.flushing;
    }
  }

  /** Records a finished fdatasync that made entries up to `upTo` durable, and how long it took. */
  private noteSync(ms: number, upTo: number): void {
    this.recentSyncMs = 0.8 * this.recentSyncMs + 0.2 * ms;
    if (upTo > this.durableSeq) this.durableSeq = upTo;
  }

  /**
   * Starts a new lap: a new generation in the header (fdatasynced), entries again from the start. The
   * caller must have made everything the journal holds durable elsewhere first (the checkpoint).
   */
  reset(): void {
    this.ensureOpen();
    this.generation = (this.generation + 1) >>> 0 || 1;
    writeAll(this.fd, encodeHeader(this.generation), 0);
    fs.fdatasyncSync(this.fd);
    this.position = DATA_START;
    this.durableSeq = this.writtenSeq;
  }

  /** Waits for an fdatasync under way, then closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flushing?.catch(() => undefined);
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Initializes the file up to `end` with zeros, a step at a time, so that later fdatasyncs change no metadata. */
  private zeroFillTo(end: number): void {
    if (end <= this.zeroedTo) return;
    const target = Math.min(this.capacityBytes, Math.max(end, this.zeroedTo + ZERO_STEP));
    for (let pos = this.zeroedTo; pos < target; pos += ZEROS.length) writeAll(this.fd, ZEROS.subarray(0, Math.min(ZEROS.length, target - pos)), pos);
    this.zeroedTo = target;
  }

  private ensureOpen(): void {
    if (this.closed) throw new ClosedError(`commit journal ${this.file}`);
  }
}

function readAt(fd: number, buf: Buffer, position: number): number {
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

function writeAll(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
}

/** One `writev`; a short write (rare on a regular file) finishes with plain writes of what is left. */
function writeAllv(fd: number, pieces: Buffer[], size: number, position: number): void {
  let done = fs.writevSync(fd, pieces, position);
  if (done === size) return;
  for (const piece of pieces) {
    if (done >= piece.length) {
      done -= piece.length;
      position += piece.length;
      continue;
    }
    writeAll(fd, piece.subarray(done), position + done);
    position += piece.length;
    done = 0;
  }
}
