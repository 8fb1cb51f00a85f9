/** Bytes a fresh slab starts with. */
const MIN_BYTES = 256;

type ViewConstructor = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => Buffer;

/**
 * Node's own Buffer class (`FastBuffer`, what `Buffer.from(arrayBuffer, offset, length)` returns):
 * `Buffer[Symbol.species]`. Constructing it directly skips `Buffer.from`'s argument checks, about
 * half the cost of a view (a view is made per key flushed out of a cache). Checked once; if a
 * runtime does not expose it, views fall back to `Buffer.from`.
 */
const BufferView: ViewConstructor | null = (() => {
  const species = (Buffer as unknown as { [Symbol.species]?: unknown })[Symbol.species];
  if (typeof species !== 'function') return null;
  try {
    const probe = new (species as ViewConstructor)(new ArrayBuffer(4), 1, 2);
    return Buffer.isBuffer(probe) && probe.byteOffset === 1 && probe.length === 2 && typeof probe.readUInt8 === 'function'
      ? (species as ViewConstructor)
      : null;
  } catch {
    return null;
  }
})();

/**
 * The key bytes of one long-lived structure (a cache table, staged writes, a key index) in one
 * growing buffer: the structure copies a key in ({@link append}) and keeps its offset and length
 * in typed arrays, so the `Buffer` the caller made for the key dies young.
 *
 * Why: a retained `Buffer` is ~80 bytes of heap object per key; 200k retained keys made the
 * young-generation collector copy and promote 200k objects per commit interval, most of the cost of
 * a write-heavy store's puts. A slab is one off-heap allocation the collector never copies.
 *
 * Views ({@link view}) are handed out for callers that need a `Buffer` (a read returning a key, a
 * flush downstream); they may be kept by anyone (a record collector, a user's range result). So
 * bytes once written are never overwritten in the same buffer: growth and compaction copy into a
 * new buffer, and {@link reset} reuses the buffer in place only if no view of it was made.
 */
export class KeySlab {
  /** The current buffer; entries live at [offset, offset + length). Re-read after any append. */
  bytes: Buffer;
  /** `bytes.buffer`, kept: reading it per view costs as much as the view. */
  arrayBuffer: ArrayBufferLike;
  /** Bytes appended to {@link bytes} so far. */
  used = 0;
  /** Bytes of {@link used} that belong to removed entries (reclaimed by compaction). */
  dead = 0;
  /** Whether a view of {@link bytes} was handed out (then it must never be written again below `used`). */
  private viewed = false;

  constructor(
    initialBytes = MIN_BYTES,
    /** Dead bytes below which compaction never pays (tests lower it to exercise compaction). */
    private readonly minDeadBytes = 4096,
  ) {
    this.bytes = allocate(Math.max(MIN_BYTES, initialBytes));
    this.arrayBuffer = this.bytes.buffer;
  }

  /** Bytes held by live entries. */
  get live(): number {
    return this.used - this.dead;
  }

  /** Copies `key` in; returns its offset in {@link bytes}. */
  append(key: Uint8Array): number {
    const n = key.length;
    const at = this.used;
    if (at + n > this.bytes.length) this.grow(at + n);
    const bytes = this.bytes;
    // Short keys: a JS loop beats the native `set` call.
    if (n <= 32) for (let i = 0; i < n; i++) bytes[at + i] = key[i]!;
    else bytes.set(key, at);
    this.used = at + n;
    return at;
  }

  private grow(needed: number): void {
    let size = this.bytes.length * 2;
    while (size < needed) size *= 2;
    const next = allocate(size);
    this.bytes.copy(next, 0, 0, this.used);
    this.bytes = next;
    this.arrayBuffer = next.buffer;
    this.viewed = false;
  }

  /** A `Buffer` over the entry at `offset` (no copy); it stays valid and unchanged for good. */
  view(offset: number, length: number): Buffer {
    this.viewed = true;
    return viewOf(this.arrayBuffer, offset, length);
  }

  /** {@link bytes}, never to be rewritten below {@link used} (as if a view of it were out). */
  pin(): Buffer {
    this.viewed = true;
    return this.bytes;
  }

