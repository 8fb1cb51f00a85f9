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
 *   names (what survived a SIGKILL may be in the page cache only); the new generation starts once
 *   recovery has judged the commit tokens of the old one (`finishRecovery`, or the first write).
 *
 * Commit tokens (one fdatasync per transactional commit): `reserve` hands out a token, the transaction
 * coordinator writes it into its PrepareCommit record, and `sync(logs, [token])` puts a seal of it into
 * the same entry as the logs' bytes — or, when a direct sync holds some of a commit's bytes, into a later
 * entry written once every direct sync under way has finished. A power cut may keep the PrepareCommit
 * bytes in their segment without the entry; recovery then asks `sealed(token)`: a token of the
 * generation found at open counts only when a valid entry seals it; a token of an earlier generation
 * always counts, because every generation switch comes after an fsync of every log (`checkpoint`,
 * `finishRecovery`), and the token's record and the commit's records were appended before it.
 */
import { ClosedError } from '../../core/errors.js';
import type { CommitJournal } from './commit-journal.js';
import type { DurablePartitionLog } from './durable-partition-log.js';
import { chunkDataLength, type JournalChunkInput, SEAL_TOPIC, sealChunk } from './journal-entry-codec.js';

/** Larger unsynced tails are fsynced in their segment instead of copied into the journal. */
export const MAX_TAIL_BYTES = 1024 * 1024;

/** A commit's reference to the journal entry that makes it durable (see the header). */
export interface CommitToken {
  /** The journal generation when the token was reserved. */
  generation: number;
  /** Unique within the generation. */
  id: number;
}

/** The commit journal of a data directory and the logs that write through it. */
export class JournaledSync {
  private readonly names = new WeakMap<DurablePartitionLog, { topic: string; partition: number }>();
  /** Every open log that writes through here: a checkpoint fsyncs them all (closed ones are dropped then). */
  private readonly tracked = new Set<DurablePartitionLog>();
  /** Logs with bytes in the journal that their segment files may not have on disk yet. */
  private readonly held = new Set<DurablePartitionLog>();
  /** The journal failed once (write or fdatasync error): every sync is direct from then on. */
  private failed = false;
  /** Direct syncs under way: a seal waits for them, since they may hold bytes of the sealed commit. */
  private readonly directInFlight = new Set<Promise<void>>();
  private nextTokenId = 1;
  /** What `replay` found: the generation at open and the token ids its valid entries seal. */
  private opened: { generation: number; seals: Set<number> } | null = null;
  /** `replay` kept the generation found at open (its tokens are still to be judged): switch before the next write. */
  private lapPending = false;

  constructor(
    private readonly journal: CommitJournal,
    private readonly warn: (message: string) => void,
  ) {}

  /** Names a log for the journal's entries. Untracked logs always sync directly. */
  track(log: DurablePartitionLog, topic: string, partition: number): void {
    this.names.set(log, { topic, partition });
    this.tracked.add(log);
  }

  /** A token for the next commit's PrepareCommit record; null once the journal failed (use a direct protocol then). */
  reserve(): CommitToken | null {
    if (this.failed) return null;
    this.startLap();
    return { generation: this.journal.currentGeneration, id: this.nextTokenId++ };
  }

  /**
   * At open, after the replay: whether the commit that wrote `token` was durable when the broker went
   * down — sealed by a valid entry of the generation found, or of an earlier generation (see the header).
   */
  sealed(token: CommitToken): boolean {
    const o = this.opened;
    return o === null || token.generation !== o.generation || o.seals.has(token.id);
  }

  /**
   * At open, once recovery has judged the old generation's tokens: starts the new generation. With
   * `syncAll`, fsyncs every log first (a checkpoint), which makes recovery's own decisions durable —
   * needed when it aborted a transaction whose unsealed PrepareCommit may still be on disk: past the
   * switch, that record would count as durable.
   */
  finishRecovery(syncAll: boolean): void {
    if (syncAll) this.checkpoint();
    else this.startLap();
  }

