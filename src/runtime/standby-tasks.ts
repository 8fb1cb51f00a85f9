import type { ChangelogRecord, RestorableStore } from '../../state/key-value-entry.js';
import type { StateStore } from '../../state/state-store.js';
import type { StoreContext } from '../../state/store-context.js';
import type { TaskStateDb } from '../../state/task-state-db.js';
import type { ClientFactory } from '../client/client-factory.js';
import type { Admin, Consumer } from '../core/client.js';
import { IllegalStateError } from '../core/errors.js';
import type { ConsumedRecord, TopicPartition } from '../core/record.js';
import type { Topology } from '../processor/topology.js';
import { checkpointKey } from './changelog-offsets.js';
import { changelogRange } from './changelog-restore.js';
import { openTaskDb } from './open-task-db.js';
import type { ResolvedStreamsConfig } from './streams-config.js';
import type { TopologyMetadata } from './topology-metadata.js';

/** One persistent logged store a standby keeps, and the changelog partition it follows. */
interface StandbyStore {
  readonly store: StateStore & RestorableStore;
  readonly topic: string;
  /** Checkpoint key `<changelog>-<partition>`. */
  readonly key: string;
}

/** A standby task: the stores of one task, kept up to date from their changelogs, never processing. */
interface StandbyTask {
  readonly id: string;
  readonly partition: number;
  readonly db: TaskStateDb;
  readonly stores: readonly StandbyStore[];
  /** Checkpoint key → next changelog offset the store's local data reflects. */
  readonly positions: Map<string, number>;
  /** Records applied since the last checkpoint. */
  dirty: boolean;
}

/**
 * The standby tasks of one instance (Kafka's `StandbyTask`s, updated by the stream thread's restore
 * consumer): each keeps a replica of a task's persistent logged stores in the task's usual
 * directory, `<stateDir>/<applicationId>/<taskId>/`, with the usual checkpoint, by reading the stores'
 * changelog partitions continuously — `read_committed` under `exactly_once_v2`, so it never holds
 * data of an open or aborted transaction — and applying them (`restoreBatch`: no cache, no
 * re-logging). It processes nothing and produces nothing. When its task becomes active here, the
 * standby is closed (checkpointing) and the active task opens the same directory and replays only
 * the changelog tail past that checkpoint.
 *
 * In-memory logged stores have no standby copy (a replica in memory would be lost when the standby
 * closes to become active); their active task replays their whole changelog. Interactive queries
 * never see standby stores (Kafka's default).
 *
 * `update(ids)` (at each assignment, before active tasks are created):
 * 1. close the standbys not in `ids` — checkpointing what they applied — releasing their directories;
 * 2. open the new ones: the task directory, its persistent logged stores (built from the topology's
 *    store builders), the checkpoint — wiped if it is past the changelog's end (state ahead of its
 *    changelog) — and the changelog positions to read from (the checkpoint, or the start);
 * 3. point the standby consumer (assign mode, no group) at every standby's changelog partitions.
 * `poll()` (once per loop iteration, never waiting) applies what arrived; `checkpoint()` (at each
 * commit) writes each changed standby's store data and checkpoint in one atomic batch.
 * @example
 * const standbys = new StandbyTasks(topology, meta, config);
 * standbys.bind(broker, broker.admin());
 * await standbys.update(['0_1']);
 * await standbys.poll();
 * await standbys.checkpoint();
 */
export class StandbyTasks {
  readonly #tasks = new Map<string, StandbyTask>();
  readonly #inMemoryWarned = new Set<string>();
  #clients: { factory: ClientFactory; admin: Admin } | undefined;
  #consumer: Consumer | undefined;
  /** Changelog partition (`topic-partition`) → its standby store. */
  readonly #byPartition = new Map<string, { task: StandbyTask; store: StandbyStore }>();
  #applied = 0;
  #closed = false;

  constructor(
    private readonly topology: Topology,
    private readonly meta: TopologyMetadata,
    private readonly config: ResolvedStreamsConfig,
  ) {}

  /** Gives the standbys the clients their consumer and changelog lookups use. */
  bind(factory: ClientFactory, admin: Admin): void {
    this.#clients = { factory, admin };
  }

