import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommitJournal } from '../../../src/broker/log/commit-journal.js';
import { DurablePartitionLog } from '../../../src/broker/log/durable-partition-log.js';
import { type CommitToken, JournaledSync } from '../../../src/broker/log/journaled-sync.js';
import { DATA_START, type JournalChunk, SEAL_TOPIC } from '../../../src/broker/log/journal-entry-codec.js';
import { Segment } from '../../../src/broker/log/segment.js';

let dir: string;
let warnings: string[];
const warn = (m: string) => warnings.push(m);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-journal-'));
  warnings = [];
});
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

const chunk = (topic: string, partition: number, baseOffset: number, text: string): JournalChunk => ({ topic, partition, baseOffset, data: Buffer.from(text) });
const shape = (entries: JournalChunk[][]) => entries.map((e) => e.map((c) => [c.topic, c.partition, c.baseOffset, c.data.toString()]));

describe('broker > log > CommitJournal', () => {
  it('reads back the entries of the current generation, in order, after a reopen; none after a reset', async () => {
    const file = path.join(dir, 'j');
    let journal = CommitJournal.open(file, { warn });
    expect(journal.tryAppend([chunk('a', 0, 0, 'one'), chunk('b', 3, 7, 'two')])).toBe(true);
    expect(journal.tryAppend([chunk('a', 0, 1, 'three')])).toBe(true);
    await journal.waitDurable();
    await journal.close();
    journal = CommitJournal.open(file, { warn });
    expect(shape(journal.readEntries())).toEqual([
      [['a', 0, 0, 'one'], ['b', 3, 7, 'two']],
      [['a', 0, 1, 'three']],
    ]);
    journal.reset();
    expect(journal.tryAppend([chunk('c', 1, 5, 'four')])).toBe(true);
    await journal.close();
    journal = CommitJournal.open(file, { warn });
    // The old entries are still in the file behind the new one, but of an older generation.
    expect(shape(journal.readEntries())).toEqual([[['c', 1, 5, 'four']]]);
    await journal.close();
    expect(warnings).toEqual([]);
  });

  it('ends at a torn entry, keeping the ones before it, and says so', async () => {
    const file = path.join(dir, 'j');
    const journal = CommitJournal.open(file, { warn });
    journal.tryAppend([chunk('a', 0, 0, 'kept')]);
    journal.tryAppend([chunk('a', 0, 1, 'torn-entry-data')]);
    await journal.close();
    // An entry of one chunk: 16-byte header, u16 count, u16 topic length, topic, u32, f64, u32, data.
    const entrySize = (topic: string, data: string) => 16 + 2 + 2 + topic.length + 4 + 8 + 4 + data.length;
    const lastByteOfSecond = DATA_START + entrySize('a', 'kept') + entrySize('a', 'torn-entry-data') - 1;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0]), 0, 1, lastByteOfSecond); // as if the write stopped short of it
    fs.closeSync(fd);
    const reopened = CommitJournal.open(file, { warn });
    expect(shape(reopened.readEntries())).toEqual([[['a', 0, 0, 'kept']]]);
    await reopened.close();
    expect(warnings.join('\n')).toMatch(/entry at \d+: entry CRC mismatch/);
  });

  it('starts empty, with a warning, when its header is damaged', async () => {
    const file = path.join(dir, 'j');
    const journal = CommitJournal.open(file, { warn });
    journal.tryAppend([chunk('a', 0, 0, 'x')]);
    await journal.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0xff]), 0, 1, 9);
    fs.closeSync(fd);
    const reopened = CommitJournal.open(file, { warn });
    expect(reopened.readEntries()).toEqual([]);
    await reopened.close();
    expect(warnings.join('\n')).toMatch(/header CRC mismatch; starting it empty/);
  });

  it('refuses an entry past its capacity until a reset', async () => {
    const journal = CommitJournal.open(path.join(dir, 'j'), { warn, capacityBytes: 2 * DATA_START });
    const big = 'x'.repeat(1500);
    expect(journal.tryAppend([chunk('a', 0, 0, big)])).toBe(true);
    expect(journal.tryAppend([chunk('a', 0, 1, big)])).toBe(true);
    expect(journal.tryAppend([chunk('a', 0, 2, big)])).toBe(false);
    journal.reset();
    expect(journal.tryAppend([chunk('a', 0, 2, big)])).toBe(true);
    expect(shape(journal.readEntries())).toEqual([[['a', 0, 2, big]]]);
    await journal.close();
  });

  it('lets the committers of one tick share an fdatasync, on the calling thread while the disk is quick', async () => {
    const journal = CommitJournal.open(path.join(dir, 'j'), { warn });
    const fdatasync = vi.spyOn(fs, 'fdatasync');
    const fdatasyncSync = vi.spyOn(fs, 'fdatasyncSync');
    const syncs = () => fdatasync.mock.calls.length + fdatasyncSync.mock.calls.length;
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 6; i++) {
      journal.tryAppend([chunk('a', 0, i, `r${i}`)]);
      waits.push(journal.waitDurable());
    }
    await Promise.all(waits);
    expect(syncs()).toBe(1);
    await journal.waitDurable(); // nothing new: no fdatasync
    expect(syncs()).toBe(1);
    await journal.close();
  });

  it('moves fdatasync to the thread pool while the disk is slow, and back once it is quick again', async () => {
    const journal = CommitJournal.open(path.join(dir, 'j'), { warn });
    const fdatasync = vi.spyOn(fs, 'fdatasync');
    const realSync = fs.fdatasyncSync;
    let slowMs = 5;
    vi.spyOn(fs, 'fdatasyncSync').mockImplementation((fd) => {
      const until = performance.now() + slowMs;
      while (performance.now() < until); // a slow disk, as the journal sees it
      realSync(fd);
    });
    const commit = async (i: number) => {
      journal.tryAppend([chunk('a', 0, i, `r${i}`)]);
      await journal.waitDurable();
    };
    for (let i = 0; i < 10; i++) await commit(i);
    const pooled = fdatasync.mock.calls.length;
    expect(pooled).toBeGreaterThan(0); // went to the pool after the slow inline ones
    slowMs = 0;
    // The disk is quick again: pool syncs now finish at once (a real one could be slow on a busy machine).
    fdatasync.mockImplementation(((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      realSync(fd);
      process.nextTick(cb, null);
    }) as typeof fs.fdatasync);
    for (let i = 10; i < 40; i++) await commit(i);
    const inlineAgain = fdatasync.mock.calls.length;
    for (let i = 40; i < 50; i++) await commit(i);
    expect(fdatasync.mock.calls.length).toBe(inlineAgain); // quick pool syncs brought it back inline
    await journal.close();
  });

  it('property: reopened, it holds exactly the entries appended since the last reset', async () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), texts: fc.array(fc.string({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 3 }) }),
      fc.record({ kind: fc.constant('reset' as const) }),
      fc.record({ kind: fc.constant('reopen' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        const file = path.join(fs.mkdtempSync(path.join(dir, 'p-')), 'j');
        let journal = CommitJournal.open(file, { warn, capacityBytes: 3 * DATA_START });
        let model: string[][] = [];
        try {
          for (const o of ops) {
            if (o.kind === 'append') {
              const chunks = o.texts.map((t, i) => chunk('t', i, model.length, t));
              if (!journal.tryAppend(chunks)) {
                journal.reset(); // what the owner does once its checkpoint made the logs durable
                model = [];
                expect(journal.tryAppend(chunks)).toBe(true);
              }
              model.push(o.texts);
            } else if (o.kind === 'reset') {
              journal.reset();
              model = [];
            } else {
              await journal.close();
              journal = CommitJournal.open(file, { warn, capacityBytes: 3 * DATA_START });
              expect(journal.readEntries().map((e) => e.map((c) => c.data.toString()))).toEqual(model);
            }
          }
          await journal.close();
          journal = CommitJournal.open(file, { warn, capacityBytes: 3 * DATA_START });
          expect(journal.readEntries().map((e) => e.map((c) => c.data.toString()))).toEqual(model);
        } finally {
          await journal.close();
        }
      }),
      { numRuns: 40 },
    );
    expect(warnings).toEqual([]);
  });
});

