import { randomUUID } from 'node:crypto';
import type { AssignmentStrategy, ConsumerPartitionAssignor } from '../../core/client.js';
import {
  CommitFailedError,
  IllegalGenerationError,
  IllegalStateError,
  InconsistentGroupProtocolError,
  RebalanceInProgressError,
  UnknownMemberIdError,
} from '../../core/errors.js';
import type { TopicPartition } from '../../core/record.js';
import type { MemberSubscription, PartitionAssignor } from './assignor.js';
import { CooperativeStickyAssignor } from './cooperative-sticky-assignor.js';
import { GroupStateMachine, type GroupState } from './group-state.js';
import { RangeAssignor } from './range-assignor.js';
import { RoundRobinAssignor } from './round-robin-assignor.js';

const ASSIGNORS: Readonly<Record<AssignmentStrategy, PartitionAssignor>> = {
  range: new RangeAssignor(),
  roundrobin: new RoundRobinAssignor(),
  'cooperative-sticky': new CooperativeStickyAssignor(),
};

/** The assignor that implements `strategy`. */
export function assignorFor(strategy: AssignmentStrategy): PartitionAssignor {
  const a = ASSIGNORS[strategy];
  if (a === undefined) throw new RangeError(`unknown partition assignment strategy "${String(strategy)}"`);
  return a;
}

/** What a member sends when it (re)joins. `memberId: null` asks for a new member id. */
export interface JoinRequest {
  memberId: string | null;
  clientId: string;
  topics: readonly string[];
  /** Partitions the member still owns (cooperative); eager members revoke everything first and send []. */
  owned: readonly TopicPartition[];
  /** A built-in strategy, or the name of `assignor`. */
  strategy: AssignmentStrategy | string;
  /** A client-side assignor (eager); the group runs the leader's (see `ConsumerPartitionAssignor`). */
  assignor?: ConsumerPartitionAssignor;
  /** The assignor's subscription userData. */
  userData?: Buffer | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
}

/**
 * What a member must do next, as its heartbeat learns it:
 * `stable` carry on; `rejoin` a rebalance started, revoke (eager) and join again; `waiting` joined, other
 * members have not; `sync` a new assignment is ready, take it; `unknown` evicted or left, start over.
 */
export type MemberStatus = 'stable' | 'rejoin' | 'waiting' | 'sync' | 'unknown';

export interface SyncResult {
  generation: number;
  assignment: TopicPartition[];
  /** The client-side assignor's userData for this member (null for built-in strategies). */
  userData: Buffer | null;
}

interface GroupMember {
  memberId: string;
  clientId: string;
  topics: readonly string[];
  owned: readonly TopicPartition[];
  assignor: ConsumerPartitionAssignor | undefined;
  userData: Buffer | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  lastSeen: number;
  /** Joined in the current round (meaningful in PreparingRebalance). */
  joined: boolean;
  assignment: TopicPartition[];
  assignmentUserData: Buffer | null;
  /** Generation of the assignment this member last took; commits must carry it. */
  generation: number;
}

/**
 * One consumer group on the coordinator: members, generation, state, and the rebalance protocol.
 *
 * A rebalance, step by step:
 * 1. A join, a leave, an eviction or a metadata change moves the group to PreparingRebalance and clears
 *    every member's `joined` flag.
 * 2. Each member learns it from its next heartbeat (`rejoin`), revokes (eager: everything; cooperative:
 *    nothing yet) and joins again, reporting what it still owns.
 * 3. When every member has joined — or the rebalance timeout removed the laggards — the assignor runs,
 *    the generation goes up, and the group moves to CompletingRebalance.
 * 4. Each member takes its assignment (`sync`); when all have, the group is Stable.
 */
export class ConsumerGroup {
  readonly fsm: GroupStateMachine;
  generation = 0;
  protocol: string | null = null;
  /** Set when the leader's client-side assignor threw: every sync of this generation fails with it. */
  private assignFailure: Error | undefined;
  private readonly members = new Map<string, GroupMember>();
  private rebalanceDeadline = Infinity;
  /** Partition counts the last assignment was computed from; a change triggers a rebalance. */
  private assignedCounts = new Map<string, number>();
  private waiters = new Set<() => void>();

  constructor(
    readonly groupId: string,
    private readonly partitionCounts: (topics: Iterable<string>) => Map<string, number>,
  ) {
    this.fsm = new GroupStateMachine(groupId);
  }

  get state(): GroupState {
    return this.fsm.state;
  }

  get size(): number {
    return this.members.size;
  }

