import { describe, expect, it } from 'vitest';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { RecordCollector } from '../../src/processor/record-collector.js';
import { TaskExecutor } from '../../src/processor/task-executor.js';
import { Topology } from '../../src/processor/topology.js';
import { Serdes } from '../../src/serdes/serdes.js';
import type { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import { Stores } from '../../state/stores.js';

const S = Serdes.string();

/** Writes each record to the store (no explicit timestamp) and, on each punctuation, writes "tick". */
class Writer implements Processor<string, string> {
  #store!: MeteredKeyValueStore<string, string>;
  init(ctx: ProcessorContext): void {
    this.#store = ctx.getStateStore('kv');
    ctx.schedule(100, 'STREAM_TIME', () => this.#store.put('tick', 't'));
  }
  process(record: Record<string, string>): void {
    if (record.value === 'drop') return;
    this.#store.put(record.key, record.value);
  }
}

/** Counts the records whose value is "drop" as dropped. */
class Dropper implements Processor<string, string> {
  #ctx!: ProcessorContext;
  init(ctx: ProcessorContext): void {
    this.#ctx = ctx;
  }
  process(record: Record<string, string>): void {
    if (record.value === 'drop') this.#ctx.recordDropped?.();
  }
}

function run(partition: number) {
  const sent: { topic: string; key: string; value: string | null; timestamp: number; partition: number | undefined }[] = [];
  const collector: RecordCollector = {
    send(topic, key, value, timestamp, _h, partitioner) {
      sent.push({ topic, key: key!.toString(), value: value?.toString() ?? null, timestamp, partition: partitioner?.(topic, null, null, 8) });
    },
  };
  const topology = new Topology()
    .addSource('in', 'in', { keySerde: S, valueSerde: S })
    .addProcessor('w', () => new Writer(), 'in')
    .addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), S, S), 'w')
    .addProcessor('d', () => new Dropper(), 'in');
  const task = new TaskExecutor(topology, { subtopologyId: 0, partition, applicationId: 'app', collector });
  task.init();
  return { task, sent };
}

const rec = (topic: string, key: string, value: string, timestamp: number, offset = 0) => ({
  topic, partition: 2, offset, timestamp, key: Buffer.from(key), value: Buffer.from(value), headers: {},
});

describe('processor > TaskExecutor > store context', () => {
  it('logs store writes to <app>-<store>-changelog on the task partition, stamped with the record timestamp', () => {
    const { task, sent } = run(2);
    task.process(rec('in', 'a', '1', 42));
    task.process(rec('in', 'b', '2', 7, 1));
    expect(sent).toEqual([
      { topic: 'app-kv-changelog', key: 'a', value: '1', timestamp: 42, partition: 2 },
      { topic: 'app-kv-changelog', key: 'b', value: '2', timestamp: 7, partition: 2 },
    ]);
  });

  it('stamps writes made in a punctuator with the punctuation time', () => {
    const { task, sent } = run(0);
    task.process(rec('in', 'a', '1', 250));
    sent.length = 0;
    task.punctuateStreamTime();
    expect(sent).toEqual([{ topic: 'app-kv-changelog', key: 'tick', value: 't', timestamp: 250, partition: 0 }]);
  });

  it('counts records an operator drops in metrics.dropped', () => {
    const { task } = run(0);
    task.process(rec('in', 'a', 'drop', 1));
    task.process(rec('in', 'a', 'keep', 2, 1));
    task.process(rec('in', 'b', 'drop', 3, 2));
    expect(task.metrics.dropped).toBe(2);
    expect(task.metrics.processed).toBe(3);
  });
});

describe('processor > TaskExecutor > persistent stores', () => {
  it('passes stateDb to persistent stores: initAsync opens them, writes survive a commit and a reopen', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { TaskStateDb } = await import('../../state/task-state-db.js');
    const dir = mkdtempSync(join(tmpdir(), 'tributary-task-'));
    const collector: RecordCollector = { send() {} };
    const topology = () =>
      new Topology()
        .addSource('in', 'in', { keySerde: S, valueSerde: S })
        .addProcessor('w', () => new Writer(), 'in')
        .addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('kv'), S, S), 'w');
    try {
      let db = await TaskStateDb.open({ dir });
      let task = new TaskExecutor(topology(), { subtopologyId: 0, partition: 0, applicationId: 'app', collector, stateDb: db });
      expect(() => new TaskExecutor(topology(), { subtopologyId: 0, partition: 0, applicationId: 'app', collector }).init()).toThrow(/use initAsync/);
      await task.initAsync();
      task.process(rec('in', 'a', '1', 5));
      await task.flushStores();
      await db.commit(new Map());
      await task.close();
      await db.close();
      db = await TaskStateDb.open({ dir });
      task = new TaskExecutor(topology(), { subtopologyId: 0, partition: 0, applicationId: 'app', collector, stateDb: db });
      await task.initAsync();
      expect(task.store('kv') && (task.store('kv') as MeteredKeyValueStore<string, string>).get('a')).toBe('1');
      await task.close();
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