  /**
   * Makes everything appended to `logs` so far durable (closed logs are skipped), and seals `seals`
   * (tokens whose commits appended everything before this call). Resolves true when the seals are
   * durable; false when they could not be written (the journal failed or closed: the logs were synced
   * directly, but recovery will not count the tokens — the caller must make its commit durable another way).
   */
  async sync(logs: Iterable<DurablePartitionLog>, seals: readonly CommitToken[] = []): Promise<boolean> {
    const chunks: JournalChunkInput[] = [];
    const journaled: DurablePartitionLog[] = [];
    const direct: DurablePartitionLog[] = [];
    // One entry stays well inside a lap, so that a checkpoint always makes room for it.
    let room = Math.floor(this.journal.maxEntryBytes / 4);
    for (const log of logs) {
      if (!log.isOpen) continue;
      const name = this.names.get(log);
      const tail = name === undefined || this.failed ? null : log.takeJournalTail(Math.min(MAX_TAIL_BYTES, room));
      if (tail === null) direct.push(log);
      else {
        const bytes = chunkDataLength(tail.data);
        if (bytes === 0) continue;
        chunks.push({ topic: name!.topic, partition: name!.partition, baseOffset: tail.baseOffset, data: tail.data });
        journaled.push(log);
        room -= bytes + name!.topic.length + 64;
      }
    }
    const directs = direct.map((log) => this.trackDirect(log.sync()));
    if (seals.length === 0) {
      await Promise.all([...directs, this.journalChunks(chunks, journaled)]);
      return true;
    }
    const before = [...this.directInFlight];
    // No direct sync holds bytes of these commits: the seal goes into the same entry (one fdatasync in all).
    if (before.length === 0) return this.journalChunks([...chunks, ...this.sealChunks(seals)], journaled);
    // Otherwise the seal may only be written once those fsyncs are done: a second entry.
    const [, journaledOk] = await Promise.all([Promise.all(directs), this.journalChunks(chunks, journaled)]);
    const settled = await Promise.allSettled(before);
    if (!journaledOk || settled.some((r) => r.status === 'rejected')) return false;
    return this.journalChunks(this.sealChunks(seals), []);
  }

  /**
   * Fsyncs every log the journal holds bytes of and starts a new journal generation. Synchronous, so
   * that no append or commit slips in between. Before a topic is deleted (a topic created again under
   * the same name must never receive its predecessor's journaled batches) and when the journal is full.
   */
  checkpoint(): void {
    // Every log, not only the held ones: a commit token reserved before the switch counts as durable after it.
    for (const log of this.tracked) {
      if (log.isOpen) log.syncNow();
      else this.tracked.delete(log);
    }
    this.held.clear();
    this.lapPending = false;
    this.journal.reset();
  }

  /**
   * At open, after every log was recovered: appends to each log the journaled batches it lost (their
   * segment fsync had not happened), fsyncs every log the journal names, and notes the seals found for
   * `sealed`. The new generation starts at `finishRecovery` (or the first write): until recovery has
   * judged the tokens, a crash must find the same entries again. Returns the number of batches restored.
   */
  replay(find: (topic: string, partition: number) => DurablePartitionLog | undefined): number {
    const named = new Set<DurablePartitionLog>();
    const stopped = new Set<DurablePartitionLog>();
    const missing = new Set<string>();
    const seals = new Set<number>();
    let restored = 0;
    for (const entry of this.journal.readEntries()) {
      for (const chunk of entry) {
        if (chunk.topic === SEAL_TOPIC) {
          seals.add(chunk.baseOffset);
          continue;
        }
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
    this.opened = { generation: this.journal.currentGeneration, seals };
    this.lapPending = true;
    return restored;
  }

  /** Waits for a journal fdatasync under way and closes the journal. */
  close(): Promise<void> {
    this.held.clear();
    return this.journal.close();
  }

  /** Starts the generation after the one found at open, once (replayed entries stay valid until then). */
  private startLap(): void {
    if (!this.lapPending) return;
    this.lapPending = false;
    this.journal.reset();
  }

  private trackDirect(sync: Promise<void>): Promise<void> {
    this.directInFlight.add(sync);
    const done = () => this.directInFlight.delete(sync);
    sync.then(done, done);
    return sync;
  }

  /** Seals of the tokens of the current generation; older ones became durable at the switch. */
  private sealChunks(tokens: readonly CommitToken[]): JournalChunkInput[] {
    const generation = this.journal.currentGeneration;
    return tokens.filter((t) => t.generation === generation).map((t) => sealChunk(t.id));
  }

  /** True when `chunks` are durable through the journal (or a checkpoint); false when the journal failed or closed. */
  private async journalChunks(chunks: JournalChunkInput[], journaled: DurablePartitionLog[]): Promise<boolean> {
    try {
      this.startLap();
      if (chunks.length > 0) {
        for (const log of journaled) this.held.add(log);
        // Full: the checkpoint fsyncs these logs too (they are held), so this commit is durable without its entry.
        if (!this.journal.tryAppend(chunks)) this.checkpoint();
      }
      await this.journal.waitDurable();
      return true;
    } catch (err) {
      // Closed with the broker, which synced every log directly before closing the journal.
      if (err instanceof ClosedError) return false;
      // Not known durable through the journal; the bytes are still in the logs' dirty segments.
      if (!this.failed) this.warn(`commit journal failed (${(err as Error).message}); partition logs are synced directly from now on`);
      this.failed = true;
      await Promise.all(journaled.filter((log) => log.isOpen).map((log) => this.trackDirect(log.sync())));
      return false;
    }
  }
}
