import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import { QueryableStoreTypes } from '../../src/runtime/interactive-queries.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import { waitFor } from './runtime-test-helpers.js';
import { committedCounts, exactlyOnceViolation, readAll, wordCount } from './eos-test-kit.js';

const APP = 'eos-scale';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-eos-scale-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const committedInputs = async (b: Broker) => (await b.admin().describeGroup(APP)).offsets.filter((o) => o.topic === 'words').reduce((n, o) => n + o.committed, 0);

describe('runtime > exactly_once_v2 > scaling out and in', () => {
  it('1 → 3 → 2 instances while input is produced and processed: every input counted exactly once in the read_committed output; final counts = model', async () => {
    const b = await Broker.open({ dataDir: tempDir(), fsync: 'commit' });
    cleanups.push(() => b.close());
    await b.admin().createTopics([{ topic: 'words', partitions: 6 }, { topic: 'counts-out', partitions: 3 }]);
    // Each instance its own state directory, as on its own machine: a task that moves restores from the changelog.
    const instance = (id: string) => {
      const app = new KafkaStreams(wordCount('words', 'counts-out'), {
        applicationId: APP, broker: b, stateDir: tempDir(), processingGuarantee: 'exactly_once_v2', instanceId: id, maxPollRecords: 50, logger: { warn: () => {} },
      });
      cleanups.push(() => app.close().catch(() => undefined));
      return app;
    };
    const group = async () => (await b.admin().describeGroup(APP)).members;

    // Input keeps arriving during every change of membership.
    const produced: string[] = [];
    let producing = true;
    const producer = b.producer();
    const feeding = (async () => {
      for (let batch = 0; producing; batch++) {
        const ws = Array.from({ length: 25 }, (_, i) => `w${(batch * 25 + i) % 13}`);
        await producer.send(ws.map((value, i) => ({ topic: 'words', key: `k${produced.length + i}`, value })));
        produced.push(...ws);
        await new Promise((r) => setTimeout(r, 15));
      }
    })();
    const progressed = async (what: string) => {
      const target = produced.length;
      await waitFor(async () => (await committedInputs(b)) >= target, 20_000, what);
    };

    const a = instance('a');
    await a.start();
    await progressed('one instance processes');
    // Scale out to three.
    const apps = [a, instance('b'), instance('c')];
    await Promise.all(apps.slice(1).map((x) => x.start()));
    await waitFor(async () => (await group()).length === 3 && (await group()).every((m) => m.assignment.length > 0), 20_000, 'three members share the partitions');
    await progressed('three instances process');
    // Scale in to two: b leaves cleanly (commits, leaves the group); its tasks move to a and c.
    await apps[1]!.close();
    await waitFor(async () => (await group()).length === 2 && (await group()).every((m) => m.assignment.length > 0), 20_000, 'two members share the partitions');
    await progressed('two instances process');
    producing = false;
    await feeding;

    await waitFor(async () => (await committedInputs(b)) === produced.length, 20_000, 'every input committed');
    await waitFor(async () => (await readAll(b, `${APP}-by-word-repartition`, 'read_committed')).length === produced.length, 20_000, 'the repartition topic holds every input once');
    await waitFor(async () => exactlyOnceViolation(await committedCounts(b, 'counts-out'), produced) === undefined, 20_000, 'committed output = model').catch(async (e) => {
      throw new Error(`${(e as Error).message}: ${exactlyOnceViolation(await committedCounts(b, 'counts-out'), produced)}`);
    });
    // The stores of the two remaining instances together hold the model's counts (interactive queries).
    const model = new Map<string, number>();
    for (const w of produced) model.set(w, (model.get(w) ?? 0) + 1);
    const stored = new Map<string, number>();
    for (const app of [a, apps[2]!]) for (const e of app.store('counts', QueryableStoreTypes.keyValueStore<string, number>()).all()) stored.set(e.key, e.value);
    expect(stored).toEqual(model);
    expect(produced.length).toBeGreaterThan(100);
  }, 90_000);
});
