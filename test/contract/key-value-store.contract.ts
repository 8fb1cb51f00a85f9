import { describe, expect, it } from 'vitest';
import { StoreNotOpenError } from '../../src/core/errors.js';
import { Serdes } from '../../src/serdes/serdes.js';
import type { RestorableStore } from '../../state/key-value-entry.js';
import type { KeyValueStore } from '../../state/key-value-store.js';

/** What an implementation under test can do; tests of other capabilities are not registered. */
export interface KeyValueSupports {
  /** Data survives commit + close + reopen. */
  readonly persistent: boolean;
  /** Writes reach a changelog. */
  readonly logging: boolean;
  /** How the stack frames a value in its changelog (TTL stores prefix a timestamp); identity if absent. */
  readonly changelogValue?: (value: Buffer) => Buffer;
}

/** One live store of the implementation under test. */
export interface KeyValueHarness {
  readonly store: KeyValueStore<Buffer, Buffer> & RestorableStore;
  /** Flush the store and commit its task (LevelDB batch) — what the runtime does at commit. */
  commit(): Promise<void>;
  /** Close and open a new instance over the same state (only when `supports.persistent`). */
  reopen(): Promise<KeyValueHarness>;
  /** Changelog records captured so far, in order (empty without logging). */
  changelog(): { key: Buffer; value: Buffer | null }[];
  dispose(): Promise<void>;
}

export interface KeyValueImplementation {
  readonly name: string;
  readonly supports: KeyValueSupports;
  /** A fresh, initialized, empty store named `store`. */
  open(): Promise<KeyValueHarness>;
}

const b = (s: string | number[]): Buffer => (typeof s === 'string' ? Buffer.from(s) : Buffer.from(s));
const keys = (entries: { key: Buffer }[]) => entries.map((e) => [...e.key]);