  join(req: JoinRequest, now: number): string {
    if (req.memberId !== null && !this.members.has(req.memberId)) {
      throw new UnknownMemberIdError(`group "${this.groupId}": member ${req.memberId} is not in the group; join with no member id`);
    }
    const others = this.members.size - (req.memberId === null ? 0 : 1);
    if (others > 0 && this.protocol !== null && this.protocol !== req.strategy) {
      throw new InconsistentGroupProtocolError(
        `group "${this.groupId}" uses the "${this.protocol}" assignment strategy; a member asked for "${req.strategy}"`,
      );
    }
    this.protocol = req.strategy;
    const memberId = req.memberId ?? `${req.clientId}-${randomUUID()}`;
    const prev = this.members.get(memberId);
    this.members.set(memberId, {
      memberId,
      clientId: req.clientId,
      topics: [...req.topics],
      owned: req.owned.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
      assignor: req.assignor,
      userData: req.userData ?? null,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      lastSeen: now,
      joined: false,
      assignment: prev?.assignment ?? [],
      assignmentUserData: prev?.assignmentUserData ?? null,
      generation: prev?.generation ?? -1,
    });
    if (!this.fsm.is('PreparingRebalance')) this.startRebalance(now);
    this.members.get(memberId)!.joined = true;
    this.maybeCompleteJoin();
    this.notify();
    return memberId;
  }

  heartbeat(memberId: string, now: number): MemberStatus {
    const m = this.members.get(memberId);
    if (m !== undefined) m.lastSeen = now;
    this.expire(now);
    if (m === undefined || !this.members.has(memberId)) return 'unknown';
    if (this.fsm.is('PreparingRebalance')) return m.joined ? 'waiting' : 'rejoin';
    return m.generation === this.generation ? 'stable' : 'sync';
  }

  sync(memberId: string, now: number): SyncResult {
    const m = this.members.get(memberId);
    if (m === undefined) throw new UnknownMemberIdError(`group "${this.groupId}": member ${memberId} is not in the group`);
    if (!this.fsm.is('CompletingRebalance') && !this.fsm.is('Stable')) {
      throw new RebalanceInProgressError(`group "${this.groupId}" is rebalancing; rejoin first`);
    }
    m.lastSeen = now;
    if (this.assignFailure !== undefined) {
      throw new IllegalStateError(`group "${this.groupId}": the leader's "${this.protocol}" assignor failed: ${this.assignFailure.message}`, { cause: this.assignFailure });
    }
    m.generation = this.generation;
    if (this.fsm.is('CompletingRebalance') && [...this.members.values()].every((x) => x.generation === this.generation)) {
      this.fsm.transition('Stable');
      this.notify();
    }
    return { generation: this.generation, assignment: m.assignment.map((tp) => ({ ...tp })), userData: m.assignmentUserData };
  }

  /** Removes the member (leave group); true when it was there. */
  leave(memberId: string, now: number): boolean {
    if (!this.members.delete(memberId)) return false;
    if (!this.fsm.is('PreparingRebalance')) this.startRebalance(now);
    this.maybeCompleteJoin();
    this.notify();
    return true;
  }

  /** Evicts members past their session timeout, and laggards past the rebalance deadline. */
  expire(now: number): string[] {
    const removed: string[] = [];
    for (const m of this.members.values()) {
      const late = now - m.lastSeen > m.sessionTimeoutMs;
      const laggard = this.fsm.is('PreparingRebalance') && !m.joined && now > this.rebalanceDeadline;
      if (late || laggard) removed.push(m.memberId);
    }
    for (const id of removed) this.leave(id, now);
    return removed;
  }

  /** Starts a rebalance when a subscribed topic appeared, vanished or grew since the last assignment. */
  checkMetadata(now: number): void {
    if (!this.fsm.is('Stable')) return;
    const counts = this.partitionCounts(this.subscribedTopics());
    const same = counts.size === this.assignedCounts.size && [...counts].every(([t, n]) => this.assignedCounts.get(t) === n);
    if (!same) {
      this.startRebalance(now);
      this.notify();
    }
  }

