import type { AssignorAssignment, AssignorSubscription, ConsumerPartitionAssignor } from '../core/client.js';
import { TributaryError } from '../core/errors.js';
import type { TopicPartition } from '../core/record.js';
import type { StreamsLogger } from '../processor/deserialization-exception-handler.js';
import { assignTasks, type ClientTaskState } from './task-assignor.js';
import type { TopologyMetadata } from './topology-metadata.js';

/** Version of the userData below; a member that cannot read a version counts as having no state. */
const USERDATA_VERSION = 1;

/** What a member tells the leader when it joins (Kafka's `SubscriptionInfo`, as JSON). */
interface SubscriptionInfo {
  readonly version: number;
  /** The active tasks of its last assignment. */
  readonly active: readonly string[];
  /** taskId → sum of the changelog positions of the state it keeps for the task (its standbys). */
  readonly taskOffsets: Readonly<Record<string, number>>;
}

/** The tasks one member runs, as the leader decided (Kafka's `AssignmentInfo`, as JSON). */
export interface StreamsAssignmentInfo {
  readonly active: readonly string[];
  readonly standby: readonly string[];
}

/**
 * The client-side assignor of a streams application (Kafka's `StreamsPartitionAssignor`): members
 * join with their task state in the subscription userData; the leader turns the partitions into
 * tasks (`<subtopology>_<partition>`: partition p of every source topic of a sub-topology), assigns
 * active and standby tasks with {@link assignTasks}, and gives each member the input partitions of
 * its active tasks plus, in the assignment userData, its active and standby task ids.
 *
 * Steps, as the group protocol runs them:
 * 1. `subscriptionUserData`: this instance's last active tasks and `localState()` (standby positions);
 * 2. `assign` (on the leader): tasks from the partition counts, `assignTasks`, partitions per member;
 * 3. `onAssignment` (on every member, before `onPartitionsAssigned`): remember the task ids, read by
 *    the stream thread as `assignment`.
 * @example
 * const assignor = new StreamsPartitionAssignor(meta, 1, () => standbys.offsetSums(), logger);
 * const consumer = clients.consumer({ groupId: 'app', assignor });
 */
export class StreamsPartitionAssignor implements ConsumerPartitionAssignor {
  readonly name = 'tributary-streams';
  #assignment: StreamsAssignmentInfo = { active: [], standby: [] };

  constructor(
    private readonly meta: TopologyMetadata,
    private readonly numStandbyReplicas: number,
    /** taskId → changelog position sum of the local state this instance keeps for it (standbys). */
    private readonly localState: () => ReadonlyMap<string, number>,
    private readonly logger: StreamsLogger,
  ) {}

  /** The tasks of this member's latest assignment. */
  get assignment(): StreamsAssignmentInfo {
    return this.#assignment;
  }

  // Step 1
  subscriptionUserData(): Buffer {
    const info: SubscriptionInfo = { version: USERDATA_VERSION, active: this.#assignment.active, taskOffsets: Object.fromEntries(this.localState()) };
    return Buffer.from(JSON.stringify(info));
  }

  // Step 2
  assign(members: readonly AssignorSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, AssignorAssignment> {
    const partitionsOf = new Map<string, TopicPartition[]>();
    const stateful = new Set<string>();
    for (const sub of this.meta.subtopologies) {
      const counts = sub.sourceTopics.map((t) => partitionsPerTopic.get(t)).filter((n): n is number => n !== undefined);
      const n = counts.length === 0 ? 0 : Math.max(...counts);
      for (let p = 0; p < n; p++) {
        const id = `${sub.id}_${p}`;
        const parts: TopicPartition[] = [];
        for (const topic of sub.sourceTopics) if (p < (partitionsPerTopic.get(topic) ?? 0)) parts.push({ topic, partition: p });
        partitionsOf.set(id, parts);
        if (sub.changelogs.length > 0) stateful.add(id);
      }
    }
    const clients: ClientTaskState[] = members.map((m) => this.#decodeSubscription(m));
    const tasks = assignTasks(clients, [...partitionsOf.keys()], stateful, this.numStandbyReplicas);
    const result = new Map<string, AssignorAssignment>();
    for (const [memberId, t] of tasks) {
      const partitions = t.active.flatMap((id) => partitionsOf.get(id)!);
      const info: StreamsAssignmentInfo & { version: number } = { version: USERDATA_VERSION, active: t.active, standby: t.standby };
      result.set(memberId, { partitions, userData: Buffer.from(JSON.stringify(info)) });
    }
    return result;
  }

  // Step 3
  onAssignment(assignment: AssignorAssignment, generation: number): void {
    const raw = assignment.userData;
    let info: Partial<StreamsAssignmentInfo & { version: number }> | undefined;
    try {
      info = raw === null ? undefined : (JSON.parse(raw.toString('utf8')) as typeof info);
    } catch {
      info = undefined;
    }
    if (info === undefined || info.version !== USERDATA_VERSION || !isStringArray(info.active) || !isStringArray(info.standby)) {
      throw new TributaryError(
        'ASSIGNMENT_INFO_INVALID',
        `generation ${generation}: the group leader sent an assignment this instance cannot read (expected "${this.name}" userData version ${USERDATA_VERSION}); ` +
          `do all instances of the application run the same tributary version?`,
      );
    }
    this.#assignment = { active: info.active, standby: info.standby };
  }

  #decodeSubscription(m: AssignorSubscription): ClientTaskState {
    const empty: ClientTaskState = { id: m.memberId, previousActive: new Set(), taskOffsets: new Map() };
    if (m.userData === null) return empty;
    try {
      const info = JSON.parse(m.userData.toString('utf8')) as Partial<SubscriptionInfo>;
      if (info.version !== USERDATA_VERSION || !isStringArray(info.active) || typeof info.taskOffsets !== 'object' || info.taskOffsets === null) {
        throw new TypeError(`version ${String(info.version)}`);
      }
      const offsets = new Map<string, number>();
      for (const [task, sum] of Object.entries(info.taskOffsets)) if (typeof sum === 'number' && Number.isFinite(sum)) offsets.set(task, sum);
      return { id: m.memberId, previousActive: new Set(info.active), taskOffsets: offsets };
    } catch (e) {
      // A member that cannot be read is assigned as if it had no state: it still gets its share.
      this.logger.warn(`member ${m.memberId} joined with subscription userData this leader cannot read (${e instanceof Error ? e.message : String(e)}); assigning it as a fresh instance`);
      return empty;
    }
  }
}

function isStringArray(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}
