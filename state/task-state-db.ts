import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Level } from 'level';
import { StateDirLockedError } from '../src/core/errors.js';
import { directBatch, type ChainedBatchLike } from './internal/direct-batch.js';
import { StoreSpace, type SpaceBatch, type SpaceRoot, type SpaceSublevel } from './internal/store-space.js';

/** Names of sublevels tributary keeps for itself (user store names never start with `__tributary`). */
const CHECKPOINT_SUBLEVEL = '__tributary.checkpoint';

/** The checkpoint sublevel, made once per database (not a sublevel object per commit). */
function checkpointSublevelOf(db: Level<Buffer, Buffer>) {
  return db.sublevel<string, Buffer>(CHECKPOINT_SUBLEVEL, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
}

/** Directories held by a TaskStateDb of this process, to fail fast with a typed error. */
const heldDirs = new Map<string, string>();

/** Options of {@link TaskStateDb.open}. */
export interface TaskStateDbOptions {
  /** `<stateDir>/<applicationId>/<taskId>`. */
  readonly dir: string;
  /** Who holds the directory, for lock errors (e.g. the task id). */
  readonly owner?: string;
  /** Where warnings go (a wiped corrupt directory). Defaults to `console.warn`. */
  readonly onWarning?: (message: string) => void;
}

/**
 * The one LevelDB of a task (DESIGN.md §5): `<stateDir>/<applicationId>/<taskId>/`, one sublevel per
 * persistent store plus one for the checkpoint, so one atomic batch writes every store change of a
 * commit together with the checkpoint offsets.
 *
 * Stores never await LevelDB per record: writes are staged in memory (per store, last write wins)
 * and reads that miss the staged writes use `getSync`. `commit(offsets)` writes them all.
 *
 * Opening (numbered as in the code):
 * 1. take the process-local lock on the directory (a second opener gets `StateDirLockedError`);
 * 2. open LevelDB; if LevelDB reports corruption, warn, wipe the directory and open it empty —
 *    `restoreRequired` then tells the runtime that a full restore from the changelog is needed;
 * 3. read the checkpoint into memory.
 * @example
 * const db = await TaskStateDb.open({ dir: join(stateDir, applicationId, '0_1') });
 * // ... init stores with { ...ctx, stateDb: db }, process records ...
 * await db.commit(new Map([['app-counts-changelog-1', 42]]));
 */
export class TaskStateDb {
  private readonly spaces = new Map<string, StoreSpace>();
  private checkpoint = new Map<string, number>();
  private closed = false;
  private readonly checkpointSublevel: ReturnType<typeof checkpointSublevelOf>;

  private constructor(
    readonly dir: string,
    private db: Level<Buffer, Buffer>,
    /** True when the directory was wiped at open (corrupt): restore every store from offset 0. */
    readonly restoreRequired: boolean,
  ) {
    this.checkpointSublevel = checkpointSublevelOf(db);
  }

  /** Opens (or creates) a task's state directory. */
  static async open(options: TaskStateDbOptions): Promise<TaskStateDb> {
    const dir = resolve(options.dir);
    const owner = options.owner ?? dir;
    // Step 1: the process-local lock.
    const holder = heldDirs.get(dir);
    if (holder !== undefined) throw new StateDirLockedError(dir, holder);
    heldDirs.set(dir, owner);
    try {
      // Step 2: open, wiping a corrupt directory.
      let restoreRequired = false;
      let db: Level<Buffer, Buffer>;
      try {
        db = await openLevel(dir);
      } catch (err) {
        if (!isCorruption(err)) throw translateOpenError(err, dir);
        (options.onWarning ?? console.warn)(
          `tributary: state directory ${dir} is corrupt (${causeMessage(err)}); wiped it, the task's stores will be restored from their changelogs`,
        );
        await rm(dir, { recursive: true, force: true });
        db = await openLevel(dir);
        restoreRequired = true;
      }
      const taskDb = new TaskStateDb(dir, db, restoreRequired);
      // Step 3: the checkpoint.
      await taskDb.loadCheckpoint();
      return taskDb;
    } catch (err) {
      heldDirs.delete(dir);
      throw err;
    }
  }

  /**
   * Opens the space of one store (a sublevel); a store name can be held once at a time. Async
   * because a new sublevel is usable (`getSync`) only once its open completes.
   */
  async space(store: string): Promise<StoreSpace> {
    this.assertOpen();
    if (store.startsWith('__tributary')) throw new TypeError(`store name "${store}" is reserved`);
    if (this.spaces.has(store)) throw new StateDirLockedError(`${this.dir} (store "${store}")`, 'another open store of the same name');
    const sub = this.db.sublevel<Buffer, Buffer>(store, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    const prefix = Buffer.from(sub.prefix, 'utf8');
    const root = this.db as unknown as SpaceRoot;
    const space = new StoreSpace(store, sub as unknown as SpaceSublevel, root, prefix, () => this.spaces.delete(store));
    this.spaces.set(store, space);
    try {
      await sub.open();
    } catch (err) {
      space.release();
      throw err;
    }
    return space;
  }

  /** The checkpointed changelog offsets (`topic-partition` → next offset to restore from). */
  readCheckpoint(): Map<string, number> {
    return new Map(this.checkpoint);
  }

  /** Number of staged writes across all stores. */
  pendingWrites(): number {
    let n = 0;
    for (const s of this.spaces.values()) n += s.pendingCount();
    return n;
  }

  /**
   * Writes every staged store change and the checkpoint in one atomic LevelDB batch. Writes staged
   * while the batch is in flight stay staged for the next commit.
   *
   * `writeAfter`: the batch is taken now (synchronously, before the first await) but written only
   * once this resolves true — a caller whose checkpoint must follow other I/O can take the batch at
   * the right moment and go on staging writes meanwhile. False (or a rejection) writes nothing: the
   * taken writes go back to staging, as after a failed write.
   */
  async commit(checkpointOffsets: ReadonlyMap<string, number>, writeAfter?: Promise<boolean>): Promise<void> {
    this.assertOpen();
    const batch = this.db.batch();
    const taken: StoreSpace[] = [];
    // The checkpoint first, through the public API (order inside one atomic batch does not matter:
    // its keys live in their own sublevel).
    const cp = this.checkpointSublevel;
    let checkpointOps = 0;
    for (const tp of this.checkpoint.keys()) {
      if (!checkpointOffsets.has(tp)) {
        batch.del(tp, { sublevel: cp } as never);
        checkpointOps++;
      }
    }
    for (const [tp, offset] of checkpointOffsets) {
      const v = Buffer.allocUnsafe(8);
      v.writeBigInt64BE(BigInt(offset));
      batch.put(tp, v, { sublevel: cp } as never);
      checkpointOps++;
    }
    // classic-level copies each key into the native WriteBatch as it is added (binding.cc batch_put
    // -> WriteBatch::Put); abstract-level keeps the key object only for 'write' listeners and
    // prewrite hooks, which this private database never gets (checked anyway). So store spaces may
    // pass one reused buffer per key length instead of a new one per staged write, and their writes
    // may skip the public put's per-operation work (see directBatch).
    const copiesKeys = this.db.listenerCount('write') === 0 && (this.db.hooks.prewrite as { noop?: boolean }).noop === true;
    const target = copiesKeys ? directBatch(batch as unknown as ChainedBatchLike, checkpointOps > 0) : (batch as unknown as SpaceBatch);
    for (const space of this.spaces.values()) {
      if (space.takePending(target, copiesKeys)) taken.push(space);
    }
    let failed = true;
    try {
      if (writeAfter !== undefined && !(await writeAfter.catch(() => false))) {
        await batch.close();
        return;
      }
      await batch.write();
      failed = false;
    } finally {
      for (const s of taken) s.releaseInFlight(failed);
    }
    this.checkpoint = new Map(checkpointOffsets);
  }

  /**
   * Drops every store's data and the checkpoint (the directory is kept, empty) — for a task whose
   * state is ahead of its changelog (TaskCorruptedError). Close the task's stores first: their
   * in-memory key indexes would otherwise describe data that is gone.
   */
  async wipe(): Promise<void> {
    this.assertOpen();
    if (this.spaces.size > 0) {
      throw new TypeError(`TaskStateDb ${this.dir}: close stores ${[...this.spaces.keys()].join(', ')} before wiping`);
    }
    await this.db.clear();
    this.checkpoint = new Map();
  }

  /** Closes LevelDB and releases the lock. Staged writes not committed are lost. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.db.close();
    } finally {
      heldDirs.delete(this.dir);
    }
  }

  isOpen(): boolean {
    return !this.closed;
  }

  private async loadCheckpoint(): Promise<void> {
    for await (const [tp, v] of this.checkpointSublevel.iterator()) this.checkpoint.set(tp, Number(v.readBigInt64BE(0)));
  }

  private assertOpen(): void {
    if (this.closed) throw new TypeError(`TaskStateDb ${this.dir} is closed`);
  }
}

async function openLevel(dir: string): Promise<Level<Buffer, Buffer>> {
  await mkdir(dir, { recursive: true });
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  if (!(db.supports as { getSync?: boolean }).getSync) throw new TypeError('tributary needs a level with getSync (level >= 10 on Node)');
  return db;
}

function codes(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string') out.push(e.code);
    if (out.length > 5) break;
  }
  return out;
}

function isCorruption(err: unknown): boolean {
  return codes(err).includes('LEVEL_CORRUPTION');
}

function causeMessage(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
}

function translateOpenError(err: unknown, dir: string): unknown {
  return codes(err).includes('LEVEL_LOCKED') ? new StateDirLockedError(dir, 'another process', { cause: err }) : err;
}
