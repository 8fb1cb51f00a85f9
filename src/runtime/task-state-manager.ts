import { Subject, type Observable } from 'rxjs';
import { StateRestorer, type RestoreProgress } from '../../state/state-restorer.js';
import type { RestorableStore } from '../../state/key-value-entry.js';
import type { StateStore } from '../../state/state-store.js';
import type { TaskStateDb } from '../../state/task-state-db.js';
import { ThreadCache } from '../../state/thread-cache.js';
import type { ClientFactory } from '../client/client-factory.js';
import type { Admin, Producer } from '../core/client.js';
import { TaskCorruptedError } from '../core/errors.js';
import type { TaskExecutor } from '../processor/task-executor.js';
import { ChangelogOffsets, checkpointKey } from './changelog-offsets.js';
import { changelogBatches, changelogRange } from './changelog-restore.js';
import { openTaskDb } from './open-task-db.js';
import type { ResolvedStreamsConfig } from './streams-config.js';
import type { TopologyMetadata } from './topology-metadata.js';


/** Restore progress of one store of one task: `StateRestorer`'s progress plus where it comes from. */
export interface TaskRestoreProgress extends RestoreProgress {
  readonly taskId: string;
  /** The changelog topic being replayed. */
  readonly topic: string;
  /** True on the last event of this store's restore. */
  readonly done: boolean;
}

/** What a task gets to build its executor with. */
export interface TaskStateExtras {
  readonly stateDb: TaskStateDb | undefined;
  readonly cache: ThreadCache;
  /** The instance's global stores (read-only views), readable by every processor. */
  readonly globalStores: ReadonlyMap<string, StateStore>;
}

/** A logged store of a sub-topology and its changelog topic. */
interface ChangelogSpec {
  readonly store: string;
  readonly topic: string;
}

/** One logged store of a task. */
interface LoggedStore {
  readonly spec: ChangelogSpec;
  /** Checkpoint key `<changelog>-<partition>`. */
  readonly key: string;
}

/** The state of one task this instance runs. */
interface TaskState {
  readonly taskId: string;
  readonly partition: number;
  readonly db: TaskStateDb | undefined;
  executor: TaskExecutor;
  readonly logged: readonly LoggedStore[];
  /** Changelog end offset each persistent logged store's local state reflects (restored, or checkpointed). */
  readonly offsets: Map<string, number>;
}

/**
 * The state stores of one application instance's tasks: their LevelDB directories, the shared
 * record cache, restoration from changelogs, and checkpoints (Kafka's `ProcessorStateManager` +
 * `StoreChangelogReader`, for active tasks).
 *
 * `initTask` (task creation, called while partitions are being assigned — the app is REBALANCING):
 * 1. open the task's `TaskStateDb` under `<stateDir>/<applicationId>/<taskId>/` (only for a
 *    sub-topology with stores; a corrupt directory is wiped by `TaskStateDb.open` and flagged; a
 *    directory still locked by the task's previous owner in this process is retried for 10 s);
 * 2. build the executor with the db and the instance's one `ThreadCache(cacheMaxBytes)`, `initAsync()`;
 * 3. restore every logged store before the task processes anything: read its changelog partition
 *    with a dedicated restore consumer (assign mode, `read_committed`), in batches, from the
 *    checkpoint — persistent stores only, and not when the db was wiped — or else from the start,
 *    to the end offset read when the restore starts, through `StateRestorer` (progress on
 *    `restoreProgress$`; the stores are marked restoring, so interactive queries refuse them);
 * 4. a checkpoint past the changelog's end (`TaskCorruptedError`: local state ahead of its
 *    changelog) closes the executor, wipes the db and starts again from step 2, once.
 *
 * `checkpoint` is the last step of a commit, `closeTask` the last step of closing a task: see them.
 * @example
 * const state = new TaskStateManager(TopologyMetadata.of(topology, 'app'), config);
 * state.bind(broker, broker.admin());
 * const executor = await state.initTask(1, 0, (extras) => new TaskExecutor(topology, { ...options, ...extras }));
 */
