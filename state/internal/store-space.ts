/** The slice of a `level` sublevel a store space uses (kept narrow so tests can reason about it). */
export interface SpaceSublevel {
  getSync(key: Buffer): Buffer | undefined;
  keys(options?: { gte?: Buffer; lt?: Buffer }): AsyncIterable<Buffer> & { nextv(n: number): Promise<Buffer[]>; close(): Promise<void> };
}

/** The slice of a chained batch a store space writes into. */
export interface SpaceBatch {
  put(key: Buffer, value: Buffer, options: { sublevel: unknown }): unknown;
  del(key: Buffer, options: { sublevel: unknown }): unknown;
}

interface Staged {
  readonly key: Buffer;
  readonly value: Buffer | null;
}

/**
 * One persistent store's sublevel inside a task's LevelDB, with its staged (not yet committed)
 * writes. Reads look at the staged writes first, then at the batch being written, then `getSync`.
 * Keys of the staging maps are latin1 strings: one byte per char, so distinct buffers never collide.
 */
export class StoreSpace {
  private pending = new Map<string, Staged>();
  private inFlight: Map<string, Staged> | null = null;

  constructor(
    readonly store: string,
    private readonly sub: SpaceSublevel,
    private readonly onRelease: () => void,
  ) {}

  /** The committed-or-staged value of a key; null when absent. */
  get(key: Buffer): Buffer | null {
    const id = key.toString('latin1');
    const staged = this.pending.get(id) ?? this.inFlight?.get(id);
    if (staged !== undefined) return staged.value;
    return this.sub.getSync(key) ?? null;
  }

  /** Stages a write (null = delete) for the next commit. */
  stage(key: Buffer, value: Buffer | null): void {
    this.pending.set(key.toString('latin1'), { key, value });
  }

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

  /** Moves staged writes into `batch`; they stay readable until {@link releaseInFlight}. */
  takePending(batch: SpaceBatch): boolean {
    if (this.pending.size === 0) return false;
    const options = { sublevel: this.sub };
    for (const { key, value } of this.pending.values()) {
      if (value === null) batch.del(key, options);
      else batch.put(key, value, options);
    }
    this.inFlight = this.pending;
    this.pending = new Map();
    return true;
  }

  /** The batch landed (or failed: then its writes go back to staging unless overwritten since). */
  releaseInFlight(failed = false): void {
    if (failed && this.inFlight !== null) {
      for (const [id, staged] of this.inFlight) if (!this.pending.has(id)) this.pending.set(id, staged);
    }
    this.inFlight = null;
  }

  discardPending(): void {
    this.pending = new Map();
    this.inFlight = null;
  }

  /** Gives the store name back to the task's LevelDB (the store closed). */
  release(): void {
    this.onRelease();
  }
}
