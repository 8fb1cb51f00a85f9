import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import type { AssignmentStrategy, Consumer, RebalanceListener } from '../../src/core/client.js';
import { CommitFailedError } from '../../src/core/errors.js';
import type { TopicPartition } from '../../src/core/record.js';

let broker: Broker | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const names = (ps: TopicPartition[]) => ps.map((p) => `${p.topic}-${p.partition}`).sort();

/** Polls until `done()` or the deadline; fails the test on timeout. */
async function until(done: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Tracks, across all consumers, who owns which partition according to the rebalance callbacks, and
 * fails on the first moment two consumers own the same partition.
 */
class OwnershipLog {
  readonly owner = new Map<string, string>();
  readonly violations: string[] = [];
  listener(name: string): RebalanceListener {
    return {
      onPartitionsAssigned: (ps) => {
        for (const k of names(ps)) {
          const o = this.owner.get(k);
          if (o !== undefined && o !== name) this.violations.push(`${k} assigned to ${name} while ${o} owns it`);
          this.owner.set(k, name);
        }
      },
      onPartitionsRevoked: (ps) => this.drop(name, ps),
      onPartitionsLost: (ps) => this.drop(name, ps),
    };
  }
  private drop(name: string, ps: TopicPartition[]): void {
    for (const k of names(ps)) if (this.owner.get(k) === name) this.owner.delete(k);
  }
}

async function groupScenario(strategy: AssignmentStrategy): Promise<void> {
  const b = (broker = await Broker.inMemory({ onWarning: () => {} }));
  await b.admin().createTopics([{ topic: 'events', partitions: 6 }]);
  const producer = b.producer();
  const seen = new Map<string, string[]>(); // value -> consumers that processed it
  const commitFailures: unknown[] = [];
  const perConsumer = new Map<string, number>();
  const ownership = new OwnershipLog();
  let produced = 0;
  const TOTAL = 3000;

  const stopFlags = new Map<string, boolean>();
  const consumers = new Map<string, Consumer>();
  const workers = new Map<string, Promise<void>>();
  const start = async (name: string) => {
    const c = b.consumer({ groupId: 'app', autoOffsetReset: 'earliest', partitionAssignmentStrategy: strategy, clientId: name });
    await c.subscribe(['events'], ownership.listener(name));
    consumers.set(name, c);
    stopFlags.set(name, false);
    perConsumer.set(name, 0);
    workers.set(
      name,
      (async () => {
        while (!stopFlags.get(name)) {
          const records = await c.poll({ timeoutMs: 20 });
          for (const r of records) {
            const v = r.value!.toString();
            seen.set(v, [...(seen.get(v) ?? []), name]);
          }
          perConsumer.set(name, perConsumer.get(name)! + records.length);
          if (records.length > 0) await c.commit().catch((e: unknown) => commitFailures.push(e));
        }
      })(),
    );
  };
  const stop = async (name: string) => {
    stopFlags.set(name, true);
    await workers.get(name);
    await consumers.get(name)!.close();
  };

  const producing = (async () => {
    while (produced < TOTAL) {
      const batch = Array.from({ length: 25 }, (_, i) => ({ topic: 'events', partition: (produced + i) % 6, value: `v${produced + i}` }));
      await producer.send(batch);
      produced += batch.length;
      await sleep(2);
    }
  })();

  await start('A');
  await start('B');
  await start('C');
  await until(() => produced >= 800 && perConsumer.get('C')! > 0, 'three consumers to share the topic');
  await stop('A');
  await until(() => produced >= 1500, 'more records');
  await start('D');
  await until(() => perConsumer.get('D')! > 0, 'D to receive records');
  await producing;
  await until(() => seen.size === TOTAL, `all ${TOTAL} records to be processed (have ${seen.size})`, 10_000);
  // Let any late duplicate surface before judging.
  await sleep(100);
  for (const name of ['B', 'C', 'D']) await stop(name);

  expect(commitFailures).toEqual([]);
  expect(ownership.violations).toEqual([]);
  const duplicates = [...seen].filter(([, by]) => by.length !== 1);
  expect(duplicates.slice(0, 5)).toEqual([]);
  expect(seen.size).toBe(TOTAL);
  for (let i = 0; i < TOTAL; i++) expect(seen.has(`v${i}`)).toBe(true);
  for (const name of ['A', 'B', 'C', 'D']) expect(perConsumer.get(name)).toBeGreaterThan(0);
  const d = await b.admin().describeGroup('app');
  expect(d.state).toBe('Empty');
  expect(d.offsets.reduce((s, o) => s + o.committed, 0)).toBe(TOTAL);
  expect(d.offsets.every((o) => o.lag === 0)).toBe(true);
}

describe('broker > consumer groups', () => {
  it('eager (range): 3 consumers, one leaves, one joins, records produced throughout: each processed exactly once', async () => {
    await groupScenario('range');
  });

  it('cooperative-sticky: the same scenario, never two owners, each record processed exactly once', async () => {
    await groupScenario('cooperative-sticky');
  });

  it('range splits a 6-partition topic 2/2/2 and reports members and assignments', async () => {
    const b = (broker = await Broker.inMemory());
    await b.admin().createTopics([{ topic: 't', partitions: 6 }]);
    const cs = [0, 1, 2].map(() => b.consumer({ groupId: 'g' }));
    for (const c of cs) await c.subscribe(['t']);
    await until(async () => {
      await Promise.all(cs.map((c) => c.poll({ timeoutMs: 10 })));
      return (await b.admin().describeGroup('g')).state === 'Stable';
    }, 'a stable group');
    expect(cs.map((c) => c.assignment().length)).toEqual([2, 2, 2]);
    const d = await b.admin().describeGroup('g');
    expect(d.members).toHaveLength(3);
    expect(d.protocol).toBe('range');
    expect(names(d.members.flatMap((m) => m.assignment))).toHaveLength(6);
    expect(new Set(cs.map((c) => c.groupMetadata()!.generationId)).size).toBe(1);
    for (const c of cs) await c.close();
  });

  it('evicts a consumer that stops heartbeating after sessionTimeoutMs and reassigns its partitions', async () => {
    const b = (broker = await Broker.inMemory());
    await b.admin().createTopics([{ topic: 't', partitions: 4 }]);
    const silent = b.consumer({ groupId: 'g', sessionTimeoutMs: 150, heartbeatIntervalMs: 60_000 });
    const alive = b.consumer({ groupId: 'g', sessionTimeoutMs: 150, heartbeatIntervalMs: 30 });
    const lost: TopicPartition[][] = [];
    await silent.subscribe(['t'], { onPartitionsLost: (ps) => void lost.push(ps) });
    await alive.subscribe(['t']);
    await until(async () => {
      await Promise.all([silent.poll(), alive.poll()]);
      return silent.assignment().length === 2 && alive.assignment().length === 2;
    }, 'a 2/2 split');
    const silentOwned = names(silent.assignment());
    // silent stops polling; its heartbeat timer is too slow to save it
    await until(async () => {
      await alive.poll({ timeoutMs: 10 });
      return alive.assignment().length === 4;
    }, 'the live consumer to take over all partitions');
    const d = await b.admin().describeGroup('g');
    expect(d.members).toHaveLength(1);
    await expect(silent.commit()).rejects.toThrow(CommitFailedError);
    await silent.poll(); // learns it was evicted: onPartitionsLost, then rejoins
    expect(lost.map(names)).toEqual([silentOwned]);
    await silent.close();
    await alive.close();
  });

  it('a consumer that does not poll within maxPollIntervalMs leaves the group; its stale commit fails', async () => {
    const warnings: string[] = [];
    const b = (broker = await Broker.inMemory({ onWarning: (m) => warnings.push(m) }));
    await b.admin().createTopics([{ topic: 't', partitions: 2 }]);
    await b.producer().send([{ topic: 't', partition: 0, value: 'x' }]);
    const events: string[] = [];
    const c = b.consumer({ groupId: 'g', autoOffsetReset: 'earliest', maxPollIntervalMs: 120, heartbeatIntervalMs: 20 });
    await c.subscribe(['t'], {
      onPartitionsAssigned: (ps) => void events.push(`assigned ${names(ps).join(',')}`),
      onPartitionsRevoked: (ps) => void events.push(`revoked ${names(ps).join(',')}`),
      onPartitionsLost: (ps) => void events.push(`lost ${names(ps).join(',')}`),
    });
    expect(await c.poll({ timeoutMs: 500 })).toHaveLength(1);
    await until(async () => (await b.admin().describeGroup('g')).members.length === 0, 'the member to leave', 2000);
    expect(warnings.join('\n')).toMatch(/maxPollIntervalMs 120/);
    await expect(c.commit([{ topic: 't', partition: 0, offset: 1 }])).rejects.toThrow(CommitFailedError);
    await c.poll({ timeoutMs: 200 });
    expect(events).toEqual(['assigned t-0,t-1', 'lost t-0,t-1', 'assigned t-0,t-1']);
    await c.close();
    expect(events.at(-1)).toBe('revoked t-0,t-1');
  });

  it('eager rebalance order: revoke everything (after an auto-commit), then assign the new share', async () => {
    const b = (broker = await Broker.inMemory());
    await b.admin().createTopics([{ topic: 't', partitions: 2 }]);
    await b.producer().send([{ topic: 't', partition: 0, value: 'a' }, { topic: 't', partition: 1, value: 'b' }]);
    const events: string[] = [];
    const first = b.consumer({ groupId: 'g', autoOffsetReset: 'earliest' });
    await first.subscribe(['t'], {
      onPartitionsRevoked: async (ps) => {
        const committed = await first.committed(ps);
        events.push(`revoked ${names(ps).join(',')} committed ${committed.join(',')}`);
      },
      onPartitionsAssigned: (ps) => void events.push(`assigned ${names(ps).join(',')}`),
    });
    expect(await first.poll({ timeoutMs: 500 })).toHaveLength(2);
    const second = b.consumer({ groupId: 'g' });
    await second.subscribe(['t']);
    await until(async () => {
      await Promise.all([first.poll(), second.poll()]);
      return first.assignment().length === 1 && second.assignment().length === 1;
    }, 'a 1/1 split');
    expect(events).toEqual(['assigned t-0,t-1', 'revoked t-0,t-1 committed 1,1', 'assigned t-0']);
    await first.close();
    await second.close();
  });

  it('committed offsets of a group survive a durable broker restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-groups-'));
    try {
      let b = (broker = await Broker.open({ dataDir }));
      await b.admin().createTopics([{ topic: 't', partitions: 2 }]);
      await b.producer().send(['a', 'b', 'c', 'd'].map((value, i) => ({ topic: 't', partition: i % 2, value })));
      const c = b.consumer({ groupId: 'g', autoOffsetReset: 'earliest', autoCommit: false });
      await c.subscribe(['t']);
      expect(await c.poll({ timeoutMs: 500, maxRecords: 3 })).toHaveLength(3);
      await c.commit();
      await c.close();
      await b.close();
      b = broker = await Broker.open({ dataDir });
      expect(await b.admin().listGroups()).toEqual(['g']);
      const d = await b.admin().describeGroup('g');
      expect(d.offsets.reduce((s, o) => s + o.committed, 0)).toBe(3);
      const again = b.consumer({ groupId: 'g', autoOffsetReset: 'none' });
      await again.subscribe(['t']);
      const rest = await again.poll({ timeoutMs: 500 });
      expect(rest).toHaveLength(1);
      await again.close();
    } finally {
      await broker?.close();
      broker = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