export class TaskStateManager {
  /** The instance's record cache, shared by the caching layers of every task's stores. */
  readonly cache: ThreadCache;
  /** The global stores' read-only views, set by the application once the global thread bootstrapped them. */
  globalStores: ReadonlyMap<string, StateStore> = new Map();
  readonly #config: ResolvedStreamsConfig;
  readonly #specsBySubtopology = new Map<number, ChangelogSpec[]>();
  readonly #storesBySubtopology = new Map<number, readonly string[]>();
  readonly #offsets: ChangelogOffsets;
  readonly #tasks = new Map<string, TaskState>();
  /** Store name → task ids restoring it now. */
  readonly #restoring = new Map<string, Set<string>>();
  readonly #progress = new Subject<TaskRestoreProgress>();
  #clients: { factory: ClientFactory; admin: Admin } | undefined;
  #restoredRecords = 0;
  #restoredStores = 0;
  #hasStores = false;
  /** An overlapped checkpoint still writing (never rejects: its failure waits in #inFlightError). */
  #inFlight: Promise<void> | undefined;
  #inFlightError: unknown = undefined;

  /** Restore progress of every store of every task this instance restores (never errors, never completes). */
  readonly restoreProgress$: Observable<TaskRestoreProgress> = this.#progress.asObservable();

  constructor(meta: TopologyMetadata, config: ResolvedStreamsConfig) {
    this.#config = config;
    this.cache = new ThreadCache(config.cacheMaxBytes);
    for (const sub of meta.subtopologies) {
      if (sub.storeNames.length > 0) this.#hasStores = true;
      this.#storesBySubtopology.set(sub.id, sub.storeNames);
      this.#specsBySubtopology.set(sub.id, sub.changelogs.map((c) => ({ store: c.store, topic: c.topic })));
    }
    this.#offsets = new ChangelogOffsets(meta.subtopologies.flatMap((s) => s.changelogs.map((c) => c.topic)));
  }

  /** Gives the manager the clients its restore consumers and end-offset lookups use (at start). */
  bind(factory: ClientFactory, admin: Admin): void {
    this.#clients = { factory, admin };
  }

  /** The producer to send changelog records through, so checkpoints learn the acknowledged offsets. */
  trackProducer(producer: Producer): Producer {
    return this.#offsets.wrap(producer);
  }

