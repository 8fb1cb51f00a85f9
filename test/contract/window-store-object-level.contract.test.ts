/**
 * The window store contract against the object level of the in-memory window store (a metered
 * layer right on an in-memory store keeps keys and values as objects): through typed string serdes
 * (keys and values kept as they are), and through the claimed inner store's byte view (which
 * translates to and from the objects). The builder stacks with bytes serdes in
 * window-store.contract.test.ts already cover the object level with keys kept as bytes.
 */
import type { Windowed } from '../../src/core/windowed.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { InMemoryWindowStore } from '../../state/in-memory-window-store.js';
import type { ChangelogRecord, KeyValueEntry } from '../../state/key-value-entry.js';
import { MeteredWindowStore } from '../../state/metered-window-store.js';
import type { WindowEntry } from '../../state/read-only-window-store.js';
import type { StateStore, StateStoreContext } from '../../state/state-store.js';
import { openHarness } from './store-harness.js';
import { RETENTION, SIZE, windowStoreContract, type WindowStoreUnderTest } from './window-store.contract.js';

/** Presents a `MeteredWindowStore<string, string>` as the contract's byte-typed store (keys and values are UTF-8 text). */
class Utf8Adapter implements StateStore {
  constructor(readonly store: MeteredWindowStore<string, string>) {}
  get name(): string {
    return this.store.name;
  }
  init(context: StateStoreContext, _root: StateStore): void | Promise<void> {
    return this.store.init(context, this.store);
  }
  flush(): void | Promise<void> {
    return this.store.flush();
  }
  close(): void | Promise<void> {
    return this.store.close();
  }
  persistent(): boolean {
    return false;
  }
  isOpen(): boolean {
    return this.store.isOpen();
  }
  restoreBatch(records: readonly ChangelogRecord[]): void {
    this.store.restoreBatch(records);
  }
  put(key: Buffer, value: Buffer | null, windowStart: number): void {
    this.store.put(key.toString(), value === null ? null : value.toString(), windowStart);
  }
  fetch(a: Buffer | null, b: Buffer | number | null, c?: number, d?: number): unknown {
    const s = (x: Buffer | null) => (x === null ? null : x.toString());
    if (d !== undefined) return windowed(this.store.fetch(s(a), s(b as Buffer | null), c!, d));
    if (c !== undefined) return entries(this.store.fetch(a!.toString(), b as number, c));
    const v = this.store.fetch(a!.toString(), b as number);
    return v === null ? null : Buffer.from(v);
  }
  backwardFetch(a: Buffer | null, b: Buffer | number | null, c: number, d?: number): unknown {
    const s = (x: Buffer | null) => (x === null ? null : x.toString());
    if (d !== undefined) return windowed(this.store.backwardFetch(s(a), s(b as Buffer | null), c, d));
    return entries(this.store.backwardFetch(a!.toString(), b as number, c));
  }
  fetchAll(timeFrom: number, timeTo: number) {
    return windowed(this.store.fetchAll(timeFrom, timeTo));
  }
  backwardFetchAll(timeFrom: number, timeTo: number) {
    return windowed(this.store.backwardFetchAll(timeFrom, timeTo));
  }
  all() {
    return windowed(this.store.all());
  }
  backwardAll() {
    return windowed(this.store.backwardAll());
  }
}
const entries = (list: WindowEntry<string>[]): WindowEntry<Buffer>[] => list.map((e) => ({ timestamp: e.timestamp, value: Buffer.from(e.value) }));
const windowed = (list: KeyValueEntry<Windowed<string>, string>[]): KeyValueEntry<Windowed<Buffer>, Buffer>[] =>
  list.map((e) => ({ key: { key: Buffer.from(e.key.key), window: e.key.window }, value: Buffer.from(e.value) }));

windowStoreContract({
  name: 'metered (object level, string serdes) > in-memory',
  supports: { persistent: false, logging: false, duplicates: false },
  open: () =>
    openHarness(
      () => new Utf8Adapter(new MeteredWindowStore(new InMemoryWindowStore('store', RETENTION, SIZE, false), Serdes.string(), Serdes.string())) as unknown as WindowStoreUnderTest,
      false,
    ),
});

windowStoreContract({
  name: 'InMemoryWindowStore claimed by a metered layer (byte view of the object level)',
  supports: { persistent: false, logging: false, duplicates: false },
  open: () =>
    openHarness(() => {
      const inner = new InMemoryWindowStore('store', RETENTION, SIZE, false);
      new MeteredWindowStore(inner, Serdes.string(), Serdes.long());
      return inner;
    }, false),
});
