import { SortedBytesMap } from './sorted-bytes-map.js';

/** One cached write of a store: the newest value of a key since the last flush. */
export interface CacheEntry {
  readonly key: Buffer;
  value: Buffer | null;
  timestamp: number;
  size: number;
}

interface Node extends CacheEntry {
  readonly id: string;
  prev: Node | null;
  next: Node | null;
}

/** Bytes an entry is charged beyond its key and value (the objects and map slots around it). */
export const ENTRY_OVERHEAD = 64;

/**
 * The cache of one store of one task: a hash map for lookups, a doubly linked list in LRU order
 * (oldest at the head), and a byte-ordered index for range reads.
 *
 * Why a linked list and not the Map's insertion order: deleted Map slots stay until V8 rehashes,
 * so "first entry" walks past every entry evicted before it — O(n) per eviction under churn.
 * Why the sorted index is lazy: most caches are written and flushed without a range read; the
 * index is built on the first range read after a flush and then maintained until the next one.
 */
export class NamedCache {
  private readonly map = new Map<string, Node>();
  private head: Node | null = null;
  private tail: Node | null = null;
  private sorted: SortedBytesMap<Node> | null = null;
  bytes = 0;

  constructor(
    readonly name: string,
    /** Called with the least recently used entry when the shared budget forces it out. */
    readonly onEvict: (entry: CacheEntry) => void,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(key: Buffer): CacheEntry | undefined {
    return this.map.get(key.toString('latin1'));
  }

  private unlink(node: Node): void {
    if (node.prev === null) this.head = node.next;
    else node.prev.next = node.next;
    if (node.next === null) this.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = null;
  }

  private append(node: Node): void {
    node.prev = this.tail;
    node.next = null;
    if (this.tail === null) this.head = node;
    else this.tail.next = node;
    this.tail = node;
  }

  /** Inserts or updates (making the key most recently used); returns the byte delta. */
  put(key: Buffer, value: Buffer | null, timestamp: number): number {
    const id = key.toString('latin1');
    const size = key.length + (value?.length ?? 0) + ENTRY_OVERHEAD;
    const old = this.map.get(id);
    if (old !== undefined) {
      const delta = size - old.size;
      old.value = value;
      old.timestamp = timestamp;
      old.size = size;
      if (this.tail !== old) {
        this.unlink(old);
        this.append(old);
      }
      this.bytes += delta;
      return delta;
    }
    const node: Node = { id, key, value, timestamp, size, prev: null, next: null };
    this.map.set(id, node);
    this.append(node);
    this.sorted?.set(key, node);
    this.bytes += size;
    return size;
  }

  /** Removes and returns the least recently used entry. */
  evictOldest(): CacheEntry | undefined {
    const node = this.head;
    if (node === null) return undefined;
    this.unlink(node);
    this.map.delete(node.id);
    this.sorted?.delete(node.key);
    this.bytes -= node.size;
    return node;
  }

  /** Every entry, oldest first, emptying the cache. */
  drain(): CacheEntry[] {
    const out: CacheEntry[] = [];
    for (let n = this.head; n !== null; n = n.next) out.push(n);
    this.map.clear();
    this.head = this.tail = null;
    this.sorted = null;
    this.bytes = 0;
    return out;
  }

  /** Cached entries with from <= key <= to, in byte order. */
  range(from: Buffer | null, to: Buffer | null, reverse: boolean): CacheEntry[] {
    if (this.map.size === 0) return [];
    if (this.sorted === null) {
      this.sorted = new SortedBytesMap<Node>();
      for (let n = this.head; n !== null; n = n.next) this.sorted.set(n.key, n);
    }
    const out: CacheEntry[] = [];
    this.sorted.scan(from, to, reverse, (_k, e) => {
      out.push(e);
    });
    return out;
  }
}