  /**
   * State metrics (only for a topology with stores): `restore-records-total` (changelog records
   * replayed), `restore-total` (store partitions restored), `restoring-stores` (now),
   * `cache-size-bytes` and `cache-evictions-total` of the record cache.
   */
  metrics(): Record<string, number> {
    if (!this.#hasStores) return {};
    let restoring = 0;
    for (const tasks of this.#restoring.values()) restoring += tasks.size;
    return {
      'restore-records-total': this.#restoredRecords,
      'restore-total': this.#restoredStores,
      'restoring-stores': restoring,
      'cache-size-bytes': this.cache.sizeBytes(),
      'cache-evictions-total': this.cache.evictionCount(),
    };
  }

  /** True while some local task restores `store`. */
  isRestoring(store: string): boolean {
    return (this.#restoring.get(store)?.size ?? 0) > 0;
  }

  /** Creates a task's executor with its state and restores its stores; see the class comment. */
  async initTask(subtopologyId: number, partition: number, make: (extras: TaskStateExtras) => TaskExecutor): Promise<TaskExecutor> {
    const taskId = `${subtopologyId}_${partition}`;
    const stores = this.#storesBySubtopology.get(subtopologyId) ?? [];
    // Step 1
    const db = stores.length === 0 ? undefined : await openTaskDb(this.#config, taskId, 'task');
    const logged = (this.#specsBySubtopology.get(subtopologyId) ?? []).map((spec) => ({ spec, key: checkpointKey(spec.topic, partition) }));
    let executor: TaskExecutor | undefined;
    try {
      for (let attempt = 0; ; attempt++) {
        // Step 2
        executor = make({ stateDb: db, cache: this.cache, globalStores: this.globalStores });
        await executor.initAsync();
        const state: TaskState = { taskId, partition, db, executor, logged, offsets: new Map() };
        try {
          // Step 3
          await this.#restore(state, attempt === 0 && db !== undefined && !db.restoreRequired);
          this.#tasks.set(taskId, state);
          return executor;
        } catch (e) {
          // Step 4
          if (!(e instanceof TaskCorruptedError) || attempt > 0 || db === undefined) throw e;
          this.#config.logger.warn(`task ${taskId}: ${e.message}; wiping its local state and restoring from the changelogs`);
          const closing = executor.close();
          executor = undefined;
          if (closing instanceof Promise) await closing;
          await db.wipe();
        }
      }
    } catch (e) {
      try {
        const closing = executor?.close();
        if (closing instanceof Promise) await closing;
      } finally {
        await db?.close();
      }
      throw e;
    }
  }



  async #restore(state: TaskState, useCheckpoint: boolean): Promise<void> {
    if (state.logged.length === 0) return;
    const clients = this.#clients;
    if (clients === undefined) throw new TypeError('TaskStateManager: bind(clients, admin) before creating tasks');
    const checkpoint = useCheckpoint && state.db !== undefined ? state.db.readCheckpoint() : new Map<string, number>();
    for (const [key, offset] of checkpoint) state.offsets.set(key, offset);
    const names = state.logged.map((l) => l.spec.store);
    for (const name of names) this.#markRestoring(name, state.taskId, true);
    const consumer = clients.factory.consumer({
      clientId: `${this.#config.applicationId}-restore-consumer`,
      isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest',
      autoCommit: false,
    });
    try {
      for (const { spec, key } of state.logged) {
        const store = state.executor.store(spec.store);
        if (store === undefined || !isRestorable(store)) {
          this.#config.logger.warn(`task ${state.taskId}: store "${spec.store}" cannot restore from its changelog (no restoreBatch); it starts empty`);
          continue;
        }
        // Only a persistent store keeps what a checkpoint describes; in-memory ones replay everything.
        const persistent = store.persistent() && state.db !== undefined;
        const from = persistent ? checkpoint.get(key) : undefined;
        const range = await changelogRange(clients.admin, spec.topic, state.partition, from);
        const db = state.db;
        const restorer = new StateRestorer({
          store,
          partition: state.partition,
          checkpoint: from,
          endOffset: range.end,
          source: changelogBatches(consumer, spec.topic, state.partition, Math.min(range.from, range.end), range.end, this.#config.maxPollRecords),
          commit:
            persistent && db !== undefined
              ? async (next) => {
                  state.offsets.set(key, next);
                  await db.commit(this.#checkpointOf(state));
                }
              : undefined,
        });
        let last: RestoreProgress | undefined;
        const sub = restorer.progress$.subscribe({
          next: (p) => {
            last = p;
            this.#progress.next({ ...p, taskId: state.taskId, topic: spec.topic, done: false });
          },
          error: () => undefined,
        });
        try {
          const result = await restorer.run();
          this.#restoredRecords += result.records;
          this.#restoredStores++;
          if (persistent) state.offsets.set(key, Math.max(result.nextOffset, state.offsets.get(key) ?? 0));
          const p = last ?? { store: spec.store, partition: state.partition, restored: 0, total: 0 };
          this.#progress.next({ ...p, taskId: state.taskId, topic: spec.topic, done: true });
        } finally {
          sub.unsubscribe();
        }
        this.#markRestoring(spec.store, state.taskId, false);
      }
    } finally {
      for (const name of names) this.#markRestoring(name, state.taskId, false);
      await consumer.close().catch((e: unknown) => this.#config.logger.warn('closing the restore consumer failed', e));
    }
  }

  #markRestoring(store: string, taskId: string, on: boolean): void {
    let set = this.#restoring.get(store);
    if (on) {
      if (set === undefined) this.#restoring.set(store, (set = new Set()));
      set.add(taskId);
    } else set?.delete(taskId);
  }

  /** The checkpoint of a task: each persistent logged store's changelog end offset (in-memory stores always replay from the start). */
  #checkpointOf(state: TaskState): Map<string, number> {
    const cp = new Map<string, number>();
    for (const { spec, key } of state.logged) {
      if (state.executor.store(spec.store)?.persistent() !== true) continue;
      const written = this.#offsets.get(spec.topic, state.partition);
      const known = state.offsets.get(key);
      const offset = written === undefined ? known : Math.max(written, known ?? 0);
      if (offset !== undefined) cp.set(key, offset);
    }
    return cp;
  }

  /**
   * Step 5 of a commit, after the offsets commit (see `commitTasks` for steps 1–4): per task with a
   * db, write every staged store change together with the checkpoint — each logged persistent
   * store's changelog end offset this instance knows (acknowledged writes, else what was restored) —
   * in one atomic LevelDB batch (`TaskStateDb.commit`).
   *
   * Why this order is safe for at-least-once: by step 5 the changelog records of every store change
   * are acknowledged (step 1 flushed the caches and awaited the sends), so the checkpoint never
   * claims more than the changelog holds, and the local data it is written with is exactly what the
   * changelog up to that offset describes. A crash before step 5 leaves the previous checkpoint and
   * data: the next start replays the changelog tail past it, reaching the same state. A crash
   * between steps 3 and 5 only means a longer replay. Input offsets committed in step 3 come after
   * the output and changelog are durable, so a crash re-processes input at worst (duplicates, never
   * loss). Only a checkpoint written before its changelog was durable could put local state ahead
   * of the changelog; that order is never used.
   *
   * The tasks' batches are taken synchronously and written in parallel. With `overlap` (the stream
   * thread's interval commits) this returns once they are taken, not written: the thread processes
   * on while LevelDB writes, as a crash in between is the same as one between steps 3 and 5. The
   * next checkpoint, `closeTask` and `settleCheckpoints` wait for the write; a failure is thrown by
   * the next checkpoint or `settleCheckpoints`. `writeAfter` (an overlapped step 3 still in
   * flight): the batches are taken now and written once it resolves true, so the order of steps 3
   * and 5 holds though the thread went on (see `TaskStateDb.commit`).
   * @example
   * await commitTasks(consumer, collector, tasks, metrics, clock, logger);
   * await state.checkpoint(tasks.keys());
   */
  async checkpoint(taskIds: Iterable<string>, overlap = false, writeAfter?: Promise<boolean>): Promise<void> {
    // The previous commit's writes must have landed: a task db writes one batch at a time, and its
    // failure fails this commit (its writes went back to staging and go again below).
    await this.settleCheckpoints();
    const writes: Promise<void>[] = [];
    // Each db.commit takes its staged writes synchronously, before its first await: the batches hold
    // exactly what the commit flushed, and the tasks' databases write them in parallel.
    for (const id of taskIds) {
      const state = this.#tasks.get(id);
      if (state?.db === undefined) continue;
      writes.push(state.db.commit(this.#checkpointOf(state), writeAfter));
    }
    if (writes.length === 0) return;
    const landed = Promise.allSettled(writes).then((results) => {
      for (const r of results) if (r.status === 'rejected') throw r.reason;
    });
    if (!overlap) return landed;
    // Overlapped: processing goes on while LevelDB writes (staged writes keep serving reads); the next
    // commit, a task close or `settleCheckpoints` waits for it and rethrows its failure.
    this.#inFlight = landed.catch((e: unknown) => {
      this.#inFlightError ??= e;
    });
  }

  /** Waits until an overlapped checkpoint (see {@link checkpoint}) has landed; rethrows its failure. */
  async settleCheckpoints(): Promise<void> {
    if (this.#inFlight !== undefined) {
      await this.#inFlight;
      this.#inFlight = undefined;
    }
    const failure = this.#inFlightError;
    if (failure !== undefined) {
      this.#inFlightError = undefined;
      throw failure;
    }
  }

  /**
   * The last step of closing a task (after its executor closed its stores, which the caller did,
   * committing first on a clean close): close its `TaskStateDb`, releasing the directory lock so the
   * task can open here again or elsewhere in this process. Staged writes not committed are dropped;
   * the changelog still has them.
   * @example
   * await task.close();
   * await state.closeTask(task.id);
   */
  async closeTask(taskId: string): Promise<void> {
    const state = this.#tasks.get(taskId);
    if (state === undefined) return;
    // Never close a database under its own batch write (a failure of it is reported by the next commit).
    await this.#inFlight;
    this.#tasks.delete(taskId);
    for (const { spec } of state.logged) this.#offsets.forget(spec.topic, state.partition);
    await state.db?.close();
  }
}

function isRestorable(store: StateStore): store is StateStore & RestorableStore {
  return typeof (store as Partial<RestorableStore>).restoreBatch === 'function';
}