  /** The standby task ids, sorted as assigned. */
  get ids(): string[] {
    return [...this.#tasks.keys()];
  }

  /** taskId → sum of its changelog positions (what the instance reports to the group leader). */
  offsetSums(): Map<string, number> {
    const sums = new Map<string, number>();
    for (const t of this.#tasks.values()) {
      let sum = 0;
      for (const p of t.positions.values()) sum += p;
      sums.set(t.id, sum);
    }
    return sums;
  }

  /** The next changelog offset a standby store has applied up to, or undefined if no standby keeps it. */
  position(taskId: string, store: string): number | undefined {
    const t = this.#tasks.get(taskId);
    const s = t?.stores.find((x) => x.store.name === store);
    return s === undefined ? undefined : t!.positions.get(s.key);
  }

  /** `standby-tasks` (now) and `standby-records-total` (changelog records applied to standbys). */
  metrics(): Record<string, number> {
    return { 'standby-tasks': this.#tasks.size, 'standby-records-total': this.#applied };
  }

  /** Makes the standbys exactly `ids`; see the class comment. */
  async update(ids: readonly string[]): Promise<void> {
    if (this.#closed) throw new IllegalStateError('StandbyTasks.update(): closed');
    const wanted = new Set(ids);
    // Step 1
    let failure: unknown;
    for (const id of [...this.#tasks.keys()]) {
      if (!wanted.has(id)) await this.#close(id).catch((e: unknown) => (failure ??= e));
    }
    if (failure !== undefined) throw failure;
    // Step 2
    for (const id of ids) {
      if (this.#tasks.has(id)) continue;
      const task = await this.#open(id);
      if (task !== undefined) this.#tasks.set(id, task);
    }
    // Step 3
    this.#reassign();
  }

  /** Applies the changelog records that arrived for the standbys (one poll, no waiting); returns how many. */
  async poll(maxRecords = this.config.maxPollRecords): Promise<number> {
    const consumer = this.#consumer;
    if (consumer === undefined || this.#byPartition.size === 0) return 0;
    const records = await consumer.poll({ maxRecords, timeoutMs: 0 });
    if (records.length === 0) return 0;
    const batches = new Map<string, ChangelogRecord[]>();
    for (const r of records) {
      if (r.key === null) continue; // not a store change
      const k = checkpointKey(r.topic, r.partition);
      let batch = batches.get(k);
      if (batch === undefined) batches.set(k, (batch = []));
      batch.push({ key: r.key, value: r.value, timestamp: r.timestamp });
    }
    for (const tp of partitionsOf(records)) {
      const k = checkpointKey(tp.topic, tp.partition);
      const target = this.#byPartition.get(k);
      if (target === undefined) continue; // left over from a partition no longer followed
      const batch = batches.get(k);
      if (batch !== undefined) {
        target.store.store.restoreBatch(batch);
        this.#applied += batch.length;
      }
      target.task.positions.set(k, consumer.position(tp.topic, tp.partition));
      target.task.dirty = true;
    }
    return records.length;
  }

  /** Writes each changed standby's store data and checkpoint atomically (at the thread's commit). */
  async checkpoint(): Promise<void> {
    for (const t of this.#tasks.values()) {
      if (!t.dirty) continue;
      t.dirty = false;
      await t.db.commit(new Map(t.positions));
    }
  }

  /** Closes every standby (checkpointing) and the standby consumer. Failures are logged; the first is rethrown. */
  async close(): Promise<void> {
    this.#closed = true;
    let failure: unknown;
    for (const id of [...this.#tasks.keys()]) await this.#close(id).catch((e: unknown) => (failure ??= e));
    const consumer = this.#consumer;
    this.#consumer = undefined;
    await consumer?.close().catch((e: unknown) => this.config.logger.warn('closing the standby consumer failed', e));
    if (failure !== undefined) throw failure;
  }

  async #close(id: string): Promise<void> {
    const t = this.#tasks.get(id);
    if (t === undefined) return;
    this.#tasks.delete(id);
    for (const s of t.stores) this.#byPartition.delete(s.key);
    try {
      if (t.dirty) await t.db.commit(new Map(t.positions));
      for (const s of t.stores) {
        const closing = s.store.close();
        if (closing instanceof Promise) await closing;
      }
    } finally {
      await t.db.close();
    }
  }

  /** Step 2 for one task; undefined when the task has no persistent logged store to keep. */
  async #open(id: string): Promise<StandbyTask | undefined> {
    const clients = this.#clients;
    if (clients === undefined) throw new TypeError('StandbyTasks: bind(clients, admin) before update()');
    const [sub, partition] = id.split('_').map(Number) as [number, number];
    const specs = this.meta.subtopology(sub)?.changelogs ?? [];
    const built: { store: StateStore & RestorableStore; topic: string }[] = [];
    for (const spec of specs) {
      const store = this.topology.storeBuilder(spec.store)?.build();
      if (store === undefined || !isRestorable(store)) continue;
      if (!store.persistent()) {
        if (!this.#inMemoryWarned.has(spec.store)) {
          this.#inMemoryWarned.add(spec.store);
          this.config.logger.warn(`store "${spec.store}" is in-memory: standby tasks keep no copy of it; a task moving here replays its whole changelog`);
        }
        continue;
      }
      built.push({ store, topic: spec.topic });
    }
    if (built.length === 0) return undefined;
    const db = await openTaskDb(this.config, id, 'standby task');
    const stores: StandbyStore[] = [];
    try {
      const positions = new Map<string, number>();
      let checkpoint = db.restoreRequired ? new Map<string, number>() : db.readCheckpoint();
      // A checkpoint past the changelog's end: the local state is ahead of its changelog; start over.
      for (const { topic } of built) {
        const key = checkpointKey(topic, partition);
        const range = await changelogRange(clients.admin, topic, partition, checkpoint.get(key));
        if ((checkpoint.get(key) ?? 0) > range.end) {
          this.config.logger.warn(`standby ${id}: checkpoint ${checkpoint.get(key)} of "${topic}" partition ${partition} is past its end ${range.end}; wiping the task's local state`);
          await db.wipe();
          checkpoint = new Map();
          break;
        }
      }
      const context = standbyContext(this.config, id, partition, db);
      for (const { store, topic } of built) {
        const init = store.init(context, store);
        if (init instanceof Promise) await init;
        const key = checkpointKey(topic, partition);
        stores.push({ store, topic, key });
        positions.set(key, checkpoint.get(key) ?? 0);
      }
      return { id, partition, db, stores, positions, dirty: false };
    } catch (e) {
      for (const s of stores) await Promise.resolve(s.store.close()).catch(() => undefined);
      await db.close();
      throw e;
    }
  }



  /** Step 3: the consumer follows every standby's changelog partitions, each from its position. */
  #reassign(): void {
    this.#byPartition.clear();
    const parts: TopicPartition[] = [];
    for (const task of this.#tasks.values()) {
      for (const store of task.stores) {
        this.#byPartition.set(store.key, { task, store });
        parts.push({ topic: store.topic, partition: task.partition });
      }
    }
    if (parts.length === 0 && this.#consumer === undefined) return;
    this.#consumer ??= this.#clients!.factory.consumer({
      clientId: `${this.config.applicationId}-standby-consumer`,
      isolationLevel: this.config.transactionalId === undefined ? 'read_uncommitted' : 'read_committed',
      autoOffsetReset: 'earliest',
      autoCommit: false,
    });
    this.#consumer.assign(parts);
    for (const tp of parts) {
      const { task, store } = this.#byPartition.get(checkpointKey(tp.topic, tp.partition))!;
      this.#consumer.seek(tp.topic, tp.partition, task.positions.get(store.key) ?? 0);
    }
  }
}

/** The context standby stores are opened with: the task's db, and no changelog writes (a standby never produces). */
function standbyContext(config: ResolvedStreamsConfig, taskId: string, partition: number, db: TaskStateDb): StoreContext {
  return {
    applicationId: config.applicationId,
    taskId,
    partition,
    stateDir: config.stateDir,
    stateDb: db,
    timestamp: () => -1,
    logChange: (store) => {
      throw new IllegalStateError(`standby task ${taskId}: store "${store}" was written to; standby stores only apply their changelog`);
    },
  };
}

/** The distinct partitions of a poll's records, in order of first appearance. */
function partitionsOf(records: readonly ConsumedRecord[]): TopicPartition[] {
  const seen = new Set<string>();
  const out: TopicPartition[] = [];
  for (const r of records) {
    const k = checkpointKey(r.topic, r.partition);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ topic: r.topic, partition: r.partition });
  }
  return out;
}

function isRestorable(store: StateStore): store is StateStore & RestorableStore {
  return typeof (store as Partial<RestorableStore>).restoreBatch === 'function';
}
