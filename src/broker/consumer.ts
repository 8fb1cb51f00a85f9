import type {
  AssignmentStrategy,
  AutoOffsetReset,
  Consumer,
  ConsumerPartitionAssignor,
  ConsumerOptions,
  GroupMetadata,
  IsolationLevel,
  RebalanceListener,
} from '../core/client.js';
import { ClosedError, CommitFailedError, IllegalStateError, RebalanceInProgressError, UnknownMemberIdError } from '../core/errors.js';
import type { ConsumedRecord, TopicPartition, TopicPartitionOffset } from '../core/record.js';
import type { BrokerCore } from './broker-core.js';
import { tpKey } from './group/assignor.js';
import { assignorFor, type SyncResult } from './group/consumer-group.js';
import type { GroupCoordinator } from './group/group-coordinator.js';
import { ConsumerFetcher, type PartitionState } from './consumer-fetcher.js';
import { validateTopicName } from './topic-name.js';

let clientCounter = 0;

/**
 * A consumer of the embedded broker, with Kafka's semantics and defaults.
 *
 * Two exclusive modes: `assign()` (you choose the partitions; commits go to `groupId` if given) and
 * `subscribe()` (a consumer group shares the partitions; `groupId` required). In group mode all group
 * work happens inside `poll()` — heartbeat, rebalance, listener callbacks in Kafka's order — plus a
 * background heartbeat every `heartbeatIntervalMs` so a consumer busy between polls keeps its session;
 * a consumer that does not poll within `maxPollIntervalMs` leaves the group, as in Kafka.
 *
 * `poll()` steps:
 * 1. group mode: heartbeat; take part in any rebalance (revoke → rejoin → take assignment);
 * 2. auto-commit the positions reached by earlier polls when `autoCommitIntervalMs` has passed;
 * 3. read assigned, non-paused partitions, starting one partition later each poll (fairness), up to
 *    `maxRecords`; keys and values are the log's own Buffers (no copies);
 * 4. nothing there and time left: wait for an append (or a group change) until `timeoutMs`, then go to 1.
 *
 * `isolationLevel`: 'read_uncommitted' reads every record up to the log end; 'read_committed' reads only
 * below the last stable offset and skips the batches of aborted transactions. Control batches (commit /
 * abort markers) are hidden from both. Defaults: autoOffsetReset 'latest', autoCommit true every 5 s,
 * sessionTimeoutMs 45 000, heartbeatIntervalMs 3 000, maxPollIntervalMs 300 000 (also the rebalance
 * timeout), maxPollRecords 500, strategy 'range'.
 *
 * @example
 * const consumer = broker.consumer({ groupId: 'billing', autoOffsetReset: 'earliest' });
 * await consumer.subscribe(['orders']);
 * for (;;) {
 *   const records = await consumer.poll({ timeoutMs: 1000 });
 *   for (const r of records) handle(r);
 *   await consumer.commit();
 * }
 */
export class EmbeddedConsumer implements Consumer {
  readonly clientId: string;
  readonly isolationLevel: IsolationLevel;
  private readonly committedOnly: boolean;
  private readonly groupId: string | undefined;
  private readonly autoOffsetReset: AutoOffsetReset;
  private readonly autoCommit: boolean;
  private readonly autoCommitIntervalMs: number;
  private readonly sessionTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly maxPollIntervalMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly maxPollRecords: number;
  private readonly strategy: AssignmentStrategy;
  /** A client-side assignor (eager), replacing `strategy` when given. */
  private readonly customAssignor: ConsumerPartitionAssignor | undefined;
  private readonly cooperative: boolean;

  private mode: 'none' | 'assign' | 'subscribe' = 'none';
  private topics: string[] = [];
  private listener: RebalanceListener = {};
  private parts: PartitionState[] = [];
  private readonly byKey = new Map<string, PartitionState>();
  private nextStart = 0;

  private memberId: string | null = null;
  private generation = -1;
  private rejoinNeeded = false;
  /** Evicted, or left after a poll timeout: the next poll reports the partitions lost and rejoins. */
  private lost = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastPollAt: number;
  private inPoll = false;
  private nextAutoCommitAt: number;
  private wake: (() => void) | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  private readonly fetcher: ConsumerFetcher;

