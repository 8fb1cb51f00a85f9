import { describe, expect, it } from 'vitest';
import { StoreNotOpenError } from '../../src/core/errors.js';
import type { Windowed } from '../../src/core/windowed.js';
import { InMemorySessionStore } from '../../state/in-memory-session-store.js';
import type { KeyValueEntry, RestorableStore } from '../../state/key-value-entry.js';
import type { SessionStore } from '../../state/session-store.js';
import { FakeStoreContext } from '../state/fake-store-context.js';
import type { StoreHarness } from './store-harness.js';

export type SessionStoreUnderTest = SessionStore<Buffer, Buffer> & RestorableStore;

export interface SessionSupports {
  readonly persistent: boolean;
  readonly logging: boolean;
}

export interface SessionImplementation {
  readonly name: string;
  readonly supports: SessionSupports;
  /** Retention 1 h (segment interval 30 min). */
  open(): Promise<StoreHarness<SessionStoreUnderTest>>;
}

export const SESSION_RETENTION = 3_600_000;
const b = (s: string): Buffer => Buffer.from(s);
const sk = (k: string | Buffer, start: number, end: number): Windowed<Buffer> => ({ key: typeof k === 'string' ? b(k) : k, window: { start, end } });
const str = (e: KeyValueEntry<Windowed<Buffer>, Buffer>) => `${e.key.key.toString()}[${e.key.window.start},${e.key.window.end}]=${e.value.toString()}`;

/** The session store contract: one suite, every implementation. */
export function sessionStoreContract(impl: SessionImplementation): void {
  const withStore = (fn: (h: StoreHarness<SessionStoreUnderTest>) => Promise<void> | void) => async () => {
    const h = await impl.open();
    try {
      await fn(h);
    } finally {
      await h.dispose();
    }
  };

  describe(`contract > SessionStore > ${impl.name}`, () => {
    it('finds the sessions that end at or after the earliest end and start at or before the latest start', withStore(({ store }) => {
      store.put(sk('a', 0, 10), b('1'));
      store.put(sk('a', 20, 30), b('2'));
      store.put(sk('a', 40, 50), b('3'));
      store.put(sk('b', 20, 30), b('x'));
      expect(store.findSessions(b('a'), 10, 40).map(str)).toEqual(['a[0,10]=1', 'a[20,30]=2', 'a[40,50]=3']);
      expect(store.findSessions(b('a'), 11, 39).map(str)).toEqual(['a[20,30]=2']);
      expect(store.backwardFindSessions(b('a'), 0, 100).map(str)).toEqual(['a[40,50]=3', 'a[20,30]=2', 'a[0,10]=1']);
      expect(store.findSessions(b('a'), b('b'), 25, 25).map(str)).toEqual(['a[20,30]=2', 'b[20,30]=x']);
    }));

    it('fetches exact sessions, removes them, and keeps prefix keys apart', withStore(({ store }) => {
      store.put(sk('a', 0, 10), b('1'));
      store.put(sk(Buffer.from([0x61, 0x00]), 0, 10), b('2'));
      expect(store.fetchSession(b('a'), 0, 10)).toEqual(b('1'));
      expect(store.fetchSession(b('a'), 0, 11)).toBeNull();
      expect(store.fetch(b('a')).map(str)).toEqual(['a[0,10]=1']);
      expect(store.fetch(b('a'), b('a\u0000')).length).toBe(2);
      store.remove(sk('a', 0, 10));
      expect(store.fetchSession(b('a'), 0, 10)).toBeNull();
      store.put(sk(Buffer.from([0x61, 0x00]), 0, 10), null);
      expect(store.fetch(null, null)).toEqual([]);
    }));

    it('orders range results by end, then key bytes, then start', withStore(({ store }) => {
      store.put(sk('b', 0, 20), b('1'));
      store.put(sk('a', 5, 20), b('2'));
      store.put(sk('a', 0, 10), b('3'));
      expect(store.fetch(null, null).map(str)).toEqual(['a[0,10]=3', 'a[5,20]=2', 'b[0,20]=1']);
      expect(store.backwardFetch(null, null).map(str)).toEqual(['b[0,20]=1', 'a[5,20]=2', 'a[0,10]=3']);
    }));

    it('drops sessions whose end is older than the retention', withStore(({ store }) => {
      store.put(sk('a', 0, 10), b('old'));
      store.put(sk('a', SESSION_RETENTION + 1_000, SESSION_RETENTION + 2_000), b('new'));
      expect(store.fetchSession(b('a'), 0, 10)).toBeNull();
      expect(store.fetch(b('a')).map(str)).toEqual([`a[${SESSION_RETENTION + 1_000},${SESSION_RETENTION + 2_000}]=new`]);
    }));

    it('fails every operation with StoreNotOpenError naming the store once closed', async () => {
      const h = await impl.open();
      await h.store.close();
      const ops: [string, () => unknown][] = [
        ['put', () => h.store.put(sk('a', 0, 1), b('1'))],
        ['remove', () => h.store.remove(sk('a', 0, 1))],
        ['fetchSession', () => h.store.fetchSession(b('a'), 0, 1)],
        ['findSessions', () => h.store.findSessions(b('a'), 0, 1)],
        ['backwardFindSessions', () => h.store.backwardFindSessions(b('a'), 0, 1)],
        ['fetch', () => h.store.fetch(b('a'))],
        ['backwardFetch', () => h.store.backwardFetch(b('a'))],
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
      it('keeps committed sessions across close and reopen', withStore(async (h) => {
        h.store.put(sk('a', 0, 10), b('1'));
        await h.commit();
        const h2 = await h.reopen();
        expect(h2.store.fetch(b('a')).map(str)).toEqual(['a[0,10]=1']);
      }));
    }

    if (impl.supports.logging) {
      it('logs session keys so that replaying the changelog rebuilds the store', withStore(async (h) => {
        h.store.put(sk('a', 0, 10), b('1'));
        h.store.put(sk('a', 0, 10), b('2'));
        h.store.put(sk('b', 5, 15), b('3'));
        h.store.remove(sk('b', 5, 15));
        h.store.put(sk('c', 5, 15), b('4'));
        await h.commit();
        const fresh = new InMemorySessionStore('replay', SESSION_RETENTION);
        await fresh.init(new FakeStoreContext(), fresh);
        fresh.restoreBatch(h.changelog());
        expect(fresh.fetch(null, null).map(str)).toEqual(h.store.fetch(null, null).map(str));
        expect(fresh.fetch(null, null).map(str)).toEqual(['a[0,10]=2', 'c[5,15]=4']);
      }));
    }
  });
}
