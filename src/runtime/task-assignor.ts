import { compareTaskIds } from './thread-metadata.js';

/** What the group leader knows about one instance when it assigns tasks. */
export interface ClientTaskState {
  /** The member id (one stream thread per instance, so one member per instance). */
  readonly id: string;
  /** Tasks the instance ran as active in the previous generation (its stores are current). */
  readonly previousActive: ReadonlySet<string>;
  /** Tasks the instance keeps local state for (standbys), with the sum of their changelog positions. */
  readonly taskOffsets: ReadonlyMap<string, number>;
}

/** The tasks one instance runs. */
export interface ClientTasks {
  readonly active: string[];
  readonly standby: string[];
}

/**
 * Assigns active and standby tasks to instances (the part of Kafka's `StreamsPartitionAssignor` that
 * decides who runs what), deterministically, so every member would compute the same answer.
 *
 * Actives are balanced strictly (every instance gets ⌊T/N⌋ or ⌈T/N⌉) and placed in three passes, each
 * only onto an instance with room left:
 * 1. the instance that ran the task last generation (stickiness: its state is current);
 * 2. for the rest, the instance with the most local state for the task — a standby, highest
 *    changelog position first — so a failed-over task resumes where its state is warm;
 * 3. the rest to the least loaded instance (ties by member id).
 *
 * Then up to `numStandbyReplicas` standbys per stateful task, each on a distinct instance that does
 * not run the task as active (so a standby never shares its active's instance; with too few instances
 * a task gets fewer standbys). Instances that already keep state for the task come first, then the
 * ones with the fewest standbys.
 *
 * Kafka's HighAvailabilityTaskAssignor additionally keeps a task on a caught-up instance while a
 * "warmup" replica catches up elsewhere and moves it with a probing rebalance; this one moves a task
 * at once when balance requires it (the new owner restores it from its changelog).
 * @example
 * assignTasks([{ id: 'a', previousActive: new Set(['0_0']), taskOffsets: new Map() },
 *              { id: 'b', previousActive: new Set(), taskOffsets: new Map([['0_0', 42]]) }],
 *             ['0_0', '0_1'], new Set(['0_0', '0_1']), 1);
 * // a: active 0_0, standby 0_1; b: active 0_1, standby 0_0
 */
export function assignTasks(
  clients: readonly ClientTaskState[],
  tasks: readonly string[],
  statefulTasks: ReadonlySet<string>,
  numStandbyReplicas: number,
): Map<string, ClientTasks> {
  const sorted = [...clients].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const result = new Map<string, ClientTasks>(sorted.map((c) => [c.id, { active: [], standby: [] }]));
  if (sorted.length === 0) return result;
  const ordered = [...new Set(tasks)].sort(compareTaskIds);
  const base = Math.floor(ordered.length / sorted.length);
  let extraLeft = ordered.length % sorted.length;
  const load = new Map<string, number>(sorted.map((c) => [c.id, 0]));
  const owner = new Map<string, string>();
  const hasRoom = (id: string): boolean => load.get(id)! < base || (load.get(id)! === base && extraLeft > 0);
  const give = (task: string, id: string): void => {
    const n = load.get(id)! + 1;
    if (n > base) extraLeft--;
    load.set(id, n);
    owner.set(task, id);
    result.get(id)!.active.push(task);
  };

  // Pass 1
  for (const task of ordered) {
    const previous = sorted.find((c) => c.previousActive.has(task) && hasRoom(c.id));
    if (previous !== undefined) give(task, previous.id);
  }
  // Pass 2
  for (const task of ordered) {
    if (owner.has(task) || !statefulTasks.has(task)) continue;
    const warm = sorted
      .filter((c) => c.taskOffsets.has(task) && hasRoom(c.id))
      .sort((a, b) => b.taskOffsets.get(task)! - a.taskOffsets.get(task)!)[0];
    if (warm !== undefined) give(task, warm.id);
  }
  // Pass 3
  for (const task of ordered) {
    if (owner.has(task)) continue;
    let best: ClientTaskState | undefined;
    for (const c of sorted) if (hasRoom(c.id) && (best === undefined || load.get(c.id)! < load.get(best.id)!)) best = c;
    // Unreachable while the quotas add up to the task count; kept so a bug shows as an error, not a lost task.
    if (best === undefined) throw new RangeError(`assignTasks: no instance has room for task ${task}`);
    give(task, best.id);
  }

  // Standbys
  const standbyLoad = new Map<string, number>(sorted.map((c) => [c.id, 0]));
  for (const task of ordered) {
    if (!statefulTasks.has(task)) continue;
    const holders = new Set([owner.get(task)!]);
    for (let r = 0; r < numStandbyReplicas; r++) {
      let best: ClientTaskState | undefined;
      for (const c of sorted) {
        if (holders.has(c.id)) continue;
        if (best === undefined || betterStandby(c, best, task, standbyLoad)) best = c;
      }
      if (best === undefined) break;
      holders.add(best.id);
      standbyLoad.set(best.id, standbyLoad.get(best.id)! + 1);
      result.get(best.id)!.standby.push(task);
    }
  }
  return result;
}

/** Warm state first (highest position), then fewer standbys; `sorted` order breaks ties. */
function betterStandby(c: ClientTaskState, best: ClientTaskState, task: string, standbyLoad: ReadonlyMap<string, number>): boolean {
  const warmC = c.taskOffsets.get(task);
  const warmBest = best.taskOffsets.get(task);
  if (warmC !== undefined || warmBest !== undefined) {
    if (warmBest === undefined) return true;
    if (warmC === undefined) return false;
    if (warmC !== warmBest) return warmC > warmBest;
  }
  return standbyLoad.get(c.id)! < standbyLoad.get(best.id)!;
}
