import { StagedWrites } from './staged-writes.js';

/** The slice of a `level` sublevel a store space uses: key iteration at open. */
export interface SpaceSublevel {
  keys(): { nextv(n: number): Promise<Buffer[]>; close(): Promise<void> };
}

/** The slice of the root database a store space reads from. */
export interface SpaceRoot {
  getSync(key: Buffer): Buffer | undefined;
}

/** The slice of a chained batch (on the root database) a store space writes into. */
export interface SpaceBatch {
  put(key: Buffer, value: Buffer): unknown;
  del(key: Buffer): unknown;
}

/**
 * One persistent store's sublevel inside a task's LevelDB, with its staged (not yet committed)
 * writes. Reads look at the staged writes first, then at the batch being written, then `getSync`.
 * The staged writes of a commit are a {@link StagedWrites}: last write of a key wins.
 *
 * Why the root database with the sublevel's prefix, not the sublevel itself: the same bytes land on
 * disk (`!<store>!<key>`, readable through `db.sublevel(store)`), but a chained-batch `put` with the
 * `sublevel` option costs ~4.5x a plain one and a sublevel `getSync` ~1.3x a root one (measured here).
 */
export class StoreSpace {
  // key -> value (null: delete).
  private pending = new StagedWrites();
  private inFlight: StagedWrites | null = null;
  /** The writes of the last landed batch, emptied, kept to stage the next-but-one commit. */
  private spare: StagedWrites | null = null;

  constructor(
    readonly store: string,
    private readonly sub: SpaceSublevel,
    private readonly root: SpaceRoot,
    private readonly prefix: Buffer,
    private readonly onRelease: () => void,
  ) {}

  private dbKey(key: Buffer): Buffer {
    const out = Buffer.allocUnsafe(this.prefix.length + key.length);
    out.set(this.prefix, 0);
    out.set(key, this.prefix.length);
    return out;
  }

  /** The committed-or-staged value of a key; null when absent. */
  get(key: Buffer): Buffer | null {
    // A staged delete is null, not undefined: it hides the value below (so no `??` here).
    let staged = this.pending.get(key);
    if (staged === undefined && this.inFlight !== null) staged = this.inFlight.get(key);
    if (staged !== undefined) return staged;
    return this.root.getSync(this.dbKey(key)) ?? null;
  }

  /**
   * Stages a write (null = delete) for the next commit. Returns what it replaces when that is
   * known (the value staged since the last commit, null for a delete); undefined when the key was
   * not staged or the staging cannot tell without a lookup (see {@link StagedWrites.set}).
   */
  stage(key: Buffer, value: Buffer | null): Buffer | null | undefined {
    return this.pending.set(key, value);
  }

  /** Distinct keys staged for the next commit. */
  pendingCount(): number {
    return this.pending.size;
  }

  /** Every committed key, ascending (used once at init to build a store's in-memory key index). */
  async loadKeys(visit: (key: Buffer) => void): Promise<void> {
    const it = this.sub.keys();
    try {
      for (;;) {
        const keys = await it.nextv(1000);
        if (keys.length === 0) break;
        for (const k of keys) visit(k);
      }
    } finally {
      await it.close();
    }
  }

  /**
   * Moves staged writes into `batch`; they stay readable until {@link releaseInFlight}.
   * `batchCopiesKeys`: the batch copies a key's bytes when it is added and keeps no reference (the
   * caller checked); then one buffer per key length, prefix written once, carries every key —
   * no buffer per staged write, which on a large commit was most of the garbage it made.
   */
  takePending(batch: SpaceBatch, batchCopiesKeys = false): boolean {
    if (this.pending.empty) return false;
    if (batchCopiesKeys) {
      const plen = this.prefix.length;
      const byLength = new Map<number, Buffer>();
      const { keys, values } = this.pending.entries();
      let dbKey = this.prefix;
      for (let j = 0; j < keys.length; j++) {
        const key = keys[j]!;
        const n = key.length;
        if (dbKey.length !== plen + n) {
          let forLength = byLength.get(n);
          if (forLength === undefined) {
            forLength = Buffer.allocUnsafe(plen + n);
            forLength.set(this.prefix, 0);
            byLength.set(n, forLength);
          }
          dbKey = forLength;
        }
        if (n <= 32) for (let i = 0; i < n; i++) dbKey[plen + i] = key[i]!;
        else dbKey.set(key, plen);
        const value = values[j]!;
        if (value === null) batch.del(dbKey);
        else batch.put(dbKey, value);
      }
    } else {
      this.pending.forEach((key, value) => {
        if (value === null) batch.del(this.dbKey(key));
        else batch.put(this.dbKey(key), value);
      });
    }
    this.inFlight = this.pending;
    this.pending = this.spare ?? new StagedWrites();
    this.spare = null;
    return true;
  }

  /** The batch landed (or failed: then its writes go back to staging unless overwritten since). */
  releaseInFlight(failed = false): void {
    const landed = this.inFlight;
    if (landed === null) return;
    if (failed) {
      landed.forEachLatest((key, value) => {
        if (this.pending.get(key) === undefined) this.pending.set(key, value);
      });
    }
    this.inFlight = null;
    landed.clear();
    this.spare = landed;
  }

  discardPending(): void {
    this.pending = new StagedWrites();
    this.inFlight = null;
    this.spare = null;
  }

  /** Gives the store name back to the task's LevelDB (the store closed). */
  release(): void {
    this.onRelease();
  }
}
