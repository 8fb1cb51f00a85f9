/**
 * Topics kept under a data directory:
 *
 * ```
 * <dataDir>/topics/<topic>/topic.json       {"partitions": n, "config": {...overrides}, "internal": false}
 * <dataDir>/topics/<topic>/<partition>/     one DurablePartitionLog per partition
 * <dataDir>/deleted/<topic>.deleted-<ts>/   a deleted topic on its way out
 * <dataDir>/commit.journal                  the commit journal (log/commit-journal.ts)
 * ```
 *
 * Records become durable through the commit journal (`log/journaled-sync.ts`): one fdatasync per
 * commit, segment files fsynced at checkpoints. On open, after every log is recovered, the journal is
 * replayed into them. A topic is deleted only after a checkpoint, so the journal never names a topic
 * that could be created again.
 *
 * Topic metadata is crash-safe by ordering, not through the journal:
 * - create: partition folders first, `topic.json` last (temp file + fsync + rename + fsync of the folder).
 *   A topic folder without `topic.json` is an interrupted create and is removed on open.
 * - add partitions: new partition folders first, then `topic.json` with the new count. Folders past the
 *   recorded count are an interrupted add (never visible, so empty) and are removed on open.
 * - delete: one rename of the topic folder into `deleted/` (atomic), then the removal. Whatever is in
 *   `deleted/` on open is finished off. Deleted folders live outside `topics/` because `.deleted-<ts>`
 *   is itself a legal topic-name suffix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TributaryError } from '../core/errors.js';
import { CommitJournal } from './log/commit-journal.js';
import { acquireDataDirLock, type DataDirLock } from './log/data-dir-lock.js';
import { DurablePartitionLog } from './log/durable-partition-log.js';
import { type CommitToken, JournaledSync } from './log/journaled-sync.js';
import type { PartitionLog } from './log/partition-log.js';
import { effectiveTopicConfig, type TopicConfigDefaults } from './topic-config.js';
import { validateTopicName } from './topic-name.js';
import type { CommitTokens, StoredTopic, TopicMeta, TopicStorage } from './topic-storage.js';
import { tryFsyncDir } from './log/log-start-checkpoint.js';

const META_FILE = 'topic.json';
const JOURNAL_FILE = 'commit.journal';

/** What a durable storage takes from its broker. */
export interface DurableTopicStorageOptions {
  defaults: TopicConfigDefaults;
  warn: (message: string) => void;
  /** Capacity of the commit journal (default 64 MiB); tests make it small to exercise its laps. */
  journalBytes?: number;
}

/** Topics as folders under `<dataDir>/topics/`, with the crash-safety rules of this file's header. */
export class DurableTopicStorage implements TopicStorage {
  private readonly topicsDir: string;
  private readonly deletedDir: string;
  private readonly removals = new Set<Promise<void>>();
  private readonly journal: JournaledSync;
  readonly commitTokens: CommitTokens;

  private constructor(
    private readonly dataDir: string,
    private readonly lock: DataDirLock,
    private readonly opts: DurableTopicStorageOptions,
  ) {
    this.topicsDir = path.join(dataDir, 'topics');
    this.deletedDir = path.join(dataDir, 'deleted');
    const file = CommitJournal.open(path.join(dataDir, JOURNAL_FILE), { capacityBytes: opts.journalBytes, warn: opts.warn });
    const journal = (this.journal = new JournaledSync(file, opts.warn));
    this.commitTokens = {
      reserve: () => journal.reserve(),
      sealed: (token) => journal.sealed(token),
      finishRecovery: (syncAll) => journal.finishRecovery(syncAll),
      checkpoint: () => journal.checkpoint(),
    };
  }

  /** Locks `dataDir` (DataDirLockedError when another broker holds it) and prepares its folders. */
  static open(dataDir: string, opts: DurableTopicStorageOptions): DurableTopicStorage {
    fs.mkdirSync(dataDir, { recursive: true });
    const lock = acquireDataDirLock(dataDir);
    if (lock.warning !== undefined) opts.warn(lock.warning);
    let storage: DurableTopicStorage | undefined;
    try {
      storage = new DurableTopicStorage(dataDir, lock, opts);
      fs.mkdirSync(storage.topicsDir, { recursive: true });
      fs.mkdirSync(storage.deletedDir, { recursive: true });
      for (const leftover of fs.readdirSync(storage.deletedDir)) storage.removeInBackground(path.join(storage.deletedDir, leftover));
      return storage;
    } catch (err) {
      void storage?.journal.close();
      lock.release();
      throw err;
    }
  }

  loadTopics(): StoredTopic[] {
    const topics: StoredTopic[] = [];
    try {
      this.loadInto(topics);
      const byName = new Map(topics.map((t) => [t.name, t.logs]));
      this.journal.replay((topic, partition) => byName.get(topic)?.[partition] as DurablePartitionLog | undefined);
      return topics;
    } catch (err) {
      // Open fails as a whole: close what was opened so that no file stays open behind the error.
      for (const topic of topics) for (const log of topic.logs) log.close();
      throw err;
    }
  }

