/**
 * How a data directory makes appended records durable (the `sync` behind every commit, issue 6): the
 * bytes each log gained since its last sync go into one commit-journal entry, and one fdatasync of the
 * journal makes the whole commit durable — instead of one fdatasync per partition log (a transaction
 * over 8 partitions fsynced 9 files, each also a file-system metadata commit since the file grew).
 *
 * A log syncs directly (its own segment fsyncs, as before the journal) when the journal cannot stand in:
 * more than {@link MAX_TAIL_BYTES} unsynced (a bulk load: one fsync of the segment is cheaper than
 * writing it all twice), a roll or a new segment file since its last sync (the directory must be
 * fsynced), a failed earlier sync, or after the journal itself failed.
 *
 * Invariant the recovery relies on: for every log, the bytes past its last completed segment fsync are
 * either in the journal, in order and contiguous, or were never acknowledged. Hence:
 * - checkpoint (the journal is full, or a topic is deleted): fsync every log the journal holds bytes of,
 *   on this thread so that no commit runs in between, then start a new journal generation;
 * - open (`replay`): append to each log the journaled batches it lost, fsync every log the journal
 *   names (what survived a SIGKILL may be in the page cache only), then start a new generation.
 */
import { ClosedError } from '../../core/errors.js';
import type { CommitJournal } from './commit-journal.js';
import type { DurablePartitionLog } from './durable-partition-log.js';
import type { JournalChunk } from './journal-entry-codec.js';

/** Larger unsynced tails are fsynced in their segment instead of copied into the journal. */
export const MAX_TAIL_BYTES = 1024 * 1024;

/** The commit journal of a data directory and the logs that write through it. */
export class JournaledSync {
  private readonly names = new WeakMap<DurablePartitionLog, { topic: string; partition: number }>();
  /** Logs with bytes in the journal that their segment files may not have on disk yet. */
  private readonly held = new Set<DurablePartitionLog>();
  /** The journal failed once (write or fdatasync error): every sync is direct from then on. */
  private failed = false;

  constructor(
    private readonly journal: CommitJournal,
    private readonly warn: (message: string) => void,
  ) {}

  /** Names a log for the journal's entries. Untracked logs always sync directly. */
  track(log: DurablePartitionLog, topic: string, partition: number): void {
    this.names.set(log, { topic, partition });
  }

  /** Makes everything appended to `logs` so far durable (closed logs are skipped). */
  async sync(logs: Iterable<DurablePartitionLog>): Promise<void> {
    const chunks: JournalChunk[] = [];
    const journaled: DurablePartitionLog[] = [];
    const direct: DurablePartitionLog[] = [];
    // One entry stays well inside a lap, so that a checkpoint always makes room for it.
    let room = Math.floor(this.journal.maxEntryBytes / 4);
    for (const log of logs) {
      if (!log.isOpen) continue;
      const name = this.names.get(log);
      const tail = name === undefined || this.failed ? null : log.takeJournalTail(Math.min(MAX_TAIL_BYTES, room));
      if (tail === null) direct.push(log);
      else if (tail.data.length > 0) {
        chunks.push({ topic: name!.topic, partition: name!.partition, baseOffset: tail.baseOffset, data: tail.data });
        journaled.push(log);
        room -= tail.data.length + name!.topic.length + 64;
      }
    }
    await Promise.all([...direct.map((log) => log.sync()), this.journalChunks(chunks, journaled)]);
  }

  /**
   * Fsyncs every log the journal holds bytes of and starts a new journal generation. Synchronous, so
   * that no append or commit slips in between. Before a topic is deleted (a topic created again under
   * the same name must never receive its predecessor's journaled batches) and when the journal is full.
   */
  checkpoint(): void {
    for (const log of this.held) log.syncNow();
    this.held.clear();
    this.journal.reset();
  }

  /**
   * At open, after every log was recovered: appends to each log the journaled batches it lost (their
   * segment fsync had not happened), fsyncs every log the journal names, starts a new generation.
   * Returns the number of batches restored.
   */
  replay(find: (topic: string, partition: number) => DurablePartitionLog | undefined): number {
    const named = new Set<DurablePartitionLog>();
    const stopped = new Set<DurablePartitionLog>();
    const missing = new Set<string>();
    let restored = 0;
    for (const entry of this.journal.readEntries()) {
      for (const chunk of entry) {
        const log = find(chunk.topic, chunk.partition);
        if (log === undefined) {
          missing.add(`topic "${chunk.topic}" partition ${chunk.partition}`);
          continue;
        }
        named.add(log);
        if (stopped.has(log)) continue;
        const { appended, problem } = log.replayBatches(chunk.data);
        restored += appended;
        if (appended > 0) this.warn(`topic "${chunk.topic}" partition ${chunk.partition}: restored ${appended} batch(es) from offset ${chunk.baseOffset} on from the commit journal`);
        if (problem !== null) {
          stopped.add(log);
          this.warn(`topic "${chunk.topic}" partition ${chunk.partition}: commit journal replay stopped: ${problem}`);
        }
      }
    }
    for (const what of missing) this.warn(`commit journal: ${what} no longer exists; its journaled batches are dropped`);
    for (const log of named) log.syncNow();
    this.journal.reset();
    return restored;
  }

  /** Waits for a journal fdatasync under way and closes the journal. */
  close(): Promise<void> {
    this.held.clear();
    return this.journal.close();
  }

  private async journalChunks(chunks: JournalChunk[], journaled: DurablePartitionLog[]): Promise<void> {
    try {
      if (chunks.length > 0) {
        for (const log of journaled) this.held.add(log);
        // Full: the checkpoint fsyncs these logs too (they are held), so this commit is durable without its entry.
        if (!this.journal.tryAppend(chunks)) this.checkpoint();
      }
      await this.journal.waitDurable();
    } catch (err) {
      // Closed with the broker, which synced every log directly before closing the journal.
      if (err instanceof ClosedError) return;
      // Not known durable through the journal; the bytes are still in the logs' dirty segments.
      if (!this.failed) this.warn(`commit journal failed (${(err as Error).message}); partition logs are synced directly from now on`);
      this.failed = true;
      await Promise.all(journaled.filter((log) => log.isOpen).map((log) => log.sync()));
    }
  }
}