  constructor(
    private readonly core: BrokerCore,
    private readonly coordinator: GroupCoordinator,
    opts: ConsumerOptions,
  ) {
    this.groupId = opts.groupId;
    if (this.groupId !== undefined && (typeof this.groupId !== 'string' || this.groupId === '')) {
      throw new TypeError('consumer: groupId must be a non-empty string');
    }
    this.clientId = opts.clientId ?? `consumer-${++clientCounter}`;
    this.isolationLevel = oneOf(opts.isolationLevel, ['read_uncommitted', 'read_committed'], 'read_uncommitted', 'isolationLevel');
    this.committedOnly = this.isolationLevel === 'read_committed';
    this.autoOffsetReset = oneOf(opts.autoOffsetReset, ['latest', 'earliest', 'none'], 'latest', 'autoOffsetReset');
    this.strategy = oneOf(opts.partitionAssignmentStrategy, ['range', 'roundrobin', 'cooperative-sticky'], 'range', 'partitionAssignmentStrategy');
    this.customAssignor = opts.assignor;
    if (this.customAssignor !== undefined && (typeof this.customAssignor.assign !== 'function' || typeof this.customAssignor.name !== 'string')) {
      throw new TypeError('consumer: assignor must be a ConsumerPartitionAssignor (name, subscriptionUserData, assign, onAssignment)');
    }
    this.cooperative = this.customAssignor === undefined && assignorFor(this.strategy).cooperative;
    this.autoCommit = opts.autoCommit ?? true;
    this.autoCommitIntervalMs = positive(opts.autoCommitIntervalMs, 5000, 'autoCommitIntervalMs');
    this.sessionTimeoutMs = positive(opts.sessionTimeoutMs, 45_000, 'sessionTimeoutMs');
    this.heartbeatIntervalMs = positive(opts.heartbeatIntervalMs, 3000, 'heartbeatIntervalMs');
    this.maxPollIntervalMs = positive(opts.maxPollIntervalMs, 300_000, 'maxPollIntervalMs');
    this.rebalanceTimeoutMs = positive(opts.rebalanceTimeoutMs, this.maxPollIntervalMs, 'rebalanceTimeoutMs');
    this.maxPollRecords = positive(opts.maxPollRecords, 500, 'maxPollRecords');
    this.fetcher = new ConsumerFetcher(core, coordinator, { groupId: this.groupId, autoOffsetReset: this.autoOffsetReset, committedOnly: this.committedOnly });
    const now = core.clock.now();
    this.lastPollAt = now;
    this.nextAutoCommitAt = now + this.autoCommitIntervalMs;
  }

  // ---------------------------------------------------------------------------------------------
  // Subscription and assignment

  /** Joins the group for `topics` (lazily: the join happens in the next poll). An empty list unsubscribes. */
  async subscribe(topics: string[], listener?: RebalanceListener): Promise<void> {
    this.assertOpen();
    if (!Array.isArray(topics)) throw new TypeError('subscribe: topics must be an array of topic names');
    if (topics.length === 0) return this.unsubscribe();
    for (const t of topics) validateTopicName(t);
    if (this.mode === 'assign') {
      throw new IllegalStateError('subscribe() after assign(): a consumer uses one or the other; call assign([]) first');
    }
    if (this.groupId === undefined) {
      throw new IllegalStateError('subscribe() needs a consumer group: create the consumer with { groupId }');
    }
    const next = [...new Set(topics)].sort();
    if (this.mode === 'subscribe' && this.memberId !== null && next.join('\u0000') !== this.topics.join('\u0000')) {
      this.rejoinNeeded = true;
    }
    this.topics = next;
    this.listener = listener ?? {};
    this.mode = 'subscribe';
    this.startHeartbeats();
  }

  /** Leaves the group (revoking, with an auto-commit first) or drops the manual assignment. */
  async unsubscribe(): Promise<void> {
    this.assertOpen();
    if (this.mode === 'subscribe') await this.leaveGroup();
    this.setAssignment([]);
    this.topics = [];
    this.mode = 'none';
  }

  /** Reads exactly these partitions (no group membership). Positions of partitions kept are kept. */
  assign(parts: TopicPartition[]): void {
    this.assertOpen();
    if (this.mode === 'subscribe') {
      throw new IllegalStateError('assign() after subscribe(): a consumer uses one or the other; unsubscribe() first');
    }
    for (const p of parts) this.core.getLog(p.topic, p.partition); // typed errors for a bad topic / partition
    this.setAssignment(parts);
    this.mode = parts.length === 0 ? 'none' : 'assign';
  }

