import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Materialized } from '../../dsl/materialized.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { Broker } from '../../src/broker/broker.js';
import type { ConsumedRecord } from '../../src/core/record.js';
import { TaskExecutor } from '../../src/processor/task-executor.js';
import { resolveStreamsConfig } from '../../src/runtime/streams-config.js';
import { TaskStateManager } from '../../src/runtime/task-state-manager.js';
import { TopologyMetadata } from '../../src/runtime/topology-metadata.js';
import { Serdes } from '../../src/serdes/serdes.js';
import type { TaskStateDb } from '../../state/task-state-db.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** One task (0_0) of a count into a persistent, logged store, with its TaskStateDb captured. */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-overlap-'));
  dirs.push(dir);
  const broker = await Broker.inMemory();
  await broker.admin().createTopics([{ topic: 'in', partitions: 1 }, { topic: 'app-counts-changelog', partitions: 1 }]);
  const builder = new StreamsBuilder();
  builder.stream<string, string>('in').groupByKey().count(Materialized.as<string, number>('counts').withCachingDisabled());
  const topology = builder.build();
  const config = resolveStreamsConfig({ applicationId: 'app', broker, stateDir: dir, defaultKeySerde: Serdes.string(), defaultValueSerde: Serdes.string() });
  const mgr = new TaskStateManager(TopologyMetadata.of(topology, 'app'), config);
  mgr.bind(broker, broker.admin());
  let db: TaskStateDb | undefined;
  const sent: unknown[] = [];
  const executor = await mgr.initTask(0, 0, (extras) => {
    db = extras.stateDb;
    return new TaskExecutor(topology, { subtopologyId: 0, partition: 0, applicationId: 'app', collector: { send: (...a) => void sent.push(a) }, defaultKeySerde: Serdes.string(), defaultValueSerde: Serdes.string(), ...extras });
  });
  let offset = 0;
  const process = (key: string) => {
    const r: ConsumedRecord = { topic: 'in', partition: 0, offset: offset++, timestamp: 1, key: Buffer.from(key), value: Buffer.from('v'), headers: {} };
    executor.process(r);
  };
  return { mgr, db: db!, executor, process, broker };
}

describe('runtime > TaskStateManager overlapped checkpoint', () => {
  it('returns before the batch lands; the next checkpoint and closeTask wait for it', async () => {
    const { mgr, db, process, broker, executor } = await setup();
    const realCommit = db.commit.bind(db);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const order: string[] = [];
    db.commit = async (offsets) => {
      const writing = realCommit(offsets); // takes the staged writes now, as the real one does
      await gate;
      await writing;
      order.push('landed');
    };
    process('a');
    await mgr.checkpoint(['0_0'], true);
    order.push('returned');
    process('a'); // processing goes on while the batch is in flight
    const next = mgr.checkpoint(['0_0'], true).then(() => order.push('next taken'));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(['returned']);
    release();
    await next;
    expect(order).toEqual(['returned', 'landed', 'next taken']);
    await mgr.settleCheckpoints();
    expect(order).toEqual(['returned', 'landed', 'next taken', 'landed']);
    const closing = executor.close();
    if (closing instanceof Promise) await closing;
    await mgr.closeTask('0_0');
    await broker.close();
  });

  it('a failed overlapped write is thrown by the next settle (once), never lost or unhandled', async () => {
    const { mgr, db, process, broker, executor } = await setup();
    db.commit = () => Promise.reject(new Error('disk full'));
    process('a');
    await mgr.checkpoint(['0_0'], true);
    await expect(mgr.settleCheckpoints()).rejects.toThrow('disk full');
    await expect(mgr.settleCheckpoints()).resolves.toBeUndefined();
    await mgr.checkpoint(['0_0'], true);
    await expect(mgr.checkpoint(['0_0'], true)).rejects.toThrow('disk full');
    const closing = executor.close();
    if (closing instanceof Promise) await closing;
    await mgr.closeTask('0_0');
    await broker.close();
  });
});
