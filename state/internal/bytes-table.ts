/**
 * FNV-1a over the bytes, then murmur3's finalizer (FNV's low bits mix poorly, and the table masks
 * them). Equal byte strings hash equal, whatever Buffer holds them.
 */
export function hashBytes(key: Uint8Array): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Byte equality; a JS loop for short keys (a native call costs more than the comparison). */
export function equalBytes(a: Buffer, b: Buffer): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  if (n > 48) return a.equals(b);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

const EMPTY = -1;
const MIN_CAPACITY = 8;

/**
 * A hash map from byte strings to values, keyed by the bytes themselves: open addressing with linear
 * probing over an `Int32Array` of slots, entries in parallel arrays addressed by a small integer id
 * (stable while the entry lives; a removed entry's id is reused, and ids stay below
 * {@link capacity}, so a user can keep more per-entry data in arrays of its own indexed by id).
 *
 * Why not `Map<string, …>` keyed by `key.toString('latin1')`: that costs a string per write plus
 * its hash, and an entry object per key; on the write path of a store (200k puts through a cache and
 * a staging map) those strings, entries and the garbage they leave were most of the time spent
 * outside LevelDB. Here a write hashes the bytes in place and touches typed arrays; the only objects
 * per entry are the key and value the caller already had.
 */
export class BytesTable<V> {
  private keys: (Buffer | undefined)[] = [];
  private vals: (V | undefined)[] = [];
  private hashes = new Int32Array(0);
  /** The slot each entry sits in (to remove by id without probing). */
  private slotOf = new Int32Array(0);
  /**
   * Pairs (entry id, its hash) per slot: a probe reads one cache line, and compares hashes before
   * touching an entry.
   */
  private slots = new Int32Array(0);
  private mask = 0;
  private freeIds: number[] = [];
  /** Ids handed out so far (ids < used are live or free). */
  private used = 0;
  private live = 0;
  /** Set by {@link intern}: whether the key was absent. */
  added = false;

  constructor(private readonly initialCapacity = MIN_CAPACITY) {
    this.allocate(Math.max(MIN_CAPACITY, initialCapacity));
  }

  get size(): number {
    return this.live;
  }

  /** Entry capacity: every id is below it. */
  get capacity(): number {
    return this.hashes.length;
  }

  private resizeEntries(capacity: number): void {
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes.subarray(0, this.used));
    this.hashes = hashes;
    const slotOf = new Int32Array(capacity);
    slotOf.set(this.slotOf.subarray(0, this.used));
    this.slotOf = slotOf;
  }

  private allocate(requested: number): void {
    // A power of two, so the slot mask (2 × capacity − 1) is all ones: otherwise probes reach only
    // some slots and an insert can cycle forever (StagedWrites asks for any size).
    const capacity = 2 ** Math.ceil(Math.log2(requested));
    this.resizeEntries(capacity);
    // Load factor <= 1/2: probes stay short and an empty slot always ends one.
    this.slots = new Int32Array(capacity * 4).fill(EMPTY);
    this.mask = capacity * 2 - 1;
    for (let id = 0; id < this.used; id++) {
      if (this.keys[id] !== undefined) this.place(id, this.hashes[id]!);
    }
  }

  private place(id: number, hash: number): void {
    const slots = this.slots;
    const mask = this.mask;
    let s = hash & mask;
    while (slots[2 * s] !== EMPTY) s = (s + 1) & mask;
    slots[2 * s] = id;
    slots[2 * s + 1] = hash;
    this.slotOf[id] = s;
  }

  /** The id of `key`, or -1. */
  indexOf(key: Buffer): number {
    const h = hashBytes(key);
    const slots = this.slots;
    const mask = this.mask;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const id = slots[2 * s]!;
      if (id === EMPTY) return -1;
      if (slots[2 * s + 1] === h && equalBytes(this.keys[id]!, key)) return id;
    }
  }

  /** The id of `key`, adding it (value undefined) when absent; {@link added} says which. */
  intern(key: Buffer): number {
    const h = hashBytes(key);
    const slots = this.slots;
    const mask = this.mask;
    let s = h & mask;
    for (;;) {
      const id = slots[2 * s]!;
      if (id === EMPTY) break;
      if (slots[2 * s + 1] === h && equalBytes(this.keys[id]!, key)) {
        this.added = false;
        return id;
      }
      s = (s + 1) & mask;
    }
    this.added = true;
    let id: number;
    if (this.freeIds.length > 0) id = this.freeIds.pop()!;
    else {
      if (this.used === this.capacity) {
        this.allocate(this.capacity * 2);
        // The slot found above belongs to the old layout.
        this.keys[this.used] = key;
        this.place(this.used, h);
      } else {
        this.keys[this.used] = key;
        slots[2 * s] = this.used;
        slots[2 * s + 1] = h;
        this.slotOf[this.used] = s;
      }
      this.hashes[this.used] = h;
      this.vals[this.used] = undefined;
      this.live++;
      return this.used++;
    }
    this.keys[id] = key;
    this.vals[id] = undefined;
    this.hashes[id] = h;
    slots[2 * s] = id;
    slots[2 * s + 1] = h;
    this.slotOf[id] = s;
    this.live++;
    return id;
  }

  keyAt(id: number): Buffer {
    return this.keys[id]!;
  }
  valueAt(id: number): V {
    return this.vals[id] as V;
  }
  setValueAt(id: number, value: V): void {
    this.vals[id] = value;
  }

  /** The value of `key`, or undefined. */
  get(key: Buffer): V | undefined {
    const id = this.indexOf(key);
    return id < 0 ? undefined : (this.vals[id] as V);
  }

  /** Sets `key` to `value`, returning the previous value (undefined when absent). */
  set(key: Buffer, value: V): V | undefined {
    const id = this.intern(key);
    const old = this.vals[id];
    this.vals[id] = value;
    return old;
  }

  /** Removes the entry `id` (its id may be handed out again). */
  removeAt(id: number): void {
    const slots = this.slots;
    const mask = this.mask;
    // Backward-shift deletion: pull later entries of the probe run into the hole, so lookups never
    // need tombstones.
    let hole = this.slotOf[id]!;
    slots[2 * hole] = EMPTY;
    for (let j = (hole + 1) & mask; ; j = (j + 1) & mask) {
      const e = slots[2 * j]!;
      if (e === EMPTY) break;
      const hash = slots[2 * j + 1]!;
      const home = hash & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        slots[2 * hole] = e;
        slots[2 * hole + 1] = hash;
        this.slotOf[e] = hole;
        slots[2 * j] = EMPTY;
        hole = j;
      }
    }
    this.keys[id] = undefined;
    this.vals[id] = undefined;
    this.freeIds.push(id);
    this.live--;
  }

  /** Visits every entry, in insertion order when nothing was removed. */
  forEach(visit: (key: Buffer, value: V, id: number) => void): void {
    const keys = this.keys;
    for (let id = 0; id < this.used; id++) {
      const k = keys[id];
      if (k !== undefined) visit(k, this.vals[id] as V, id);
    }
  }

  /** Empties the table; keeps its size when it was well used (the next fill is likely alike). */
  clear(): void {
    const keep = this.used * 4 >= this.capacity;
    this.keys = [];
    this.vals = [];
    this.freeIds = [];
    this.used = 0;
    this.live = 0;
    if (keep) this.slots.fill(EMPTY);
    else this.allocate(Math.max(MIN_CAPACITY, this.initialCapacity));
  }
}
