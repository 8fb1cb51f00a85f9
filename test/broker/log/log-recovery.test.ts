import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurablePartitionLog } from '../../../src/broker/log/durable-partition-log.js';
import { expected, readAll, rec, tempDirs } from './log-test-helpers.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const OPTS = { segmentBytes: 2000, indexIntervalBytes: 64 };
const N = 200; // records 0..199 in batches of 5: the last batch starts at 195

/** A closed log of N records over several segments; returns its dir and segment files (oldest first). */
function writeLog(): { dir: string; logs: string[] } {
  const dir = dirs.make();
  const log = DurablePartitionLog.open(dir, OPTS);
  for (let i = 0; i < N; i += 5) log.append({ records: [rec(i), rec(i + 1), rec(i + 2), rec(i + 3), rec(i + 4)] });
  log.close();
  const logs = fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort().map((f) => path.join(dir, f));
  return { dir, logs };
}

function size(file: string): number {
  return fs.statSync(file).size;
}

function patch(file: string, position: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, bytes, 0, bytes.length, position);
  fs.closeSync(fd);
}

function flipByte(file: string, position: number): void {
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, position);
  b[0]! ^= 0x5a;
  fs.writeSync(fd, b, 0, 1, position);
  fs.closeSync(fd);
}

const last = (a: string[]) => a[a.length - 1]!;
const indexOf = (log: string) => log.replace(/\.log$/, '.index');
const timeIndexOf = (log: string) => log.replace(/\.log$/, '.timeindex');
/** Base offset of a segment file. */
const baseOf = (log: string) => Number(path.basename(log, '.log'));

interface Case {
  name: string;
  damage(logs: string[]): void;
  /** logEndOffset after recovery. */
  end(logs: string[]): number;
  warnings: RegExp[];
}