  assignment(): TopicPartition[] {
    this.assertOpen();
    return this.parts.map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  // ---------------------------------------------------------------------------------------------
  // Poll

  /** See the class comment for the steps. `timeoutMs` defaults to 0: return at once when nothing is there. */
  async poll(opts: { maxRecords?: number; timeoutMs?: number } = {}): Promise<ConsumedRecord[]> {
    this.assertOpen();
    if (this.closing !== null) throw new ClosedError(`consumer ${this.clientId}`);
    if (this.inPoll) throw new IllegalStateError(`consumer ${this.clientId}: poll() called while another poll() is running`);
    if (this.mode === 'none') throw new IllegalStateError('poll(): the consumer is neither subscribed to topics nor assigned partitions');
    const maxRecords = positive(opts.maxRecords, this.maxPollRecords, 'maxRecords');
    const timeoutMs = opts.timeoutMs ?? 0;
    if (!(timeoutMs >= 0)) throw new RangeError(`poll: timeoutMs must be >= 0, got ${timeoutMs}`);
    const deadline = this.core.clock.now() + timeoutMs;
    this.inPoll = true;
    this.lastPollAt = this.core.clock.now();
    try {
      for (;;) {
        // Step 1
        if (this.mode === 'subscribe') await this.coordinate();
        // Step 2
        await this.maybeAutoCommit();
        // Step 3
        const records = this.fetch(maxRecords);
        const remaining = deadline - this.core.clock.now();
        if (records.length > 0 || remaining <= 0 || this.closing !== null) return records;
        // Step 4
        await this.waitForWork(remaining);
        if (this.closing !== null) return [];
        this.core.assertOpen('broker');
      }
    } finally {
      this.inPoll = false;
      this.lastPollAt = this.core.clock.now();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Positions

  seek(topic: string, partition: number, offset: number): void {
    this.assertOpen();
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`seek: offset for ${topic}-${partition} must be an integer >= 0, got ${offset}`);
    }
    this.assigned(topic, partition, 'seek').position = offset;
  }

  /** Moves to the log-start offset now (not lazily at the next poll). */
  seekToBeginning(parts: TopicPartition[]): void {
    this.assertOpen();
    for (const p of parts) this.assigned(p.topic, p.partition, 'seekToBeginning').position = this.fetcher.log(p).logStartOffset;
  }

  /** Moves to the log end now: records appended after this call are read. */
  seekToEnd(parts: TopicPartition[]): void {
    this.assertOpen();
    for (const p of parts) this.assigned(p.topic, p.partition, 'seekToEnd').position = this.fetcher.endOffset(p);
  }

  position(topic: string, partition: number): number {
    this.assertOpen();
    const st = this.assigned(topic, partition, 'position');
    return st.position ?? this.fetcher.initialPosition(st);
  }

  async offsetsForTimes(query: { topic: string; partition: number; timestamp: number }[]): Promise<(number | null)[]> {
    this.assertOpen();
    return query.map((q) => this.fetcher.log(q).offsetForTimestamp(q.timestamp));
  }

  pause(parts: TopicPartition[]): void {
    this.assertOpen();
    for (const p of parts) this.assigned(p.topic, p.partition, 'pause').paused = true;
  }

  resume(parts: TopicPartition[]): void {
    this.assertOpen();
    for (const p of parts) this.assigned(p.topic, p.partition, 'resume').paused = false;
  }

  paused(): TopicPartition[] {
    this.assertOpen();
    return this.parts.filter((s) => s.paused).map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  // ---------------------------------------------------------------------------------------------
  // Commits

  async committed(parts: TopicPartition[]): Promise<(number | null)[]> {
    this.assertOpen();
    const groupId = this.requireGroupId('committed');
    return parts.map((p) => this.coordinator.committed(groupId, p.topic, p.partition) ?? null);
  }

  /**
   * Commits `offsets` (the next offset to read, per partition), or every assigned partition's position.
   * Throws CommitFailedError when this consumer was evicted or its generation is stale: the group
   * rebalanced, and records processed since the last commit will be re-delivered to the new owner.
   */
  async commit(offsets?: TopicPartitionOffset[]): Promise<void> {
    this.assertOpen();
    const groupId = this.requireGroupId('commit');
    await this.commitNow(groupId, offsets ?? this.positions(this.parts));
  }

  groupMetadata(): GroupMetadata | null {
    this.assertOpen();
    if (this.groupId === undefined) return null;
    return { groupId: this.groupId, generationId: this.generation, memberId: this.memberId ?? '' };
  }

  /** Commits (autoCommit), revokes and leaves the group. Idempotent; every later call throws ClosedError. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Rebalance callbacks may still use the consumer while it closes (commit, committed); afterwards it is closed. */
  private async shutdown(): Promise<void> {
    this.stopHeartbeats();
    this.wake?.();
    try {
      if (this.core.closed) return;
      if (this.mode === 'subscribe') await this.leaveGroup();
      else if (this.mode === 'assign' && this.autoCommit && this.groupId !== undefined) {
        await this.commitQuietly(this.groupId, this.positions(this.parts));
      }
    } finally {
      this.setAssignment([]);
      this.mode = 'none';
      this.closed = true;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Group protocol (member side)

  /** Step 1 of poll: drives this member until it is stable or waiting for other members. */
  private async coordinate(): Promise<void> {
    const groupId = this.groupId!;
    // Bounded: a cooperative rebalance takes at most two rounds; leftovers continue at the next poll.
    for (let step = 0; step < 8; step++) {
      if (this.lost) await this.reportLost();
      if (this.memberId === null || this.rejoinNeeded) {
        await this.join(groupId);
        continue;
      }
      const status = this.coordinator.heartbeat(groupId, this.memberId);
      if (status === 'stable' || status === 'waiting') return;
      if (status === 'unknown') this.lost = true;
      else if (status === 'rejoin') this.rejoinNeeded = true;
      else await this.takeAssignment(this.coordinator.sync(groupId, this.memberId));
    }
  }

  private async join(groupId: string): Promise<void> {
    if (!this.cooperative) {
      // Eager: give everything back before rejoining (auto-commit, then onPartitionsRevoked).
      if (this.parts.length > 0) await this.revoke(this.parts.slice());
    } else {
      const unsubscribed = this.parts.filter((s) => !this.topics.includes(s.topic));
      if (unsubscribed.length > 0) await this.revoke(unsubscribed);
    }
    try {
      this.memberId = this.coordinator.join(groupId, {
        memberId: this.memberId,
        clientId: this.clientId,
        topics: this.topics,
        owned: this.cooperative ? this.assignmentList() : [],
        strategy: this.customAssignor?.name ?? this.strategy,
        assignor: this.customAssignor,
        userData: this.customAssignor?.subscriptionUserData(this.topics) ?? null,
        sessionTimeoutMs: this.sessionTimeoutMs,
        rebalanceTimeoutMs: this.rebalanceTimeoutMs,
      });
      this.rejoinNeeded = false;
    } catch (err) {
      // Evicted while the revoke callbacks ran: start over as a new member.
      if (!(err instanceof UnknownMemberIdError)) throw err;
      this.lost = true;
    }
  }

  private async takeAssignment(result: SyncResult): Promise<void> {
    this.generation = result.generation;
    const next = new Set(result.assignment.map((tp) => tpKey(tp.topic, tp.partition)));
    const revoked = this.parts.filter((s) => !next.has(s.key));
    const added = result.assignment.filter((tp) => !this.byKey.has(tpKey(tp.topic, tp.partition)));
    if (revoked.length > 0) {
      await this.revoke(revoked);
      // Cooperative: rejoin so a second round can hand the revoked partitions to their new owners.
      if (this.cooperative) this.rejoinNeeded = true;
    }
    this.setAssignment([...this.assignmentList(), ...added]);
    this.customAssignor?.onAssignment({ partitions: result.assignment, userData: result.userData }, result.generation);
    await this.listener.onPartitionsAssigned?.(added);
  }

  /** Auto-commits the partitions' positions, calls onPartitionsRevoked, and drops them. */
  private async revoke(states: PartitionState[]): Promise<void> {
    try {
      if (this.autoCommit) await this.commitQuietly(this.groupId!, this.positions(states));
      await this.listener.onPartitionsRevoked?.(states.map((s) => ({ topic: s.topic, partition: s.partition })));
    } finally {
      const gone = new Set(states.map((s) => s.key));
      this.setAssignment(this.assignmentList().filter((tp) => !gone.has(tpKey(tp.topic, tp.partition))));
    }
  }

  private async reportLost(): Promise<void> {
    const lost = this.assignmentList();
    this.lost = false;
    this.memberId = null;
    this.generation = -1;
    this.setAssignment([]);
    if (lost.length > 0) await this.listener.onPartitionsLost?.(lost);
  }

  private async leaveGroup(): Promise<void> {
    this.stopHeartbeats();
    const memberId = this.memberId;
    try {
      if (memberId !== null && !this.lost) await this.revoke(this.parts.slice());
      else if (this.parts.length > 0) await this.listener.onPartitionsLost?.(this.assignmentList());
    } finally {
      if (memberId !== null) this.coordinator.leave(this.groupId!, memberId);
      this.memberId = null;
      this.generation = -1;
      this.lost = false;
      this.rejoinNeeded = false;
    }
  }

  private startHeartbeats(): void {
    if (this.heartbeatTimer !== null) return;
    this.heartbeatTimer = setInterval(() => this.backgroundHeartbeat(), this.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeats(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private backgroundHeartbeat(): void {
    if (this.closing !== null || this.mode !== 'subscribe' || this.memberId === null || this.lost) return;
    const groupId = this.groupId!;
    if (!this.inPoll && this.core.clock.now() - this.lastPollAt > this.maxPollIntervalMs) {
      // As Kafka: a member that stopped polling leaves, so its partitions go to consumers that poll.
      this.core.warn(
        `consumer ${this.clientId} (group "${groupId}", member ${this.memberId}) did not poll within maxPollIntervalMs ` +
          `${this.maxPollIntervalMs}: it left the group; its next poll rejoins (records since its last commit will be re-delivered)`,
      );
      this.coordinator.leave(groupId, this.memberId);
      this.lost = true;
      return;
    }
    if (this.coordinator.heartbeat(groupId, this.memberId) === 'unknown') this.lost = true;
  }

  // ---------------------------------------------------------------------------------------------
  // Fetch (the hot path: plain loops, one object per record, no closures or awaits)

  private fetch(maxRecords: number): ConsumedRecord[] {
    const n = this.parts.length;
    if (n === 0) return [];
    const start = this.nextStart % n;
    this.nextStart = start + 1;
    return this.fetcher.fetch(this.parts, start, maxRecords);
  }

  private async waitForWork(ms: number): Promise<void> {
    const waits: Promise<void>[] = [this.core.waitForAppend(ms), new Promise<void>((r) => (this.wake = r))];
    if (this.mode === 'subscribe') waits.push(this.coordinator.changed(this.groupId!, ms));
    try {
      await Promise.race(waits);
    } finally {
      this.wake = null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private async maybeAutoCommit(): Promise<void> {
    if (!this.autoCommit || this.groupId === undefined) return;
    const now = this.core.clock.now();
    if (now < this.nextAutoCommitAt) return;
    this.nextAutoCommitAt = now + this.autoCommitIntervalMs;
    await this.commitQuietly(this.groupId, this.positions(this.parts));
  }

  private commitNow(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return Promise.resolve();
    if (this.mode === 'subscribe' && this.memberId === null) {
      throw new CommitFailedError(
        `commit for group "${groupId}" failed: consumer ${this.clientId} is not a member of the group ` +
          `(it was evicted or left, or has not joined yet: poll() joins); records since the last commit will be re-delivered`,
      );
    }
    const who = this.mode === 'subscribe' ? { memberId: this.memberId!, generation: this.generation } : null;
    return this.coordinator.commitOffsets(groupId, offsets, who);
  }

  /** Auto-commits: a failure is reported, not thrown (Kafka logs it); the records will be re-delivered. */
  private async commitQuietly(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    try {
      await this.commitNow(groupId, offsets);
    } catch (err) {
      if (!(err instanceof CommitFailedError) && !(err instanceof RebalanceInProgressError)) throw err;
      this.core.warn(`consumer ${this.clientId}: auto-commit failed: ${(err as Error).message}`);
    }
  }

  private positions(states: readonly PartitionState[]): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const s of states) if (s.position !== null) out.push({ topic: s.topic, partition: s.partition, offset: s.position });
    return out;
  }

  private setAssignment(parts: readonly TopicPartition[]): void {
    const next: PartitionState[] = [];
    for (const p of parts) {
      const key = tpKey(p.topic, p.partition);
      if (next.some((s) => s.key === key)) continue;
      next.push(
        this.byKey.get(key) ?? { topic: p.topic, partition: p.partition, key, position: null, paused: false, batches: null, batchIndex: 0, recordIndex: 0, bufferPos: -1 },
      );
    }
    this.byKey.clear();
    for (const s of next) this.byKey.set(s.key, s);
    this.parts = next;
  }

  private assignmentList(): TopicPartition[] {
    return this.parts.map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  private assigned(topic: string, partition: number, op: string): PartitionState {
    const st = this.byKey.get(tpKey(topic, partition));
    if (st === undefined) throw new IllegalStateError(`${op}: partition ${topic}-${partition} is not assigned to this consumer`);
    return st;
  }

  private requireGroupId(op: string): string {
    if (this.groupId === undefined) throw new IllegalStateError(`${op}() needs a consumer group: create the consumer with { groupId }`);
    return this.groupId;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError(`consumer ${this.clientId}`);
    this.core.assertOpen('broker');
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`consumer: ${name} must be an integer > 0, got ${value}`);
  return value;
}

function oneOf<T extends string>(value: T | undefined, allowed: readonly T[], fallback: T, name: string): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new RangeError(`consumer: ${name} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  return value;
}
