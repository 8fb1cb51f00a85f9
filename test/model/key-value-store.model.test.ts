/**
 * Model-based test of the key-value stacks: every command runs against the real store stack and a
 * sorted-map model; raw parameters (byte strings, picks) are resolved against the model inside
 * `run`, so every command is valid whatever the model holds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.js';
import type { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import { StateRestorer } from '../../state/state-restorer.js';
import { Stores } from '../../state/stores.js';
import type { TaskStateDb } from '../../state/task-state-db.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { changelogBatches } from '../state/changelog-source.js';
import { FakeStoreContext, openTaskDb, tempDir } from '../state/fake-store-context.js';

type Model = Map<string, string>; // latin1 key -> latin1 value
type Stack = { persistent: boolean; caching: boolean; cacheBytes: number };

const TP = 'app-store-changelog-0';
const l1 = (b: Buffer) => b.toString('latin1');
const buf = (s: string) => Buffer.from(s, 'latin1');
const sortedKeys = (m: Model) => [...m.keys()].sort((a, b) => Buffer.compare(buf(a), buf(b)));

class Real {
  store!: MeteredKeyValueStore<Buffer, Buffer>;
  db: TaskStateDb | undefined;
  ctx!: FakeStoreContext;
  private readonly tmp = tempDir();
  private cache: ThreadCache;
  constructor(readonly stack: Stack) {
    this.cache = new ThreadCache(stack.cacheBytes);
  }
  private build(): MeteredKeyValueStore<Buffer, Buffer> {
    const supplier = this.stack.persistent ? Stores.persistentKeyValueStore('store') : Stores.inMemoryKeyValueStore('store');
    const b = Stores.keyValueStoreBuilder(supplier, Serdes.bytes(), Serdes.bytes()).withLoggingEnabled();
    return (this.stack.caching ? b.withCachingEnabled() : b.withCachingDisabled()).build();
  }
  async open(): Promise<void> {
    this.db = this.stack.persistent ? await openTaskDb(this.tmp.dir) : undefined;
    const log = this.ctx?.changelog ?? [];
    this.ctx = new FakeStoreContext('0_0', this.tmp.dir, this.db, this.cache);
    this.ctx.changelog.push(...log);
    this.store = this.build();
    await this.store.init(this.ctx, this.store);
  }
  async commit(): Promise<void> {
    await this.store.flush();
    await this.db?.commit(new Map([[TP, this.ctx.changelog.length]]));
  }
  /** Graceful close and reopen; an in-memory store comes back by replaying its changelog. */
  async reopen(): Promise<void> {
    await this.commit();
    await this.store.close();
    await this.db?.close();
    await this.open();
    const log = this.ctx.recordsOf('store');
    const checkpoint = this.db?.readCheckpoint().get(TP);
    await new StateRestorer({ store: this.store, partition: 0, checkpoint, endOffset: log.length, source: changelogBatches(log, 7, checkpoint ?? 0) }).run();
  }
  async dispose(): Promise<void> {
    if (this.store.isOpen()) await this.store.close();
    if (this.db?.isOpen()) await this.db.close();
    this.tmp.cleanup();
  }
}

type Cmd = fc.AsyncCommand<Model, Real>;
const pick = (m: Model, n: number, fallback: string) => (m.size === 0 ? fallback : sortedKeys(m)[n % m.size]!);
const keyArb = fc.uint8Array({ minLength: 1, maxLength: 3 }).map((a) => l1(Buffer.from(a)));