  /**
   * Throws CommitFailedError unless the commit comes from a current member carrying the generation it
   * last took — or, with no member id, the group has no members (Kafka's generation -1 commit).
   * A member that has not yet taken a newer assignment may still commit: the coordinator never hands a
   * partition to a new owner before its old owner rejoined without it, so its commit cannot clobber one.
   */
  validateCommit(memberId: string | null, generation: number, what: string): void {
    if (memberId === null || memberId === '') {
      if (this.members.size > 0) {
        throw new CommitFailedError(
          `commit of ${what} for group "${this.groupId}" failed: the group has ${this.members.size} active member(s) ` +
            `and this consumer is not one of them (assign() consumers may commit only into a group with no members)`,
        );
      }
      return;
    }
    const m = this.members.get(memberId);
    const cause =
      m === undefined
        ? new UnknownMemberIdError(`member ${memberId} is not in group "${this.groupId}"`)
        : m.generation !== generation
          ? new IllegalGenerationError(`group "${this.groupId}" member ${memberId} is at generation ${m.generation}, commit carried ${generation}`)
          : null;
    if (cause !== null) {
      throw new CommitFailedError(
        `commit of ${what} for group "${this.groupId}" failed: the group rebalanced and this consumer ` +
          `${m === undefined ? 'is no longer a member (evicted after a session or poll timeout, or it left)' : 'holds a stale generation'}; ` +
          `its partitions may have moved, and records processed since the last successful commit will be re-delivered`,
        { cause },
      );
    }
  }

  describeMembers(): { memberId: string; clientId: string; assignment: TopicPartition[] }[] {
    const showAssignment = this.fsm.is('Stable') || this.fsm.is('CompletingRebalance');
    return [...this.members.values()]
      .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
      .map((m) => ({ memberId: m.memberId, clientId: m.clientId, assignment: showAssignment ? m.assignment.map((tp) => ({ ...tp })) : [] }));
  }

  /** Resolves on the group's next change (state, membership, generation), or after timeoutMs. */
  changed(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.add(done);
    });
  }

  /** Moves to Dead (deleteGroups) and wakes every waiter. The group must be empty. */
  kill(): void {
    this.fsm.transition('Dead');
    this.notify();
  }

  /** Wakes waiters (coordinator close). */
  notify(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  private subscribedTopics(): Set<string> {
    const s = new Set<string>();
    for (const m of this.members.values()) for (const t of m.topics) s.add(t);
    return s;
  }

  private startRebalance(now: number): void {
    this.fsm.transition('PreparingRebalance');
    let timeout = 0;
    for (const m of this.members.values()) {
      m.joined = false;
      if (m.rebalanceTimeoutMs > timeout) timeout = m.rebalanceTimeoutMs;
    }
    this.rebalanceDeadline = now + timeout;
  }

  /** Step 3 with a client-side assignor: the leader's `assign` over every member's subscription userData. */
  private assignWithClientAssignor(assignor: ConsumerPartitionAssignor, counts: Map<string, number>): void {
    const subs = [...this.members.values()]
      .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
      .map((m) => ({ memberId: m.memberId, topics: m.topics, userData: m.userData }));
    let result: Map<string, { partitions: readonly TopicPartition[]; userData: Buffer | null }>;
    try {
      result = assignor.assign(subs, counts);
    } catch (e) {
      this.assignFailure = e instanceof Error ? e : new Error(String(e));
      result = new Map();
    }
    for (const m of this.members.values()) {
      const a = result.get(m.memberId);
      m.assignment = (a?.partitions ?? []).map((tp) => ({ topic: tp.topic, partition: tp.partition }));
      m.assignmentUserData = a?.userData ?? null;
    }
  }

  private maybeCompleteJoin(): void {
    if (!this.fsm.is('PreparingRebalance')) return;
    for (const m of this.members.values()) if (!m.joined) return;
    this.generation++;
    this.rebalanceDeadline = Infinity;
    if (this.members.size === 0) {
      this.fsm.transition('Empty');
      this.protocol = null;
      this.assignedCounts = new Map();
      return;
    }
    const counts = this.partitionCounts(this.subscribedTopics());
    const subs: MemberSubscription[] = [...this.members.values()]
      .sort((a, b) => (a.memberId < b.memberId ? -1 : 1))
      .map((m) => ({ memberId: m.memberId, topics: m.topics, owned: m.owned }));
    this.assignFailure = undefined;
    const leader = [...this.members.values()].sort((a, b) => (a.memberId < b.memberId ? -1 : 1)).find((m) => m.assignor !== undefined);
    if (leader?.assignor !== undefined) this.assignWithClientAssignor(leader.assignor, counts);
    else {
      const result = assignorFor((this.protocol ?? 'range') as AssignmentStrategy).assign(subs, counts);
      for (const m of this.members.values()) {
        m.assignment = result.get(m.memberId) ?? [];
        m.assignmentUserData = null;
      }
    }
    this.assignedCounts = counts;
    this.fsm.transition('CompletingRebalance');
  }
}
