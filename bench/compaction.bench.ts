/**
 * Compaction benchmark: a compacted topic of `records` records (default 1M) over 10k keys on the durable
 * broker, then one log-cleaner pass. Reported: the pass's wall time and throughput, records and bytes
 * before and after, the worst event-loop stall during the pass (the cleaner yields between 256 KiB steps,
 * so produce and fetch keep being served), and peak RSS. Everything runs in a child process
 * (`compaction-bench-child` mode of this file) so that RSS is the broker's alone.
 *
 *   npx tsx bench/compaction.bench.ts [records]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Broker } from 'tributary';
import { fmtRate, printTable, rate, timed } from './report.js';

const KEYS = 10_000;
const BATCH = 1000;
const CHILD_FLAG = 'compaction-bench-child';

/** What the child measures. */
interface CompactionBenchResult {
  records: number;
  produceMs: number;
  compactMs: number;
  recordsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  maxLoopStallMs: number;
  rssAfterProduceMb: number;
  peakRssMb: number;
}

async function measure(records: number): Promise<CompactionBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-compaction-bench-'));
  const mb = () => Math.round(process.resourceUsage().maxRSS / 1024);
  try {
    const broker = await Broker.open({ dataDir: dir, fsync: 'never', onWarning: () => undefined });
    // 16 MiB segments: the default 1 GiB would leave everything in the active segment, which is never cleaned.
    await broker.admin().createTopics([{ topic: 'c', partitions: 1, config: { 'cleanup.policy': 'compact', 'segment.bytes': String(16 << 20) } }]);
    const producer = broker.producer();
    const pad = 'x'.repeat(40);
    const produced = await timed(async () => {
      for (let base = 0; base < records; base += BATCH) {
        const n = Math.min(BATCH, records - base);
        await producer.send(Array.from({ length: n }, (_, i) => ({ topic: 'c', partition: 0, key: `key-${(base + i) % KEYS}`, value: `v${base + i}-${pad}` })));
      }
    });
    const log = broker.core.getLog('c', 0);
    const bytesBefore = log.sizeBytes;
    const rssAfterProduceMb = mb();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const compacted = await timed(() => broker.runLogMaintenance());
    loop.disable();
    let recordsAfter = 0;
    for (let next = log.logStartOffset; next < log.logEndOffset; ) {
      for (const b of log.read(next)) {
        for (const r of b.records) if (r.offset >= next) recordsAfter++;
        next = b.lastOffset + 1;
      }
    }
    const result: CompactionBenchResult = {
      records,
      produceMs: produced.ms,
      compactMs: compacted.ms,
      recordsAfter,
      bytesBefore,
      bytesAfter: log.sizeBytes,
      maxLoopStallMs: loop.max / 1e6,
      rssAfterProduceMb,
      peakRssMb: mb(),
    };
    await broker.close();
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the benchmark in a child process and prints one Markdown table. */
export async function runCompactionBench(opts: { records?: number } = {}): Promise<void> {
  const records = opts.records ?? 1_000_000;
  const self = fileURLToPath(import.meta.url);
  const out = spawnSync(process.execPath, ['--import', 'tsx', self, CHILD_FLAG, String(records)], { encoding: 'utf8', timeout: 900_000 });
  if (out.status !== 0) {
    console.log(`compaction bench failed: ${out.stderr.slice(-500)}`);
    return;
  }
  const r = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as CompactionBenchResult;
  console.log(`\n### Compaction (durable broker, 1 partition, ${r.records.toLocaleString('en')} records over ${KEYS.toLocaleString('en')} keys, 16 MiB segments)\n`);
  printTable(
    ['produce', 'compaction pass', 'records kept', 'bytes before → after', 'max event-loop stall', 'RSS after produce', 'peak RSS'],
    [[
      `${(r.produceMs / 1000).toFixed(1)} s`,
      `${(r.compactMs / 1000).toFixed(2)} s (${fmtRate(rate(r.records, r.compactMs))})`,
      r.recordsAfter,
      `${(r.bytesBefore / 2 ** 20).toFixed(1)} → ${(r.bytesAfter / 2 ** 20).toFixed(1)} MiB`,
      `${r.maxLoopStallMs.toFixed(1)} ms`,
      `${r.rssAfterProduceMb} MB`,
      `${r.peakRssMb} MB`,
    ]],
  );
}

if (process.argv[2] === CHILD_FLAG) {
  console.log(JSON.stringify(await measure(Number(process.argv[3]))));
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await runCompactionBench({ records: process.argv[2] === undefined ? undefined : Number(process.argv[2]) });
}
