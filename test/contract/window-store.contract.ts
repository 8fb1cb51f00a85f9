import { describe, expect, it } from 'vitest';
import { StoreNotOpenError } from '../../src/core/errors.js';
import { InMemoryWindowStore } from '../../state/in-memory-window-store.js';
import type { RestorableStore } from '../../state/key-value-entry.js';
import type { WindowStore } from '../../state/window-store.js';
import { FakeStoreContext } from '../state/fake-store-context.js';
import type { StoreHarness } from './store-harness.js';

export type WindowStoreUnderTest = WindowStore<Buffer, Buffer> & RestorableStore;

export interface WindowSupports {
  readonly persistent: boolean;
  readonly logging: boolean;
  /** Built with retainDuplicates: every put is kept. */
  readonly duplicates: boolean;
}

export interface WindowImplementation {
  readonly name: string;
  readonly supports: WindowSupports;
  /** Retention 1 h, window size 1 min, segment interval 30 min. */
  open(): Promise<StoreHarness<WindowStoreUnderTest>>;
}

export const RETENTION = 3_600_000;
export const SIZE = 60_000;
const b = (s: string): Buffer => Buffer.from(s);
const str = (e: { key: { key: Buffer; window: { start: number } }; value: Buffer }) => `${e.key.key.toString()}@${e.key.window.start}=${e.value.toString()}`;

