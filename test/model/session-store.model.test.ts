/**
 * Model-based test of the session stacks against a model map (key, start, end) -> aggregate with
 * retention by session end: stream time = largest end put; a session is live while
 * end >= streamTime - retention + 1; puts older than that are dropped.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.js';
import { InMemorySessionStore } from '../../state/in-memory-session-store.js';
import type { MeteredSessionStore } from '../../state/metered-session-store.js';
import { StateRestorer } from '../../state/state-restorer.js';
import { Stores } from '../../state/stores.js';
import type { TaskStateDb } from '../../state/task-state-db.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { changelogBatches } from '../state/changelog-source.js';
import { FakeStoreContext, openTaskDb, tempDir } from '../state/fake-store-context.js';

const MIN = 60_000;
const RETENTION = 5 * MIN;
const TP = 'app-store-changelog-0';
const KEYS = ['a', 'ab', 'a\u0000', 'b'];

interface Model {
  sessions: Map<string, { key: string; start: number; end: number; value: string }>;
  streamTime: number;
}
type Stack = { persistent: boolean; caching: boolean };
const liveSorted = (m: Model) =>
  [...m.sessions.values()]
    .filter((s) => s.end >= m.streamTime - RETENTION + 1)
    .sort((x, y) => x.end - y.end || Buffer.compare(Buffer.from(x.key), Buffer.from(y.key)) || x.start - y.start);
const show = (list: { key: string; start: number; end: number; value: string }[]) => list.map((s) => `${s.key}[${s.start},${s.end}]=${s.value}`);
const showReal = (list: { key: { key: Buffer; window: { start: number; end: number } }; value: Buffer }[]) =>
  list.map((e) => `${e.key.key.toString()}[${e.key.window.start},${e.key.window.end}]=${e.value.toString()}`);

class Real {
  store!: MeteredSessionStore<Buffer, Buffer>;
  db: TaskStateDb | undefined;
  ctx!: FakeStoreContext;
  private readonly tmp = tempDir();
  private readonly cache = new ThreadCache(500);
  constructor(readonly stack: Stack) {}
  async open(): Promise<void> {
    this.db = this.stack.persistent ? await openTaskDb(this.tmp.dir) : undefined;
    const log = this.ctx?.changelog ?? [];
    this.ctx = new FakeStoreContext('0_0', this.tmp.dir, this.db, this.cache);
    this.ctx.changelog.push(...log);
    const supplier = this.stack.persistent ? Stores.persistentSessionStore('store', RETENTION) : Stores.inMemorySessionStore('store', RETENTION);
    const b = Stores.sessionStoreBuilder(supplier, Serdes.bytes(), Serdes.bytes()).withLoggingEnabled();
    this.store = (this.stack.caching ? b.withCachingEnabled() : b).build();
    await this.store.init(this.ctx, this.store);
  }
  async commit(): Promise<void> {
    await this.store.flush();
    await this.db?.commit(new Map([[TP, this.ctx.changelog.length]]));
  }
  async reopen(): Promise<void> {
    await this.commit();
    await this.store.close();
    await this.db?.close();
    await this.open();
    const log = this.ctx.recordsOf('store');
    const checkpoint = this.db?.readCheckpoint().get(TP);
    await new StateRestorer({ store: this.store, partition: 0, checkpoint, endOffset: log.length, source: changelogBatches(log, 5, checkpoint ?? 0) }).run();
  }
  async dispose(): Promise<void> {
    if (this.store.isOpen()) await this.store.close();
    if (this.db?.isOpen()) await this.db.close();
    this.tmp.cleanup();
  }
}

type Cmd = fc.AsyncCommand<Model, Real>;

class Put implements Cmd {
  constructor(readonly k: number, readonly start: number, readonly length: number, readonly value: string | null) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const key = KEYS[this.k % KEYS.length]!;
    const [start, end] = [this.start * MIN, (this.start + this.length) * MIN];
    r.store.put({ key: Buffer.from(key), window: { start, end } }, this.value === null ? null : Buffer.from(this.value));
    m.streamTime = Math.max(m.streamTime, end);
    if (end < m.streamTime - RETENTION + 1) return;
    const id = `${key}|${start}|${end}`;
    if (this.value === null) m.sessions.delete(id);
    else m.sessions.set(id, { key, start, end, value: this.value });
  }
  toString = () => `put(${JSON.stringify(KEYS[this.k % KEYS.length])}, [${this.start}, ${this.start + this.length}]min, ${JSON.stringify(this.value)})`;
}
class Find implements Cmd {
  constructor(readonly k: number | null, readonly k2: number | null, readonly earliestEnd: number, readonly latestStart: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const [ee, ls] = [this.earliestEnd * MIN, this.latestStart * MIN];
    if (this.k2 === null && this.k !== null) {
      const key = KEYS[this.k % KEYS.length]!;
      const want = liveSorted(m).filter((s) => s.key === key && s.end >= ee && s.start <= ls);
      expect(showReal(r.store.findSessions(Buffer.from(key), ee, ls))).toEqual(show(want));
      for (const s of want) expect(r.store.fetchSession(Buffer.from(key), s.start, s.end)?.toString()).toBe(s.value);
      return;
    }
    const from = this.k === null ? null : Buffer.from(KEYS[this.k % KEYS.length]!);
    const to = this.k2 === null ? null : Buffer.from(KEYS[this.k2 % KEYS.length]!);
    const want = liveSorted(m).filter((s) => {
      const kb = Buffer.from(s.key);
      return (from === null || Buffer.compare(kb, from) >= 0) && (to === null || Buffer.compare(kb, to) <= 0) && s.end >= ee && s.start <= ls;
    });
    expect(showReal(r.store.findSessions(from, to, ee, ls))).toEqual(show(want));
  }
  toString = () => `find(${this.k}, ${this.k2}, end>=${this.earliestEnd}, start<=${this.latestStart})`;
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
    expect(showReal(r.store.fetch(null, null))).toEqual(show(liveSorted(m)));
  }
  toString = () => 'close+reopen';
}
class RestoreElsewhere implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.commit();
    const fresh = new InMemorySessionStore('store', RETENTION);
    await fresh.init(new FakeStoreContext('0_0'), fresh);
    const log = r.ctx.recordsOf('store');
    await new StateRestorer({ store: fresh, partition: 0, checkpoint: undefined, endOffset: log.length, source: changelogBatches(log, 4) }).run();
    expect(showReal(fresh.fetch(null, null))).toEqual(show(liveSorted(m)));
    fresh.close();
  }
  toString = () => 'restore-from-changelog';
}

const commands = [
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 3 }), fc.option(fc.string({ minLength: 1, maxLength: 3 }), { freq: 4 }))
    .map(([k, s, l, v]) => new Put(k, s, l, v)),
  fc.tuple(fc.option(fc.nat()), fc.option(fc.nat()), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 25 })).map(([a, b, e, s]) => new Find(a, b, e, s)),
  fc.constant(new Commit()),
  fc.constant(new Reopen()),
  fc.constant(new RestoreElsewhere()),
];

describe('model > SessionStore', () => {
  const stacks: [string, Stack][] = [
    ['in-memory, cached (tiny cache), logged', { persistent: false, caching: true }],
    ['LevelDB, cached (tiny cache), logged', { persistent: true, caching: true }],
    ['LevelDB, uncached, logged', { persistent: true, caching: false }],
  ];
  for (const [name, stack] of stacks) {
    it(`property: ${name} keeps sessions like the model, with retention, across commits, reopens and restores`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
          const real = new Real(stack);
          await real.open();
          try {
            await fc.asyncModelRun(() => ({ model: { sessions: new Map(), streamTime: Number.NEGATIVE_INFINITY }, real }), cmds);
          } finally {
            await real.dispose();
          }
        }),
        { numRuns: stack.persistent ? 40 : 80 },
      );
    });
  }
});