  private loadInto(topics: StoredTopic[]): void {
    for (const entry of fs.readdirSync(this.topicsDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const name = entry.name;
      const dir = path.join(this.topicsDir, name);
      try {
        validateTopicName(name);
      } catch {
        this.opts.warn(`data dir ${this.dataDir}: ignoring ${dir}, which is not a topic folder`);
        continue;
      }
      const meta = this.readMeta(name);
      if (meta === null) {
        this.opts.warn(`topic "${name}": no ${META_FILE} (interrupted create); removing ${dir}`);
        this.discard(name, dir, false); // before the journal replay, which skips the topic's entries
        continue;
      }
      this.removeExtraPartitions(name, meta.partitions);
      topics.push({ name, ...meta, logs: this.openLogs(name, meta, 0) });
    }
  }

  createTopic(name: string, meta: TopicMeta): PartitionLog[] {
    const dir = this.topicDir(name);
    if (fs.existsSync(dir)) this.discard(name, dir); // a stale folder the registry does not know: never reuse its data
    fs.mkdirSync(dir, { recursive: true });
    let logs: PartitionLog[] = [];
    try {
      logs = this.openLogs(name, meta, 0);
      this.writeMeta(name, meta);
      tryFsyncDir(this.topicsDir);
      return logs;
    } catch (err) {
      for (const log of logs) log.close();
      this.discard(name, dir);
      throw err;
    }
  }

  addPartitions(name: string, meta: TopicMeta, fromPartition: number): PartitionLog[] {
    const logs = this.openLogs(name, meta, fromPartition);
    try {
      this.writeMeta(name, meta);
      return logs;
    } catch (err) {
      for (const log of logs) log.close();
      throw err;
    }
  }

  deleteTopic(name: string): void {
    this.discard(name, this.topicDir(name));
  }

  syncLogs(logs: readonly PartitionLog[], seals?: readonly CommitToken[]): Promise<boolean> {
    return this.journal.sync(logs as readonly DurablePartitionLog[], seals);
  }

  async close(): Promise<void> {
    try {
      await this.journal.close();
      while (this.removals.size > 0) await Promise.all([...this.removals]);
    } finally {
      this.lock.release();
    }
  }

  private topicDir(name: string): string {
    return path.join(this.topicsDir, name);
  }

  private openLogs(name: string, meta: TopicMeta, fromPartition: number): PartitionLog[] {
    const segmentBytes = Number(effectiveTopicConfig(meta.config, this.opts.defaults)['segment.bytes']);
    const logs: PartitionLog[] = [];
    try {
      for (let p = fromPartition; p < meta.partitions; p++) {
        const dir = path.join(this.topicDir(name), String(p));
        fs.mkdirSync(dir, { recursive: true });
        const log = DurablePartitionLog.open(dir, {
          segmentBytes,
          onWarning: (msg) => this.opts.warn(`topic "${name}" partition ${p}: ${msg}`),
        });
        logs.push(log);
        this.journal.track(log, name, p);
      }
      return logs;
    } catch (err) {
      for (const log of logs) log.close();
      throw err;
    }
  }

  private readMeta(name: string): TopicMeta | null {
    const file = path.join(this.topicDir(name), META_FILE);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      const raw = JSON.parse(text) as Partial<TopicMeta>;
      if (!Number.isInteger(raw.partitions) || raw.partitions! < 1) throw new Error('partitions is not an integer >= 1');
      if (raw.config === null || typeof raw.config !== 'object') throw new Error('config is not an object');
      return { partitions: raw.partitions!, config: { ...raw.config }, internal: raw.internal === true };
    } catch (err) {
      // topic.json is only ever replaced by rename, so a bad one is damage from outside: refuse, keep the data.
      throw new TributaryError('CORRUPT_TOPIC_METADATA', `topic "${name}": ${file} is unreadable (${(err as Error).message}); fix or remove it`, {
        cause: err,
      });
    }
  }

  private writeMeta(name: string, meta: TopicMeta): void {
    const dir = this.topicDir(name);
    const tmp = path.join(dir, `${META_FILE}.tmp`);
    const body = JSON.stringify({ partitions: meta.partitions, config: meta.config, internal: meta.internal }, null, 2);
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, body);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(dir, META_FILE));
    tryFsyncDir(dir);
  }

  private removeExtraPartitions(name: string, partitions: number): void {
    for (const entry of fs.readdirSync(this.topicDir(name), { withFileTypes: true })) {
      if (!entry.isDirectory() || !/^\d+$/.test(entry.name) || Number(entry.name) < partitions) continue;
      const dir = path.join(this.topicDir(name), entry.name);
      this.opts.warn(`topic "${name}": partition folder ${dir} is past the recorded ${partitions} partitions (interrupted createPartitions); removing it`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Step 1: atomically move the folder out of `topics/`; step 2: remove it without blocking the caller. */
  private discard(name: string, dir: string, checkpoint = true): void {
    // No journal entry may outlive the topic: a topic created again under this name must not get its batches.
    if (checkpoint) this.journal.checkpoint();
    let target = path.join(this.deletedDir, `${name}.deleted-${Date.now()}`);
    for (let n = 1; fs.existsSync(target); n++) target = path.join(this.deletedDir, `${name}.deleted-${Date.now()}-${n}`);
    fs.renameSync(dir, target);
    tryFsyncDir(this.topicsDir);
    this.removeInBackground(target);
  }

  private removeInBackground(dir: string): void {
    const removal = fs.promises
      .rm(dir, { recursive: true, force: true })
      .catch((err: unknown) => this.opts.warn(`could not remove ${dir}: ${(err as Error).message}`))
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }
}