class Put implements Cmd {
  constructor(readonly key: string, readonly value: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    r.store.put(buf(this.key), buf(this.value));
    m.set(this.key, this.value);
  }
  toString = () => `put(${JSON.stringify(this.key)})`;
}
class Delete implements Cmd {
  constructor(readonly n: number, readonly fresh: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const key = pick(m, this.n, this.fresh);
    const old = r.store.delete(buf(key));
    expect(old === null ? null : l1(old)).toBe(m.get(key) ?? null);
    m.delete(key);
  }
  toString = () => `delete(#${this.n})`;
}
class Get implements Cmd {
  constructor(readonly n: number, readonly fresh: string, readonly useFresh: boolean) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const key = this.useFresh ? this.fresh : pick(m, this.n, this.fresh);
    const got = r.store.get(buf(key));
    expect(got === null ? null : l1(got)).toBe(m.get(key) ?? null);
  }
  toString = () => `get(#${this.n})`;
}
class Range implements Cmd {
  constructor(readonly a: string | null, readonly b: string | null, readonly reverse: boolean) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const from = this.a === null ? null : buf(this.a);
    const to = this.b === null ? null : buf(this.b);
    const got = (this.reverse ? r.store.reverseRange(from, to) : r.store.range(from, to)).map((e) => [l1(e.key), l1(e.value)]);
    let want = sortedKeys(m)
      .filter((k) => (from === null || Buffer.compare(buf(k), from) >= 0) && (to === null || Buffer.compare(buf(k), to) <= 0))
      .map((k) => [k, m.get(k)!]);
    if (this.reverse) want = want.reverse();
    expect(got).toEqual(want);
    expect(r.store.approximateNumEntries()).toBe(m.size);
  }
  toString = () => `range(${JSON.stringify(this.a)}, ${JSON.stringify(this.b)}${this.reverse ? ', reverse' : ''})`;
}
class Commit implements Cmd {
  check = () => true;
  async run(_m: Model, r: Real) {
    await r.commit();
  }
  toString = () => 'commit';
}
class Reopen implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.reopen();
    expect(r.store.all().map((e) => [l1(e.key), l1(e.value)])).toEqual(sortedKeys(m).map((k) => [k, m.get(k)!]));
  }
  toString = () => 'close+reopen';
}
class RestoreElsewhere implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.commit();
    const fresh = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('store'), Serdes.bytes(), Serdes.bytes()).withLoggingDisabled().build();
    await fresh.init(new FakeStoreContext('0_0'), fresh);
    const log = r.ctx.recordsOf('store');
    await new StateRestorer({ store: fresh, partition: 0, checkpoint: undefined, endOffset: log.length, source: changelogBatches(log, 5) }).run();
    expect(fresh.all().map((e) => [l1(e.key), l1(e.value)])).toEqual(sortedKeys(m).map((k) => [k, m.get(k)!]));
    await fresh.close();
  }
  toString = () => 'restore-from-changelog';
}

const commands = [
  fc.tuple(keyArb, fc.string({ maxLength: 4 })).map(([k, v]) => new Put(k, v)),
  fc.tuple(fc.nat(), keyArb).map(([n, k]) => new Delete(n, k)),
  fc.tuple(fc.nat(), keyArb, fc.boolean()).map(([n, k, f]) => new Get(n, k, f)),
  fc.tuple(fc.option(keyArb), fc.option(keyArb), fc.boolean()).map(([a, b, rev]) => new Range(a, b, rev)),
  fc.constant(new Commit()),
  fc.constant(new Reopen()),
  fc.constant(new RestoreElsewhere()),
];

const stacks: [string, Stack][] = [
  ['in-memory, cached (tiny cache: evictions), logged', { persistent: false, caching: true, cacheBytes: 300 }],
  ['LevelDB, cached, logged', { persistent: true, caching: true, cacheBytes: 1 << 20 }],
  ['LevelDB, uncached, logged', { persistent: true, caching: false, cacheBytes: 0 }],
];

describe('model > KeyValueStore', () => {
  for (const [name, stack] of stacks) {
    it(`property: ${name} behaves like a sorted map across commits, reopens and restores`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
          const real = new Real(stack);
          await real.open();
          try {
            await fc.asyncModelRun(() => ({ model: new Map(), real }), cmds);
          } finally {
            await real.dispose();
          }
        }),
        { numRuns: stack.persistent ? 40 : 80 },
      );
    });
  }
});