/** The key-value store contract: one suite, every implementation. */
export function keyValueStoreContract(impl: KeyValueImplementation): void {
  const withStore = (fn: (h: KeyValueHarness) => Promise<void> | void) => async () => {
    const h = await impl.open();
    try {
      await fn(h);
    } finally {
      await h.dispose();
    }
  };

  describe(`contract > KeyValueStore > ${impl.name}`, () => {
    it('reads null for an absent key and the last value put', withStore(({ store }) => {
      expect(store.get(b('a'))).toBeNull();
      store.put(b('a'), b('1'));
      store.put(b('a'), b('2'));
      expect(store.get(b('a'))).toEqual(b('2'));
    }));

    it('deletes on put(null) and on delete(), which returns the old value', withStore(({ store }) => {
      store.put(b('a'), b('1'));
      store.put(b('b'), b('2'));
      store.put(b('a'), null);
      expect(store.get(b('a'))).toBeNull();
      expect(store.delete(b('b'))).toEqual(b('2'));
      expect(store.delete(b('b'))).toBeNull();
      expect(store.approximateNumEntries()).toBe(0);
    }));

    it('putIfAbsent writes only absent keys and returns the existing value', withStore(({ store }) => {
      expect(store.putIfAbsent(b('a'), b('1'))).toBeNull();
      expect(store.putIfAbsent(b('a'), b('2'))).toEqual(b('1'));
      expect(store.get(b('a'))).toEqual(b('1'));
    }));

    it('putAll applies entries in order', withStore(({ store }) => {
      store.putAll([{ key: b('a'), value: b('1') }, { key: b('b'), value: b('2') }, { key: b('a'), value: null }]);
      expect(store.get(b('a'))).toBeNull();
      expect(store.get(b('b'))).toEqual(b('2'));
    }));

    it('ranges follow unsigned byte order with inclusive bounds', withStore(({ store }) => {
      for (const k of [[0xff], [0x80], [0x7f], [0x00], [0x7f, 0x00], [0x01]]) store.put(b(k), b('v'));
      expect(keys(store.all())).toEqual([[0x00], [0x01], [0x7f], [0x7f, 0x00], [0x80], [0xff]]);
      expect(keys(store.reverseAll())).toEqual([[0xff], [0x80], [0x7f, 0x00], [0x7f], [0x01], [0x00]]);
      expect(keys(store.range(b([0x01]), b([0x80])))).toEqual([[0x01], [0x7f], [0x7f, 0x00], [0x80]]);
      expect(keys(store.reverseRange(b([0x01]), b([0x80])))).toEqual([[0x80], [0x7f, 0x00], [0x7f], [0x01]]);
      expect(keys(store.range(null, b([0x01])))).toEqual([[0x00], [0x01]]);
      expect(keys(store.range(b([0x80]), null))).toEqual([[0x80], [0xff]]);
      expect(store.range(b([0x80]), b([0x01]))).toEqual([]);
    }));

    it('prefixScan returns the keys that start with the serialized prefix', withStore(({ store }) => {
      for (const k of ['a', 'ab', 'abc', 'abd', 'b', 'aa']) store.put(b(k), b(k));
      const found = store.prefixScan('ab', Serdes.string()).map((e) => e.key.toString());
      expect(found).toEqual(['ab', 'abc', 'abd']);
      expect(store.prefixScan('z', Serdes.string())).toEqual([]);
    }));

    it('counts its entries exactly', withStore(({ store }) => {
      for (let i = 0; i < 50; i++) store.put(b(`k${i}`), b('v'));
      for (let i = 0; i < 10; i++) store.delete(b(`k${i}`));
      expect(store.approximateNumEntries()).toBe(40);
    }));

    it('applies raw changelog records on restore', withStore(({ store }) => {
      const frame = impl.supports.changelogValue ?? ((v: Buffer) => v);
      store.restoreBatch([{ key: b('a'), value: frame(b('1')) }, { key: b('b'), value: frame(b('2')) }, { key: b('a'), value: null }]);
      expect(store.get(b('a'))).toBeNull();
      expect(store.get(b('b'))).toEqual(b('2'));
    }));

    it('reads the same before and after a commit', withStore(async (h) => {
      h.store.put(b('a'), b('1'));
      h.store.put(b('c'), b('3'));
      const before = h.store.all();
      await h.commit();
      expect(h.store.all()).toEqual(before);
      h.store.delete(b('a'));
      await h.commit();
      expect(keys(h.store.all())).toEqual([[...b('c')]]);
    }));

    it('fails every operation with StoreNotOpenError naming the store once closed', async () => {
      const h = await impl.open();
      await h.store.close();
      expect(h.store.isOpen()).toBe(false);
      const ops: [string, () => unknown][] = [
        ['get', () => h.store.get(b('a'))],
        ['put', () => h.store.put(b('a'), b('1'))],
        ['putIfAbsent', () => h.store.putIfAbsent(b('a'), b('1'))],
        ['delete', () => h.store.delete(b('a'))],
        ['putAll', () => h.store.putAll([{ key: b('a'), value: b('1') }])],
        ['range', () => h.store.range(null, null)],
        ['reverseRange', () => h.store.reverseRange(null, null)],
        ['prefixScan', () => h.store.prefixScan('a', Serdes.string())],
        ['all', () => h.store.all()],
        ['reverseAll', () => h.store.reverseAll()],
        ['approximateNumEntries', () => h.store.approximateNumEntries()],
      ];
      for (const [op, call] of ops) {
        let err: unknown;
        try {
          call();
        } catch (e) {
          err = e;
        }
        expect(err, op).toBeInstanceOf(StoreNotOpenError);
        expect((err as StoreNotOpenError).store, op).toBe('store');
      }
      await h.dispose();
    });

    if (impl.supports.persistent) {
      it('keeps committed data across close and reopen', withStore(async (h) => {
        h.store.put(b('a'), b('1'));
        h.store.put(b('b'), b('2'));
        await h.commit();
        const h2 = await h.reopen();
        expect(h2.store.all()).toEqual([{ key: b('a'), value: b('1') }, { key: b('b'), value: b('2') }]);
      }));
    }

    if (impl.supports.logging) {
      it('logs every change so that replaying the changelog rebuilds the store', withStore(async (h) => {
        h.store.put(b('a'), b('1'));
        h.store.put(b('b'), b('2'));
        h.store.put(b('a'), b('3'));
        h.store.delete(b('b'));
        await h.commit();
        const replayed = new Map<string, Buffer>();
        for (const r of h.changelog()) {
          if (r.value === null) replayed.delete(r.key.toString('latin1'));
          else replayed.set(r.key.toString('latin1'), r.value);
        }
        expect([...replayed].map(([k, v]) => [k, v.toString()])).toEqual(h.store.all().map((e) => [e.key.toString('latin1'), e.value.toString()]));
      }));
    }
  });
}
