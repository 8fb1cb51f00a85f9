/**
 * Child process of the join benchmark: `join-child.ts <inprocess|broker> <recordsPerSide>` builds the
 * input, runs the join once, and prints one JSON line (`JoinChildResult`) with the time, the joined
 * outputs, the model's expected count and its own peak RSS — so nothing of the parent inflates it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Produced } from '../dsl/produced.js';
import { Broker } from '../src/broker/broker.js';
import { KafkaStreams } from '../src/runtime/kafka-streams.js';
import { Serdes } from '../src/serdes/serdes.js';
import { expectedJoins, joinTopology, makeJoinInput, runJoinInProcess, type JoinChildResult } from './join.bench.js';

const PARTITIONS = 4;
const mb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const rssNow = () => Math.round(process.memoryUsage.rss() / (1024 * 1024));

/** Feeds both input topics; the input objects are not kept, so they do not count in the app's RSS. */
async function feed(broker: Broker, perSide: number): Promise<number> {
  const input = makeJoinInput(perSide);
  const producer = broker.producer();
  for (const [topic, records] of [['left', input.left], ['right', input.right]] as const) {
    for (let i = 0; i < records.length; i += 10_000) {
      await producer.send(records.slice(i, i + 10_000).map((r) => ({ topic, key: r.key, value: r.value, timestamp: r.timestamp })));
    }
  }
  await producer.close();
  return expectedJoins(input);
}

/**
 * Broker side: 1. feed both topics, 2. start the app, 3. wait until the group's committed offsets
 * cover every input record (at-least-once commits every second), 4. count the results that landed
 * in the output topic. Timed from step 2 to 3.
 */
async function runOnBroker(perSide: number): Promise<Omit<JoinChildResult, 'mode' | 'perSide' | 'peakRssMb'>> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-join-bench-'));
  const broker = await Broker.open({ dataDir: join(dir, 'broker'), fsync: 'commit' });
  try {
    const admin = broker.admin();
    await admin.createTopics(['left', 'right', 'joined'].map((topic) => ({ topic, partitions: PARTITIONS })));
    // 1.
    const expected = await feed(broker, perSide);
    const rssBeforeStartMb = rssNow();
    const total = 2 * perSide;
    const S = Serdes.string();
    const app = new KafkaStreams(joinTopology({ loggingEnabled: true, sink: (s) => s.to('joined', Produced.with(S, S)) }), {
      applicationId: 'join-bench', broker, stateDir: join(dir, 'state'), commitIntervalMs: 1000, logger: { warn: () => {} },
    });
    // 2.
    const started = performance.now();
    await app.start();
    const committed = async () => (await admin.describeGroup('join-bench')).offsets
      .filter((o) => o.topic === 'left' || o.topic === 'right').reduce((n, o) => n + o.committed, 0);
    // 3.
    for (let i = 0; (await committed()) < total; i++) {
      if (i > 12_000) throw new Error(`join bench (broker): committed ${await committed()} of ${total} input records after 10 min`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const ms = performance.now() - started;
    await app.close();
    // 4.
    const outputs = (await admin.describeTopic('joined')).partitions.reduce((n, p) => n + p.highWatermark, 0);
    return { ms, outputs, expected, rssBeforeStartMb };
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const mode = process.argv[2] as JoinChildResult['mode'];
const perSide = Number(process.argv[3] ?? 1_000_000);
if (mode !== 'inprocess' && mode !== 'broker') throw new TypeError(`join-child: mode must be inprocess or broker, got ${mode}`);
let result: JoinChildResult;
if (mode === 'inprocess') {
  // In-process the input objects are the source, so they stay in memory (and in the RSS).
  const input = makeJoinInput(perSide);
  const expected = expectedJoins(input);
  const rssBeforeStartMb = rssNow();
  const t0 = performance.now();
  const outputs = runJoinInProcess(input);
  result = { mode, perSide, ms: performance.now() - t0, outputs, expected, rssBeforeStartMb, peakRssMb: mb() };
} else {
  result = { mode, perSide, ...(await runOnBroker(perSide)), peakRssMb: mb() };
}
console.log(JSON.stringify(result));