/** Segment file → bytes fsynced (size at the start of each completed fsync): what a power cut keeps. */
function trackFsyncs(): Map<string, number> {
  const durable = new Map<string, number>();
  const fsync = Segment.prototype.fsync;
  vi.spyOn(Segment.prototype, 'fsync').mockImplementation(async function (this: Segment) {
    const size = this.size;
    await fsync.call(this);
    durable.set(this.logPath, Math.max(size, durable.get(this.logPath) ?? 0));
  });
  const fsyncSync = Segment.prototype.fsyncSync;
  vi.spyOn(Segment.prototype, 'fsyncSync').mockImplementation(function (this: Segment) {
    const size = this.size;
    fsyncSync.call(this);
    durable.set(this.logPath, Math.max(size, durable.get(this.logPath) ?? 0));
  });
  return durable;
}

function valuesOf(log: DurablePartitionLog): string[] {
  return log.read(log.logStartOffset).flatMap((b) => b.records.map((r) => r.value!.toString()));
}

/** Three logs of topic "t" under `root`, journaled. Tiny segments and journal: rolls (direct syncs) and journal laps (checkpoints) both happen. */
function openThreeLogs(root: string): { logs: DurablePartitionLog[]; sync: JournaledSync } {
  const logs = [0, 1, 2].map((p) => DurablePartitionLog.open(path.join(root, String(p)), { segmentBytes: 4000, onWarning: warn }));
  const sync = new JournaledSync(CommitJournal.open(path.join(root, 'commit.journal'), { warn, capacityBytes: 4 * DATA_START }), warn);
  logs.forEach((log, p) => sync.track(log, 't', p));
  return { logs, sync };
}