const cases: Case[] = [
  {
    name: 'the active .log cut mid-batch',
    damage: (logs) => fs.truncateSync(last(logs), size(last(logs)) - 7),
    end: () => 195,
    warnings: [/truncated .*\.log at position \d+: dropped \d+ bytes from offset 195 on \(batch of \d+ bytes runs past the end/],
  },
  {
    name: 'the active .log cut inside a batch header',
    damage: (logs) => {
      const file = last(logs);
      const lastBatchSize = size(file) - findBatchStart(file, 195);
      fs.truncateSync(file, size(file) - lastBatchSize + 20);
    },
    end: () => 195,
    warnings: [/truncated .* dropped 20 bytes from offset 195 on \(20 trailing bytes are too few/],
  },
  {
    name: 'garbage appended to the active .log',
    damage: (logs) => fs.appendFileSync(last(logs), Buffer.from('\x00\x00\x01\x00garbage garbage garbage garbage garbage garbage garbage garbage')),
    end: () => N,
    warnings: [/truncated .* dropped 67 bytes from offset 200 on \(unknown magic byte/],
  },
  {
    name: 'zeros appended to the active .log (preallocated, never written)',
    damage: (logs) => fs.appendFileSync(last(logs), Buffer.alloc(4096)),
    end: () => N,
    warnings: [/dropped 4096 bytes from offset 200 on \(length prefix 0 is too small/],
  },
  {
    name: 'a byte flipped inside the last batch',
    damage: (logs) => flipByte(last(logs), size(last(logs)) - 10),
    end: () => 195,
    warnings: [/truncated .* from offset 195 on \(CRC mismatch\)/],
  },
  {
    name: 'a byte flipped in the offset field of the last batch',
    damage: (logs) => flipByte(last(logs), findBatchStart(last(logs), 195) + 16),
    end: () => 195,
    warnings: [/from offset 195 on \(CRC mismatch\)/],
  },
  {
    name: 'the first batch of the active segment torn: the segment empties',
    damage: (logs) => fs.truncateSync(last(logs), 30),
    end: (logs) => baseOf(last(logs)),
    warnings: [/truncated .*\.log at position 0: dropped 30 bytes/],
  },
  {
    name: 'the active .index deleted',
    damage: (logs) => fs.rmSync(indexOf(last(logs))),
    end: () => N,
    warnings: [/rebuilt .*\.index: missing or inconsistent/],
  },
  {
    name: 'the active .index overwritten with garbage',
    damage: (logs) => patch(indexOf(last(logs)), 0, Buffer.from([0, 0, 0, 1, 0, 0, 0, 9])),
    end: () => N,
    warnings: [/rebuilt .*\.index: missing or inconsistent/],
  },
  {
    name: 'the active .timeindex deleted',
    damage: (logs) => fs.rmSync(timeIndexOf(last(logs))),
    end: () => N,
    warnings: [/rebuilt .*\.timeindex: missing or inconsistent/],
  },
  {
    name: "a sealed segment's .index and .timeindex deleted",
    damage: (logs) => {
      fs.rmSync(indexOf(logs[1]!));
      fs.rmSync(timeIndexOf(logs[1]!));
    },
    end: () => N,
    warnings: [/rebuilt .*\.index: missing/, /rebuilt .*\.timeindex: missing/],
  },
  {
    name: "a sealed segment's .index pointing at a wrong position",
    damage: (logs) => {
      const idx = fs.readFileSync(indexOf(logs[0]!));
      idx.writeInt32BE(idx.readInt32BE(idx.length - 4) + 1, idx.length - 4);
      fs.writeFileSync(indexOf(logs[0]!), idx);
    },
    end: () => N,
    warnings: [/rebuilt .*0{20}\.index: missing or inconsistent/],
  },
  {
    name: 'a sealed segment cut mid-batch: it is truncated and every later segment deleted',
    damage: (logs) => fs.truncateSync(logs[1]!, size(logs[1]!) - 3),
    end: (logs) => baseOf(logs[2]!) - 5,
    warnings: [/truncated .*\.log at position \d+/, /deleted .*\.log .* after the corruption/],
  },
];

describe('broker > log > recovery', () => {
  it.each(cases)('$name: earlier records intact, the damaged tail gone, a warning', (c) => {
    const { dir, logs } = writeLog();
    expect(logs.length).toBeGreaterThanOrEqual(3);
    c.damage(logs);
    const end = c.end(logs);
    const warnings: string[] = [];
    let log = DurablePartitionLog.open(dir, { ...OPTS, onWarning: (m) => warnings.push(m) });
    expect(log.logEndOffset).toBe(end);
    expect(readAll(log)).toEqual(expected(0, end));
    for (const re of c.warnings) expect(warnings.some((w) => re.test(w)), `${re} in ${JSON.stringify(warnings)}`).toBe(true);
    for (const w of warnings) expect(c.warnings.some((re) => re.test(w)), `unexpected warning ${w}`).toBe(true);
    // Timestamps are 1000 + offset: the rebuilt time index must agree.
    expect(log.offsetForTimestamp(1000 + Math.floor(end / 2))).toBe(end === 0 ? null : Math.floor(end / 2));
    // The log continues at the recovered end, and a second open finds nothing to repair.
    log.append({ records: [rec(end), rec(end + 1)] });
    log.close();
    log = DurablePartitionLog.open(dir, { ...OPTS, onWarning: (m) => expect.fail(`second open warned: ${m}`) });
    expect(readAll(log)).toEqual(expected(0, end + 2));
    log.close();
  });

  it('truncates after the last synced batch when index entries point past the torn tail', async () => {
    const dir = dirs.make();
    const log = DurablePartitionLog.open(dir, { segmentBytes: 1 << 20, indexIntervalBytes: 64 });
    for (let i = 0; i < 100; i += 5) log.append({ records: [rec(i), rec(i + 1), rec(i + 2), rec(i + 3), rec(i + 4)] });
    await log.sync(); // index entries for the whole log are now on disk
    const file = path.join(dir, '00000000000000000000.log');
    const cut = findBatchStart(file, 50);
    log.close();
    fs.truncateSync(file, cut + 1);
    const warnings: string[] = [];
    const reopened = DurablePartitionLog.open(dir, { onWarning: (m) => warnings.push(m), indexIntervalBytes: 64 });
    expect(reopened.logEndOffset).toBe(50);
    expect(readAll(reopened)).toEqual(expected(0, 50));
    expect(warnings).toHaveLength(1); // the truncation; index entries past it are expected, not corruption
    reopened.close();
  });

  it('restarts at the checkpointed start when the log lost records below it', () => {
    const dir = dirs.make();
    const log = DurablePartitionLog.open(dir);
    for (let i = 0; i < 10; i++) log.append({ records: [rec(i)] });
    log.deleteRecordsBefore(8);
    log.close();
    fs.truncateSync(path.join(dir, '00000000000000000000.log'), 0);
    const warnings: string[] = [];
    const reopened = DurablePartitionLog.open(dir, { onWarning: (m) => warnings.push(m) });
    expect([reopened.logStartOffset, reopened.logEndOffset]).toEqual([8, 8]);
    expect(warnings.join('\n')).toMatch(/restarting the log at 8/);
    expect(reopened.append({ records: [rec(8)] }).baseOffset).toBe(8);
    reopened.close();
  });
});

/** File position of the batch holding `offset` (walks the length prefixes; offset at header +9). */
function findBatchStart(file: string, offset: number): number {
  const buf = fs.readFileSync(file);
  for (let pos = 0; pos < buf.length; pos += buf.readInt32BE(pos) + 4) {
    const base = buf.readInt32BE(pos + 9) * 2 ** 32 + buf.readUInt32BE(pos + 13);
    const last = base + buf.readInt32BE(pos + 17);
    if (offset >= base && offset <= last) return pos;
  }
  throw new Error(`offset ${offset} not in ${file}`);
}
