/**
 * Model-based test of the window stacks against a model map (key, window start) -> value with
 * Kafka's retention rule: stream time = largest start put; a window is live while
 * start >= streamTime - retention + 1; puts older than that are dropped.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes } from '../../src/serdes/serdes.js';
import { InMemoryWindowStore } from '../../state/in-memory-window-store.js';
import type { MeteredWindowStore } from '../../state/metered-window-store.js';
import { StateRestorer } from '../../state/state-restorer.js';
import { Stores } from '../../state/stores.js';
import type { TaskStateDb } from '../../state/task-state-db.js';
import { ThreadCache } from '../../state/thread-cache.js';
import { changelogBatches } from '../state/changelog-source.js';
import { FakeStoreContext, openTaskDb, tempDir } from '../state/fake-store-context.js';

const MIN = 60_000;
const RETENTION = 5 * MIN;
const SIZE = MIN;
const TP = 'app-store-changelog-0';

interface Model {
  windows: Map<string, string>; // `${keyHex}|${start}` -> value
  streamTime: number;
}
type Stack = { persistent: boolean; caching: boolean };

const id = (key: string, start: number) => `${Buffer.from(key).toString('hex')}|${start}`;
const live = (m: Model) => {
  const minLive = m.streamTime - RETENTION + 1;
  return [...m.windows]
    .map(([k, v]) => {
      const [hex, start] = k.split('|');
      return { key: Buffer.from(hex!, 'hex'), start: Number(start), value: v };
    })
    .filter((w) => w.start >= minLive)
    .sort((a, b) => a.start - b.start || Buffer.compare(a.key, b.key));
};
const show = (list: { key: Buffer; start: number; value: string }[]) => list.map((w) => `${w.key.toString()}@${w.start}=${w.value}`);
const showReal = (list: { key: { key: Buffer; window: { start: number } }; value: Buffer }[]) =>
  list.map((e) => `${e.key.key.toString()}@${e.key.window.start}=${e.value.toString()}`);

class Real {
  store!: MeteredWindowStore<Buffer, Buffer>;
  db: TaskStateDb | undefined;
  ctx!: FakeStoreContext;
  private readonly tmp = tempDir();
  private readonly cache = new ThreadCache(400);
  constructor(readonly stack: Stack) {}
  async open(): Promise<void> {
    this.db = this.stack.persistent ? await openTaskDb(this.tmp.dir) : undefined;
    const log = this.ctx?.changelog ?? [];
    this.ctx = new FakeStoreContext('0_0', this.tmp.dir, this.db, this.cache);
    this.ctx.changelog.push(...log);
    const supplier = this.stack.persistent
      ? Stores.persistentWindowStore('store', RETENTION, SIZE, false)
      : Stores.inMemoryWindowStore('store', RETENTION, SIZE, false);
    const b = Stores.windowStoreBuilder(supplier, Serdes.bytes(), Serdes.bytes()).withLoggingEnabled();
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
const KEYS = ['a', 'ab', 'a\u0000', 'b', 'c'];

class Put implements Cmd {
  constructor(readonly k: number, readonly minute: number, readonly value: string | null) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const key = KEYS[this.k % KEYS.length]!;
    const start = this.minute * MIN;
    r.store.put(Buffer.from(key), this.value === null ? null : Buffer.from(this.value), start);
    m.streamTime = Math.max(m.streamTime, start);
    if (start < m.streamTime - RETENTION + 1) return;
    if (this.value === null) m.windows.delete(id(key, start));
    else m.windows.set(id(key, start), this.value);
  }
  toString = () => `put(${JSON.stringify(KEYS[this.k % KEYS.length])}, ${this.minute}min, ${JSON.stringify(this.value)})`;
}
class FetchKey implements Cmd {
  constructor(readonly k: number, readonly from: number, readonly span: number, readonly backward: boolean) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const key = Buffer.from(KEYS[this.k % KEYS.length]!);
    const [from, to] = [this.from * MIN, (this.from + this.span) * MIN];
    const want = live(m).filter((w) => w.key.equals(key) && w.start >= from && w.start <= to).map((w) => `${w.start}=${w.value}`);
    const got = (this.backward ? r.store.backwardFetch(key, from, to) : r.store.fetch(key, from, to)).map((e) => `${e.timestamp}=${e.value.toString()}`);
    expect(got).toEqual(this.backward ? want.reverse() : want);
    for (const w of live(m).filter((x) => x.key.equals(key))) expect(r.store.fetch(key, w.start)?.toString()).toBe(w.value);
  }
  toString = () => `fetch(#${this.k}, ${this.from}..+${this.span}${this.backward ? ', backward' : ''})`;
}
class FetchRange implements Cmd {
  constructor(readonly a: number | null, readonly b: number | null, readonly from: number, readonly span: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const kf = this.a === null ? null : Buffer.from(KEYS[this.a % KEYS.length]!);
    const kt = this.b === null ? null : Buffer.from(KEYS[this.b % KEYS.length]!);
    const [from, to] = [this.from * MIN, (this.from + this.span) * MIN];
    const want = live(m).filter(
      (w) => (kf === null || Buffer.compare(w.key, kf) >= 0) && (kt === null || Buffer.compare(w.key, kt) <= 0) && w.start >= from && w.start <= to,
    );
    expect(showReal(r.store.fetch(kf, kt, from, to))).toEqual(show(want));
    expect(showReal(r.store.all())).toEqual(show(live(m)));
  }
  toString = () => `fetchRange(${this.a}, ${this.b}, ${this.from}..+${this.span})`;
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
    expect(showReal(r.store.all())).toEqual(show(live(m)));
  }
  toString = () => 'close+reopen';
}
class RestoreElsewhere implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.commit();
    const fresh = new InMemoryWindowStore('store', RETENTION, SIZE, false);
    await fresh.init(new FakeStoreContext('0_0'), fresh);
    const log = r.ctx.recordsOf('store');
    await new StateRestorer({ store: fresh, partition: 0, checkpoint: undefined, endOffset: log.length, source: changelogBatches(log, 4) }).run();
    expect(showReal(fresh.all())).toEqual(show(live(m)));
    fresh.close();
  }
  toString = () => 'restore-from-changelog';
}

const commands = [
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 20 }), fc.option(fc.string({ minLength: 1, maxLength: 3 }), { freq: 4 })).map(([k, t, v]) => new Put(k, t, v)),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 8 }), fc.boolean()).map(([k, f, s, b]) => new FetchKey(k, f, s, b)),
  fc.tuple(fc.option(fc.nat()), fc.option(fc.nat()), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })).map(([a, b, f, s]) => new FetchRange(a, b, f, s)),
  fc.constant(new Commit()),
  fc.constant(new Reopen()),
  fc.constant(new RestoreElsewhere()),
];

describe('model > WindowStore', () => {
  const stacks: [string, Stack][] = [
    ['in-memory, cached (tiny cache), logged', { persistent: false, caching: true }],
    ['LevelDB, cached (tiny cache), logged', { persistent: true, caching: true }],
    ['LevelDB, uncached, logged', { persistent: true, caching: false }],
  ];
  for (const [name, stack] of stacks) {
    it(`property: ${name} keeps windows like the model, with retention, across commits, reopens and restores`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
          const real = new Real(stack);
          await real.open();
          try {
            await fc.asyncModelRun(() => ({ model: { windows: new Map(), streamTime: Number.NEGATIVE_INFINITY }, real }), cmds);
          } finally {
            await real.dispose();
          }
        }),
        { numRuns: stack.persistent ? 40 : 80 },
      );
    });
  }
});