  /** Marks `length` bytes of a removed entry as dead. */
  release(length: number): void {
    this.dead += length;
  }

  /** Whether compaction would pay: most appended bytes are dead, and enough of them to matter. */
  get wantsCompaction(): boolean {
    return this.dead > this.minDeadBytes && this.dead * 2 > this.used;
  }

  /**
   * Starts a compaction: returns the old buffer, and makes a new empty one sized for the live
   * bytes. The owner then {@link append}s each live entry from the old buffer (with
   * `old.subarray`, or {@link appendFrom}) and records the new offsets.
   */
  startCompaction(): Buffer {
    const old = this.bytes;
    this.bytes = allocate(Math.max(MIN_BYTES, 2 * this.live));
    this.arrayBuffer = this.bytes.buffer;
    this.used = 0;
    this.dead = 0;
    this.viewed = false;
    return old;
  }

  /** Copies `length` bytes at `offset` of `from` (an old buffer of this slab, or another slab's) in. */
  appendFrom(from: Uint8Array, offset: number, length: number): number {
    const at = this.used;
    if (at + length > this.bytes.length) this.grow(at + length);
    const bytes = this.bytes;
    if (length <= 32) for (let i = 0; i < length; i++) bytes[at + i] = from[offset + i]!;
    else bytes.set(from.subarray(offset, offset + length), at);
    this.used = at + length;
    return at;
  }

  /** Forgets every entry; reuses the buffer unless a view of it is out (then a new one of the same size). */
  reset(): void {
    if (this.viewed) {
      this.bytes = allocate(this.bytes.length);
      this.arrayBuffer = this.bytes.buffer;
      this.viewed = false;
    }
    this.used = 0;
    this.dead = 0;
  }

  /** Forgets every entry and gives back a large buffer (a structure emptied after a burst). */
  shrink(bytes = MIN_BYTES): void {
    this.bytes = allocate(Math.max(MIN_BYTES, bytes));
    this.arrayBuffer = this.bytes.buffer;
    this.viewed = false;
    this.used = 0;
    this.dead = 0;
  }
}

/**
 * A `Buffer` over `length` bytes at `offset` of `buffer` (an ArrayBuffer), sharing its memory. Why
 * the ArrayBuffer and not the `Buffer` over it: reading `.buffer` costs as much as making the view.
 */
export function viewOf(buffer: ArrayBufferLike, offset: number, length: number): Buffer {
  return BufferView !== null ? new BufferView(buffer, offset, length) : Buffer.from(buffer, offset, length);
}

/** A new slab buffer: its own ArrayBuffer, starting at byte 0 (so slab offsets are ArrayBuffer offsets). */
function allocate(size: number): Buffer {
  const b = Buffer.allocUnsafeSlow(size);
  if (b.byteOffset !== 0) throw new Error('KeySlab: Buffer.allocUnsafeSlow returned a view with an offset');
  return b;
}

/** Unsigned byte order of `a[ao, ao + al)` against `b[bo, bo + bl)` (`Buffer.compare` order). */
export function compareRegions(a: Uint8Array, ao: number, al: number, b: Uint8Array, bo: number, bl: number): number {
  const n = al < bl ? al : bl;
  for (let i = 0; i < n; i++) {
    const d = a[ao + i]! - b[bo + i]!;
    if (d !== 0) return d;
  }
  return al - bl;
}

/** Whether `key` equals `bytes[offset, offset + length)`. */
export function regionEquals(bytes: Uint8Array, offset: number, length: number, key: Uint8Array): boolean {
  if (key.length !== length) return false;
  for (let i = 0; i < length; i++) if (bytes[offset + i] !== key[i]) return false;
  return true;
}

/** FNV-1a then murmur3's finalizer over `bytes[offset, offset + length)` (see `hashBytes`). */
export function hashRegion(bytes: Uint8Array, offset: number, length: number): number {
  let h = 0x811c9dc5 | 0;
  const end = offset + length;
  for (let i = offset; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