/** The window store contract: one suite, every implementation. */
export function windowStoreContract(impl: WindowImplementation): void {
  const withStore = (fn: (h: StoreHarness<WindowStoreUnderTest>) => Promise<void> | void) => async () => {
    const h = await impl.open();
    try {
      await fn(h);
    } finally {
      await h.dispose();
    }
  };

  describe(`contract > WindowStore > ${impl.name}`, () => {
    it('fetches the windows of one key in ascending start order, bounds inclusive', withStore(({ store }) => {
      store.put(b('a'), b('3'), 180_000);
      store.put(b('a'), b('1'), 60_000);
      store.put(b('a'), b('2'), 120_000);
      store.put(b('b'), b('x'), 120_000);
      expect(store.fetch(b('a'), 60_000, 120_000).map((e) => `${e.timestamp}=${e.value}`)).toEqual(['60000=1', '120000=2']);
      expect(store.backwardFetch(b('a'), 0, 200_000).map((e) => e.timestamp)).toEqual([180_000, 120_000, 60_000]);
      expect(store.fetch(b('a'), 120_000)).toEqual(b('2'));
      expect(store.fetch(b('a'), 121_000)).toBeNull();
    }));

    it('does not mix keys that are byte prefixes of each other', withStore(({ store }) => {
      store.put(b('a'), b('1'), 60_000);
      store.put(Buffer.from([0x61, 0x00]), b('2'), 60_000);
      store.put(b('ab'), b('3'), 60_000);
      expect(store.fetch(b('a'), 0, 1e6).map((e) => e.value.toString())).toEqual(['1']);
      expect(store.fetch(b('ab'), 0, 1e6).map((e) => e.value.toString())).toEqual(['3']);
    }));

    if (!impl.supports.duplicates) {
      it('overwrites a window and deletes it on put(null)', withStore(({ store }) => {
        store.put(b('a'), b('1'), 60_000);
        store.put(b('a'), b('2'), 60_000);
        expect(store.fetch(b('a'), 0, 1e6).map((e) => e.value.toString())).toEqual(['2']);
        store.put(b('a'), null, 60_000);
        expect(store.fetch(b('a'), 60_000)).toBeNull();
        expect(store.all()).toEqual([]);
      }));
    } else {
      it('keeps every put of a window and ignores put(null)', withStore(({ store }) => {
        store.put(b('a'), b('1'), 60_000);
        store.put(b('a'), b('2'), 60_000);
        store.put(b('a'), null, 60_000);
        expect(store.fetch(b('a'), 0, 1e6).map((e) => e.value.toString())).toEqual(['1', '2']);
      }));
    }

    it('orders key-range fetches by window start, then key bytes, and includes every key in range', withStore(({ store }) => {
      store.put(b('b'), b('1'), 120_000);
      store.put(b('a'), b('2'), 120_000);
      store.put(b('ab'), b('3'), 60_000);
      store.put(Buffer.from([0x61, 0x00]), b('4'), 60_000);
      store.put(b('c'), b('5'), 60_000);
      expect(store.fetch(b('a'), b('ab'), 0, 1e6).map(str)).toEqual(['a\u0000@60000=4', 'ab@60000=3', 'a@120000=2']);
      expect(store.fetch(b('ab'), b('a'), 0, 1e6)).toEqual([]);
      expect(store.fetchAll(60_000, 60_000).map(str)).toEqual(['a\u0000@60000=4', 'ab@60000=3', 'c@60000=5']);
      expect(store.all().map(str)).toEqual(['a\u0000@60000=4', 'ab@60000=3', 'c@60000=5', 'a@120000=2', 'b@120000=1']);
      expect(store.backwardAll().map(str)).toEqual(store.all().map(str).reverse());
      expect(store.backwardFetchAll(0, 1e6).map(str)).toEqual(store.all().map(str).reverse());
      expect(store.backwardFetch(null, b('b'), 100_000, 1e6).map(str)).toEqual(['b@120000=1', 'a@120000=2']);
      expect(store.all()[0]!.key.window.end).toBe(60_000 + SIZE);
    }));

    it('drops windows older than the retention once stream time moves on', withStore(({ store }) => {
      store.put(b('a'), b('old'), 0);
      store.put(b('a'), b('mid'), RETENTION / 2);
      expect(store.fetch(b('a'), 0)).toEqual(b('old'));
      store.put(b('a'), b('new'), RETENTION + 60_000);
      expect(store.fetch(b('a'), 0)).toBeNull();
      expect(store.fetch(b('a'), 0, 1e9).map((e) => e.value.toString())).toEqual(['mid', 'new']);
      store.put(b('a'), b('late'), 1_000);
      expect(store.fetch(b('a'), 1_000)).toBeNull();
    }));

    it('applies raw changelog records (window store keys) on restore', withStore(({ store }) => {
      const key = (k: string, start: number, seq: number) => {
        const out = Buffer.alloc(k.length + 12);
        out.write(k);
        out.writeBigInt64BE(BigInt(start), k.length);
        out.writeInt32BE(seq, k.length + 8);
        return out;
      };
      store.restoreBatch([
        { key: key('a', 60_000, 0), value: b('1') },
        { key: key('b', 60_000, 0), value: b('2') },
        { key: key('a', 60_000, 0), value: null },
      ]);
      expect(store.all().map(str)).toEqual(['b@60000=2']);
    }));

    it('fails every operation with StoreNotOpenError naming the store once closed', async () => {
      const h = await impl.open();
      await h.store.close();
      const ops: [string, () => unknown][] = [
        ['put', () => h.store.put(b('a'), b('1'), 0)],
        ['fetch(key, time)', () => h.store.fetch(b('a'), 0)],
        ['fetch(key, from, to)', () => h.store.fetch(b('a'), 0, 1)],
        ['fetch(range)', () => h.store.fetch(b('a'), b('b'), 0, 1)],
        ['backwardFetch', () => h.store.backwardFetch(b('a'), 0, 1)],
        ['fetchAll', () => h.store.fetchAll(0, 1)],
        ['backwardFetchAll', () => h.store.backwardFetchAll(0, 1)],
        ['all', () => h.store.all()],
        ['backwardAll', () => h.store.backwardAll()],
        ['restoreBatch', () => h.store.restoreBatch([])],
      ];
      for (const [op, call] of ops) {
        expect(call, op).toThrow(StoreNotOpenError);
        try {
          call();
        } catch (e) {
          expect((e as StoreNotOpenError).store, op).toBe('store');
        }
      }
      await h.dispose();
    });

    if (impl.supports.persistent) {
      it('keeps committed windows across close and reopen', withStore(async (h) => {
        h.store.put(b('a'), b('1'), 60_000);
        h.store.put(b('b'), b('2'), 120_000);
        await h.commit();
        const h2 = await h.reopen();
        expect(h2.store.all().map(str)).toEqual(['a@60000=1', 'b@120000=2']);
      }));
    }

    if (impl.supports.logging) {
      it('logs store keys so that replaying the changelog rebuilds the store', withStore(async (h) => {
        h.store.put(b('a'), b('1'), 60_000);
        h.store.put(b('a'), b('2'), 60_000);
        h.store.put(b('b'), b('3'), 120_000);
        if (!impl.supports.duplicates) h.store.put(b('b'), null, 120_000);
        await h.commit();
        const fresh = new InMemoryWindowStore('replay', RETENTION, SIZE, impl.supports.duplicates, 1_800_000);
        await fresh.init(new FakeStoreContext(), fresh);
        fresh.restoreBatch(h.changelog());
        expect(fresh.all().map(str)).toEqual(h.store.all().map(str));
      }));
    }
  });
}