describe('broker > log > JournaledSync', () => {
  it('property: after a power cut (every segment cut back towards its fsynced size) each log keeps every synced record, in order', async () => {
    const op = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), log: fc.nat({ max: 2 }), count: fc.integer({ min: 1, max: 40 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync' as const), logs: fc.subarray([0, 1, 2], { minLength: 1 }) }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), async (ops, cuts) => {
        vi.restoreAllMocks();
        const durable = trackFsyncs();
        const root = fs.mkdtempSync(path.join(dir, 'p-'));
        const open = () => openThreeLogs(root);
        let { logs, sync } = open();
        sync.replay(() => undefined);
        const sent: string[][] = [[], [], []];
        const acked = [0, 0, 0];
        for (const o of ops) {
          if (o.kind === 'append') {
            const records = Array.from({ length: o.count }, (_, i) => ({ timestamp: 0, key: null, value: Buffer.from(`${o.log}-${sent[o.log]!.length + i}`), headers: {} }));
            logs[o.log]!.append({ records });
            sent[o.log]!.push(...records.map((r) => r.value.toString()));
          } else {
            const before = o.logs.map((l) => sent[l]!.length);
            await sync.sync(o.logs.map((l) => logs[l]!));
            o.logs.forEach((l, i) => (acked[l] = before[i]!));
          }
        }
        // Power cut: closing fsyncs nothing; then every segment file loses part of its unsynced tail.
        for (const log of logs) log.close();
        await sync.close();
        const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.log')).map((f) => path.join(root, f));
        files.forEach((file, i) => {
          const size = fs.statSync(file).size;
          const kept = Math.min(size, durable.get(file) ?? 0);
          fs.truncateSync(file, kept + Math.floor((cuts[i % 3] ?? 0) * (size - kept)));
        });
        ({ logs, sync } = open());
        const byPartition = (_t: string, p: number) => logs[p];
        sync.replay(byPartition);
        for (let p = 0; p < 3; p++) {
          const got = valuesOf(logs[p]!);
          expect(got.length).toBeGreaterThanOrEqual(acked[p]!);
          expect(got).toEqual(sent[p]!.slice(0, got.length));
        }
        for (const log of logs) log.close();
        await sync.close();
      }),
      { numRuns: 40 },
    );
  });

  it('syncs a log directly the first time (its directory is new), through the journal after that', async () => {
    const log = DurablePartitionLog.open(path.join(dir, 'p'), { onWarning: warn });
    const sync = new JournaledSync(CommitJournal.open(path.join(dir, 'commit.journal'), { warn }), warn);
    sync.track(log, 't', 0);
    const direct = vi.spyOn(log, 'sync');
    const append = vi.spyOn(CommitJournal.prototype, 'tryAppend');
    const record = { timestamp: 0, key: null, value: Buffer.from('v'), headers: {} };
    log.append({ records: [record] });
    await sync.sync([log]);
    expect([direct.mock.calls.length, append.mock.calls.length]).toEqual([1, 0]);
    log.append({ records: [record] });
    await sync.sync([log]);
    expect([direct.mock.calls.length, append.mock.calls.length]).toEqual([1, 1]);
    log.close();
    await sync.close();
  });
});

