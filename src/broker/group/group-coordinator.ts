import type { GroupDescription, OffsetResetSpec } from '../../core/client.js';
import { ClosedError, GroupIdNotFoundError, NonEmptyGroupError } from '../../core/errors.js';
import type { BrokerCore } from '../broker-core.js';
import { ConsumerGroup, type JoinRequest, type MemberStatus, type SyncResult } from './consumer-group.js';
import { resetTargets } from './offset-reset.js';
import { type OffsetCommit, OffsetStore } from './offset-store.js';

/** Who is committing: a group member with its generation, or `null` for a consumer outside the group (assign()). */
export interface CommitIdentity {
  memberId: string;
  generation: number;
}

/**
 * The group coordinator of the embedded broker: consumer-group membership and rebalancing
 * (see ConsumerGroup for the protocol), committed offsets (durable in `__consumer_offsets`, see
 * OffsetStore), session-timeout eviction, and the admin operations on groups.
 *
 * Everything is synchronous and in-process except writes, which resolve once durable. A sweep timer
 * (unref'd, so it never keeps the process alive) evicts members whose heartbeats stopped and notices
 * topic changes; every heartbeat also sweeps its own group, so eviction does not depend on timer jitter.
 *
 * @example
 * const coordinator = new GroupCoordinator(core);
 * coordinator.load();                              // rebuild committed offsets after the topics are open
 * const memberId = coordinator.join('billing', request);
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly offsets: OffsetStore;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweepEveryMs = Infinity;
  private closed = false;

  constructor(private readonly core: BrokerCore) {
    this.offsets = new OffsetStore(core);
  }

  /** Replays `__consumer_offsets` (creating it if needed). Call once the broker's topics are loaded. */
  load(): void {
    this.offsets.load();
  }

  // ---------------------------------------------------------------------------------------------
  // Member protocol (used by EmbeddedConsumer)

  /** (Re)joins `groupId`; returns the member id. Starts a rebalance unless one is already preparing. */
  join(groupId: string, req: JoinRequest): string {
    this.assertOpen();
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = new ConsumerGroup(groupId, (topics) => this.partitionCounts(topics));
      this.groups.set(groupId, group);
    }
    this.scheduleSweep(Math.min(req.sessionTimeoutMs, req.rebalanceTimeoutMs));
    return group.join(req, this.core.clock.now());
  }

  /** Keeps the member's session alive and says what it must do next. */
  heartbeat(groupId: string, memberId: string): MemberStatus {
    if (this.closed) return 'unknown';
    const group = this.groups.get(groupId);
    return group === undefined ? 'unknown' : group.heartbeat(memberId, this.core.clock.now());
  }

  /** The member's assignment for the group's current generation. */
  sync(groupId: string, memberId: string): SyncResult {
    this.assertOpen();
    return this.requireGroup(groupId).sync(memberId, this.core.clock.now());
  }

  /** Leaves the group (no-op when the member is already gone or the coordinator closed). */
  leave(groupId: string, memberId: string): void {
    if (this.closed) return;
    this.groups.get(groupId)?.leave(memberId, this.core.clock.now());
  }

  /** Resolves on the group's next change or after `timeoutMs` (long-polling members wait on it). */
  changed(groupId: string, timeoutMs: number): Promise<void> {
    const group = this.groups.get(groupId);
    if (this.closed || group === undefined) return new Promise((r) => setTimeout(r, Math.max(0, timeoutMs)));
    return group.changed(timeoutMs);
  }

  /**
   * Commits offsets for the group after checking the committer (CommitFailedError for an evicted member
   * or a stale generation). The check and the append happen in one synchronous step.
   */
  commitOffsets(groupId: string, commits: readonly OffsetCommit[], who: CommitIdentity | null): Promise<void> {
    this.assertOpen();
    for (const c of commits) {
      if (!Number.isSafeInteger(c.offset) || c.offset < 0) {
        throw new RangeError(`commit for group "${groupId}": offset ${c.offset} for ${c.topic}-${c.partition} must be an integer >= 0`);
      }
      this.core.getLog(c.topic, c.partition); // TopicNotFoundError / PartitionNotFoundError, naming them
    }
    const group = this.groups.get(groupId);
    if (group !== undefined) {
      const what = commits.map((c) => `${c.topic}-${c.partition}@${c.offset}`).join(', ');
      group.validateCommit(who?.memberId ?? null, who?.generation ?? -1, what);
    }
    return this.offsets.write(groupId, commits);
  }

  /**
   * KIP-447's check of `sendOffsetsToTransaction(..., groupMetadata)`: throws `CommitFailedError` unless
   * `memberId` is still in the group at `generation` (as a plain commit would). A group this
   * coordinator does not know has nothing to check against.
   */
  validateMember(groupId: string, memberId: string, generation: number, what: string): void {
    this.assertOpen();
    this.groups.get(groupId)?.validateCommit(memberId === '' ? null : memberId, generation, what);
  }

  /**
   * Applies the offsets of a committed transaction (`sendOffsetsToTransaction`): appended at once, in the
   * coordinator's synchronous completion step, without a membership check — a transactional producer is
   * fenced by its transactional id instead. Durability comes from the transaction's commit record.
   */
  commitTransactionalOffsets(groupId: string, commits: readonly OffsetCommit[]): void {
    this.assertOpen();
    this.offsets.appendCommits(groupId, commits);
  }

  /** The committed offset (next offset to read), or undefined when none was committed. */
  committed(groupId: string, topic: string, partition: number): number | undefined {
    return this.offsets.get(groupId, topic, partition);
  }

  // ---------------------------------------------------------------------------------------------
  // Admin

  /** Every group the coordinator knows (it had members since the broker started, or has committed offsets), sorted. */
  listGroups(): string[] {
    return [...new Set([...this.offsets.groups(), ...this.groups.keys()])].sort();
  }

  /** Members, assignments, committed offsets and lag (high watermark − committed) of a group. */
  describeGroup(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    const offsets = this.offsets.offsetsOf(groupId);
    if (group === undefined && offsets.length === 0) {
      throw new GroupIdNotFoundError(`group "${groupId}" does not exist (no members, no committed offsets)`);
    }
    const desc: GroupDescription = {
      groupId,
      state: group?.state ?? 'Empty',
      members: group?.describeMembers() ?? [],
      offsets: [],
    };
    if (group?.protocol) desc.protocol = group.protocol;
    if (group !== undefined) desc.generationId = group.generation;
    for (const o of offsets) {
      // A deleted topic (or a partition that no longer exists) has no lag to report.
      if (!this.core.hasTopic(o.topic) || o.partition >= this.core.partitionCount(o.topic)) continue;
      const hw = this.core.getLog(o.topic, o.partition).logEndOffset;
      desc.offsets.push({ topic: o.topic, partition: o.partition, committed: o.offset, lag: hw - o.offset });
    }
    return desc;
  }

  /**
   * Sets the group's committed offset on every partition of `topic` (see `resetTargets` for each spec).
   * Only for a group with no active members (NonEmptyGroupError otherwise); a group that does not exist
   * yet gets the offsets, so a new application can start from a chosen point.
   */
  async resetOffsets(groupId: string, topic: string, to: OffsetResetSpec): Promise<void> {
    this.assertOpen();
    this.assertNoMembers(groupId, 'reset its offsets');
    const commits = resetTargets(this.core, topic, to, (p) => this.offsets.get(groupId, topic, p), groupId);
    await this.offsets.write(groupId, commits);
  }

  /** Deletes groups with no active members: tombstones for their offsets, then forgets them. */
  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    this.assertOpen();
    for (const id of groupIds) {
      if (!this.groups.has(id) && this.offsets.offsetsOf(id).length === 0) {
        throw new GroupIdNotFoundError(`cannot delete group "${id}": it does not exist`);
      }
      this.assertNoMembers(id, 'delete it');
    }
    for (const id of groupIds) {
      const group = this.groups.get(id);
      if (group !== undefined) {
        group.kill();
        this.groups.delete(id);
      }
      await this.offsets.deleteGroup(id);
    }
  }

  /** Forgets every group's committed offsets of a deleted topic (tombstones in `__consumer_offsets`). */
  async topicDeleted(topic: string): Promise<void> {
    this.assertOpen();
    await this.offsets.deleteTopic(topic);
  }

  /** Stops the sweep timer and wakes every waiting member. Later member calls see `unknown` / ClosedError. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    for (const g of this.groups.values()) g.notify();
  }

  // ---------------------------------------------------------------------------------------------

  private sweep(): void {
    const now = this.core.clock.now();
    for (const g of this.groups.values()) {
      g.expire(now);
      g.checkMetadata(now);
    }
  }

  /** Runs the sweep often enough for the shortest timeout seen (a quarter of it, within [5 ms, 1 s]). */
  private scheduleSweep(timeoutMs: number): void {
    const every = Math.max(5, Math.min(1000, Math.floor(timeoutMs / 4)));
    if (every >= this.sweepEveryMs) return;
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepEveryMs = every;
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  private partitionCounts(topics: Iterable<string>): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of topics) if (this.core.hasTopic(t)) counts.set(t, this.core.partitionCount(t));
    return counts;
  }

  private requireGroup(groupId: string): ConsumerGroup {
    const g = this.groups.get(groupId);
    if (g === undefined) throw new GroupIdNotFoundError(`group "${groupId}" does not exist`);
    return g;
  }

  private assertNoMembers(groupId: string, what: string): void {
    const n = this.groups.get(groupId)?.size ?? 0;
    if (n > 0) {
      throw new NonEmptyGroupError(`group "${groupId}" has ${n} active member(s); stop its consumers before you ${what}`);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError('group coordinator');
  }
}

