import { KeySlab } from './key-slab.js';

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
/** `keyLen` of a free id. */
const FREE = -1;

/**
 * A hash map from byte strings to values, keyed by the bytes themselves: open addressing with linear
 * probing over an `Int32Array` of slots, entries in parallel arrays addressed by a small integer id
 * (stable while the entry lives; a removed entry's id is reused, and ids stay below
 * {@link capacity}, so a user can keep more per-entry data in arrays of its own indexed by id).
 *
 * Why not `Map<string, …>` keyed by `key.toString('latin1')`: that costs a string per write plus
 * its hash, and an entry object per key; on the write path of a store (200k puts through a cache and
 * a staging map) those strings, entries and the garbage they leave were most of the time spent
 * outside LevelDB. Here a write hashes the bytes in place and touches typed arrays.
 * Why the key bytes are copied into a {@link KeySlab} rather than the caller's `Buffer` kept: a kept
 * `Buffer` is a heap object per entry that the young-generation collector must copy and promote;
 * the copy lets it die young. {@link keyAt} makes a view when a caller needs a `Buffer`.
 */
export class BytesTable<V> {
  private readonly slab: KeySlab;
  private vals: (V | undefined)[] = [];
  private keyOff = new Int32Array(0);
  /** Key length per id; {@link FREE} for an id not in use. */
  private keyLen = new Int32Array(0);
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

  constructor(
    private readonly initialCapacity = MIN_CAPACITY,
    /** See {@link KeySlab}'s `minDeadBytes`. */
    slabMinDeadBytes?: number,
  ) {
    this.slab = new KeySlab(16 * Math.max(MIN_CAPACITY, initialCapacity), slabMinDeadBytes);
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
    const grown = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(capacity);
      b.set(a.subarray(0, Math.min(this.used, capacity)));
      return b;
    };
    this.hashes = grown(this.hashes);
    this.slotOf = grown(this.slotOf);
    this.keyOff = grown(this.keyOff);
    this.keyLen = grown(this.keyLen);
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
      if (this.keyLen[id] !== FREE) this.place(id, this.hashes[id]!);
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

  private matches(id: number, key: Uint8Array): boolean {
    const n = key.length;
    if (this.keyLen[id] !== n) return false;
    const bytes = this.slab.bytes;
    const at = this.keyOff[id]!;
    // Long keys: the native comparison (no view made) beats the loop.
    if (n > 48) return bytes.compare(key, 0, n, at, at + n) === 0;
    for (let i = 0; i < n; i++) if (bytes[at + i] !== key[i]) return false;
    return true;
  }

  /** The id of `key`, or -1. */
  indexOf(key: Uint8Array): number {
    const h = hashBytes(key);
    const slots = this.slots;
    const mask = this.mask;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const id = slots[2 * s]!;
      if (id === EMPTY) return -1;
      if (slots[2 * s + 1] === h && this.matches(id, key)) return id;
    }
  }

  /** The id of `key`, adding it (value undefined) when absent; {@link added} says which. */
  intern(key: Uint8Array): number {
    const h = hashBytes(key);
    const slots = this.slots;
    const mask = this.mask;
    let s = h & mask;
    for (;;) {
      const id = slots[2 * s]!;
      if (id === EMPTY) break;
      if (slots[2 * s + 1] === h && this.matches(id, key)) {
        this.added = false;
        return id;
      }
      s = (s + 1) & mask;
    }
    this.added = true;
    if (this.slab.wantsCompaction) this.compact();
    let id: number;
    if (this.freeIds.length > 0) id = this.freeIds.pop()!;
    else {
      if (this.used === this.capacity) {
        this.allocate(this.capacity * 2);
        // The slot found above belongs to the old layout.
        s = -1;
      }
      id = this.used++;
    }
    this.keyOff[id] = this.slab.append(key);
    this.keyLen[id] = key.length;
    this.vals[id] = undefined;
    this.hashes[id] = h;
    if (s < 0) this.place(id, h);
    else {
      slots[2 * s] = id;
      slots[2 * s + 1] = h;
      this.slotOf[id] = s;
    }
    this.live++;
    return id;
  }

  /** Moves every live key into a new slab buffer, leaving the holes of removed keys behind. */
  private compact(): void {
    const old = this.slab.startCompaction();
    for (let id = 0; id < this.used; id++) {
      const n = this.keyLen[id]!;
      if (n !== FREE) this.keyOff[id] = this.slab.appendFrom(old, this.keyOff[id]!, n);
    }
  }

  /** The key of entry `id`, as a view (valid for good; see {@link KeySlab.view}). */
  keyAt(id: number): Buffer {
    return this.slab.view(this.keyOff[id]!, this.keyLen[id]!);
  }
  /** The slab buffer holding the keys: entry `id` is at [{@link keyOffsetAt}, + {@link keyLengthAt}). Re-read after any insert. */
  get keyBytes(): Buffer {
    return this.slab.bytes;
  }
  /**
   * {@link keyBytes}, promised never to be rewritten (as if a view of it were out): a caller may
   * keep it and read entries' keys from it after they are removed.
   */
  pinKeyBytes(): Buffer {
    return this.slab.pin();
  }
  keyOffsetAt(id: number): number {
    return this.keyOff[id]!;
  }
  keyLengthAt(id: number): number {
    return this.keyLen[id]!;
  }
  valueAt(id: number): V {
    return this.vals[id] as V;
  }
  setValueAt(id: number, value: V): void {
    this.vals[id] = value;
  }

  /** The value of `key`, or undefined. */
  get(key: Uint8Array): V | undefined {
    const id = this.indexOf(key);
    return id < 0 ? undefined : (this.vals[id] as V);
  }

  /** Sets `key` to `value`, returning the previous value (undefined when absent). */
  set(key: Uint8Array, value: V): V | undefined {
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
    this.slab.release(this.keyLen[id]!);
    this.keyLen[id] = FREE;
    this.vals[id] = undefined;
    this.freeIds.push(id);
    this.live--;
  }

  /** Visits every entry (keys as views), in insertion order when nothing was removed. */
  forEach(visit: (key: Buffer, value: V, id: number) => void): void {
    for (let id = 0; id < this.used; id++) {
      if (this.keyLen[id] !== FREE) visit(this.keyAt(id), this.vals[id] as V, id);
    }
  }

  /**
   * Visits every entry without making a key view: the key is `bytes[offset, offset + length)`, to
   * be read during the call only.
   */
  forEachRegion(visit: (bytes: Buffer, offset: number, length: number, value: V) => void): void {
    const bytes = this.slab.bytes;
    for (let id = 0; id < this.used; id++) {
      const n = this.keyLen[id]!;
      if (n !== FREE) visit(bytes, this.keyOff[id]!, n, this.vals[id] as V);
    }
  }

  /** Empties the table; keeps its size when it was well used (the next fill is likely alike). */
  clear(): void {
    const keep = this.used * 4 >= this.capacity;
    this.vals = [];
    this.freeIds = [];
    this.used = 0;
    this.live = 0;
    if (keep) {
      this.slots.fill(EMPTY);
      this.slab.reset();
    } else {
      this.allocate(Math.max(MIN_CAPACITY, this.initialCapacity));
      this.slab.shrink(16 * this.capacity);
    }
  }
}