describe('broker > log > JournaledSync > commit tokens', () => {
  it('property: a token counts after a power cut only if every record appended before its reserve survived', async () => {
    // Syncs run concurrently (as commits of different producers do), logs roll (direct syncs), the tiny
    // journal laps, and checkpoints (topic deletions) fall anywhere — between a reserve and its seal too.
    const op = fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), log: fc.nat({ max: 2 }), count: fc.integer({ min: 1, max: 40 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('sync' as const), logs: fc.subarray([0, 1, 2], { minLength: 1 }) }) },
      { weight: 3, arbitrary: fc.constant({ kind: 'commit' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'settle' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'checkpoint' as const }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), async (ops, cuts) => {
        vi.restoreAllMocks();
        const durable = trackFsyncs();
        const root = fs.mkdtempSync(path.join(dir, 'c-'));
        const open = () => openThreeLogs(root);
        let { logs, sync } = open();
        sync.replay(() => undefined);
        sync.finishRecovery(false);
        const sent: string[][] = [[], [], []];
        const dirty = new Set<number>(); // as the topic registry keeps it: a sync takes its logs out
        const pending: Promise<unknown>[] = [];
        const commits: { token: CommitToken; before: number[]; acked: boolean }[] = [];
        for (const o of ops) {
          if (o.kind === 'append') {
            const records = Array.from({ length: o.count }, (_, i) => ({ timestamp: 0, key: null, value: Buffer.from(`${o.log}-${sent[o.log]!.length + i}`), headers: {} }));
            logs[o.log]!.append({ records });
            sent[o.log]!.push(...records.map((r) => r.value.toString()));
            dirty.add(o.log);
          } else if (o.kind === 'sync') {
            const taken = o.logs.filter((l) => dirty.delete(l));
            pending.push(sync.sync(taken.map((l) => logs[l]!)));
          } else if (o.kind === 'commit') {
            const commit = { token: sync.reserve()!, before: sent.map((s) => s.length), acked: false };
            commits.push(commit);
            const taken = [...dirty];
            dirty.clear();
            pending.push(sync.sync(taken.map((l) => logs[l]!), [commit.token]).then((sealed) => (commit.acked = sealed)));
          } else if (o.kind === 'settle') await Promise.all(pending.splice(0));
          else sync.checkpoint();
        }
        // Power cut now, syncs still under way: what is durable and written at this instant is what stays.
        const journalFile = path.join(root, 'commit.journal');
        const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.log')).map((f) => path.join(root, f));
        const atCut = { durable: new Map(durable), sizes: files.map((f) => fs.statSync(f).size), journal: fs.readFileSync(journalFile), acked: commits.map((c) => c.acked) };
        await Promise.allSettled(pending.splice(0));
        for (const log of logs) log.close();
        await sync.close();
        fs.writeFileSync(journalFile, atCut.journal);
        files.forEach((file, i) => {
          const size = atCut.sizes[i]!;
          const kept = Math.min(size, atCut.durable.get(file) ?? 0);
          fs.truncateSync(file, kept + Math.floor((cuts[i % 3] ?? 0) * (size - kept)));
        });
        ({ logs, sync } = open());
        sync.replay((_t, p) => logs[p]);
        const got = logs.map((log) => valuesOf(log));
        for (const [i, c] of commits.entries()) {
          if (atCut.acked[i]) expect(sync.sealed(c.token)).toBe(true);
          if (!sync.sealed(c.token)) continue;
          for (let p = 0; p < 3; p++) expect(got[p]!.slice(0, c.before[p])).toEqual(sent[p]!.slice(0, c.before[p]));
        }
        for (const log of logs) log.close();
        await sync.close();
      }),
      { numRuns: 60 },
    );
  });

  it('writes a seal only after the direct syncs under way finish: they may hold the commit\'s records', async () => {
    const log = DurablePartitionLog.open(path.join(dir, 'p'), { onWarning: warn });
    const file = path.join(dir, 'commit.journal');
    const sync = new JournaledSync(CommitJournal.open(file, { warn }), warn);
    sync.track(log, 't', 0);
    sync.replay(() => undefined);
    sync.finishRecovery(false);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const direct = log.sync.bind(log);
    vi.spyOn(log, 'sync').mockImplementation(async () => {
      await gate;
      return direct();
    });
    log.append({ records: [{ timestamp: 0, key: null, value: Buffer.from('v'), headers: {} }] });
    const first = sync.sync([log]); // direct: the partition directory is new
    const token = sync.reserve()!;
    let sealed: boolean | undefined;
    const commit = sync.sync([], [token]).then((s) => (sealed = s));
    await new Promise((r) => setTimeout(r, 20));
    const seals = () => {
      const reader = CommitJournal.open(file, { warn });
      const found = reader.readEntries().flat().filter((c) => c.topic === SEAL_TOPIC).map((c) => c.baseOffset);
      void reader.close();
      return found;
    };
    expect([sealed, seals()]).toEqual([undefined, []]);
    release();
    await Promise.all([first, commit]);
    expect([sealed, seals()]).toEqual([true, [token.id]]);
    log.close();
    await sync.close();
  });
});
