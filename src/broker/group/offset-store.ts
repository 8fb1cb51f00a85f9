import type { BrokerCore } from '../broker-core.js';
import { EMPTY_HEADERS } from '../../core/record.js';
import type { LogRecordInput } from '../log/partition-log.js';
import { murmur2, toPositive } from '../murmur2.js';
import { tpKey } from './assignor.js';
import {
  OFFSETS_TOPIC,
  OFFSETS_TOPIC_CONFIG,
  OFFSETS_TOPIC_PARTITIONS,
  decodeOffsetKey,
  decodeOffsetValue,
  encodeOffsetKey,
  encodeOffsetValue,
} from './offsets-codec.js';

/** A committed offset as the coordinator keeps it. */
export interface StoredOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string;
}

/** What a commit writes: the next offset to read for each partition. */
export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string;
}

/**
 * Committed offsets of every group: an in-memory map, made durable as records in `__consumer_offsets`
 * and rebuilt from them by `load()`. The map follows the log's order (it is updated in the same
 * synchronous step as the append), and `write` resolves only once the broker's fsync policy is met.
 */
export class OffsetStore {
  private readonly byGroup = new Map<string, Map<string, StoredOffset>>();

  constructor(private readonly core: BrokerCore) {}

  /** Creates `__consumer_offsets` if needed and replays it into the map (later records win; null = delete). */
  load(): void {
    this.ensureTopic();
    this.byGroup.clear();
    const partitions = this.core.partitionCount(OFFSETS_TOPIC);
    for (let p = 0; p < partitions; p++) {
      const log = this.core.getLog(OFFSETS_TOPIC, p);
      let position = log.logStartOffset;
      while (position < log.logEndOffset) {
        const batches = log.read(position, { maxRecords: 10_000 });
        if (batches.length === 0) break;
        for (const batch of batches) {
          if (!batch.isControl) {
            for (const r of batch.records) {
              if (r.offset < position) continue;
              const key = decodeOffsetKey(r.key);
              if (key !== null) this.apply(key.groupId, key.topic, key.partition, decodeOffsetValue(r.value));
            }
          }
          position = batch.lastOffset + 1;
        }
      }
    }
  }

  /** Groups that have at least one committed offset. */
  groups(): string[] {
    return [...this.byGroup.keys()];
  }

  get(groupId: string, topic: string, partition: number): number | undefined {
    return this.byGroup.get(groupId)?.get(tpKey(topic, partition))?.offset;
  }

  /** The group's committed offsets, sorted by topic then partition. */
  offsetsOf(groupId: string): StoredOffset[] {
    const m = this.byGroup.get(groupId);
    if (m === undefined) return [];
    return [...m.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /**
   * Appends the commits as one batch (all or nothing), updates the map, then waits for fsync unless the
   * broker runs with `fsync: 'never'`. Callers validate membership before calling, synchronously, so no
   * other commit can slip between the check and the append.
   */
  write(groupId: string, commits: readonly OffsetCommit[]): Promise<void> {
    if (commits.length === 0) return Promise.resolve();
    this.appendCommits(groupId, commits);
    return this.sync();
  }

  /**
   * Appends the commits and updates the map, without waiting for fsync: for the transaction coordinator,
   * which completes a commit in one synchronous step after its commit decision is already durable.
   */
  appendCommits(groupId: string, commits: readonly OffsetCommit[]): void {
    if (commits.length === 0) return;
    const now = this.core.clock.now();
    const records: LogRecordInput[] = commits.map((c) => ({
      timestamp: now,
      key: encodeOffsetKey({ groupId, topic: c.topic, partition: c.partition }),
      value: encodeOffsetValue({ offset: c.offset, metadata: c.metadata ?? '', commitTimestamp: now }),
      headers: EMPTY_HEADERS,
    }));
    this.append(groupId, records);
    for (const c of commits) {
      this.apply(groupId, c.topic, c.partition, { offset: c.offset, metadata: c.metadata ?? '' });
    }
  }

  /** Writes a tombstone for every committed offset of the group and forgets it. */
  deleteGroup(groupId: string): Promise<void> {
    const offsets = this.offsetsOf(groupId);
    if (offsets.length === 0) return Promise.resolve();
    const now = this.core.clock.now();
    this.append(
      groupId,
      offsets.map((o) => ({
        timestamp: now,
        key: encodeOffsetKey({ groupId, topic: o.topic, partition: o.partition }),
        value: null,
        headers: EMPTY_HEADERS,
      })),
    );
    this.byGroup.delete(groupId);
    return this.sync();
  }

  /**
   * Tombstones every group's committed offsets of `topic` and forgets them: a deleted topic's offsets
   * must not apply to a topic created later under the same name (Kafka's coordinator drops them too).
   */
  deleteTopic(topic: string): Promise<void> {
    const now = this.core.clock.now();
    let wrote = false;
    for (const [groupId, offsets] of [...this.byGroup]) {
      const gone = [...offsets.values()].filter((o) => o.topic === topic);
      if (gone.length === 0) continue;
      this.append(
        groupId,
        gone.map((o) => ({ timestamp: now, key: encodeOffsetKey({ groupId, topic, partition: o.partition }), value: null, headers: EMPTY_HEADERS })),
      );
      for (const o of gone) this.apply(groupId, topic, o.partition, null);
      wrote = true;
    }
    return wrote ? this.sync() : Promise.resolve();
  }

  private append(groupId: string, records: LogRecordInput[]): void {
    this.ensureTopic();
    const partition = toPositive(murmur2(Buffer.from(groupId, 'utf8'))) % this.core.partitionCount(OFFSETS_TOPIC);
    this.core.getLog(OFFSETS_TOPIC, partition).append({ records });
  }

  private async sync(): Promise<void> {
    if (this.core.fsync !== 'never') await this.core.syncDirty();
  }

  private ensureTopic(): void {
    if (!this.core.hasTopic(OFFSETS_TOPIC)) {
      this.core.ensureInternalTopic(OFFSETS_TOPIC, OFFSETS_TOPIC_PARTITIONS, { ...OFFSETS_TOPIC_CONFIG });
    }
  }

  private apply(groupId: string, topic: string, partition: number, value: { offset: number; metadata: string } | null): void {
    let m = this.byGroup.get(groupId);
    if (value === null) {
      m?.delete(tpKey(topic, partition));
      if (m !== undefined && m.size === 0) this.byGroup.delete(groupId);
      return;
    }
    if (m === undefined) this.byGroup.set(groupId, (m = new Map()));
    m.set(tpKey(topic, partition), { topic, partition, offset: value.offset, metadata: value.metadata });
  }
}
