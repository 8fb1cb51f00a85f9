import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../../src/broker/broker.js';
import type { EmbeddedProducer } from '../../../src/broker/embedded-producer.js';
import { ProducerStateTable } from '../../../src/broker/txn/producer-state.js';
import { DuplicateSequenceError, InvalidProducerEpochError, OutOfOrderSequenceError } from '../../../src/core/errors.js';
import { readPartition, values } from '../broker-test-helpers.js';
import { brokerWith } from './txn-test-helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('broker > txn > idempotent producer', () => {
  it('writes a batch retried after a lost acknowledgement once and returns its original offsets', async () => {
    const broker = await brokerWith({ t: 2 });
    const p = broker.producer({ idempotent: true }) as EmbeddedProducer;
    await p.send([{ topic: 't', partition: 0, value: 'a' }]);
    const meta = await p.send([
      { topic: 't', partition: 0, value: 'b' },
      { topic: 't', partition: 1, value: 'c' },
    ]);
    expect(p.resendLastSendForTest()).toEqual([
      { topic: 't', partition: 0, baseOffset: meta[0]!.offset },
      { topic: 't', partition: 1, baseOffset: meta[1]!.offset },
    ]);
    expect(values(readPartition(broker, 't', 0))).toEqual(['a', 'b']);
    expect(values(readPartition(broker, 't', 1))).toEqual(['c']);
    await p.send([{ topic: 't', partition: 0, value: 'd' }]); // the sequence goes on after the duplicate
    expect(values(readPartition(broker, 't', 0))).toEqual(['a', 'b', 'd']);
    await broker.close();
  });

  it('stamps producer id, epoch and consecutive sequences on each partition', async () => {
    const broker = await brokerWith({ t: 1 });
    const p = broker.producer({ idempotent: true });
    await p.send([{ topic: 't', value: '1' }, { topic: 't', value: '2' }]);
    await p.send([{ topic: 't', value: '3' }]);
    const batches = broker.core.getLog('t', 0).read(0);
    expect(batches.map((b) => [b.producerId, b.producerEpoch, b.baseSequence, b.isTransactional])).toEqual([
      [batches[0]!.producerId, 0, 0, false],
      [batches[0]!.producerId, 0, 2, false],
    ]);
    expect(batches[0]!.producerId).toBeGreaterThanOrEqual(0);
    await broker.close();
  });

  it('rejects a sequence gap (a lost batch) with OutOfOrderSequenceError, naming the producer and partition', async () => {
    const broker = await brokerWith({ t: 1 });
    const p = broker.producer({ idempotent: true }) as EmbeddedProducer;
    await p.send([{ topic: 't', value: '1' }]);
    p.skipSequenceForTest('t', 0, 3);
    await expect(p.send([{ topic: 't', value: '2' }])).rejects.toThrow(OutOfOrderSequenceError);
    await expect(p.send([{ topic: 't', value: '2' }])).rejects.toThrow(/producerId \d+ epoch 0 on t-0: sequence 4 leaves a gap after 0/);
    expect(values(readPartition(broker, 't', 0))).toEqual(['1']);
    await broker.close();
  });

  it('judges duplicates, gaps and stale epochs from the producer state table', () => {
    const table = new ProducerStateTable();
    expect(table.check('t', 0, 7, 0, 0, 2)).toBeNull();
    table.record('t', 0, 7, 0, 0, { baseOffset: 10, lastOffset: 11 });
    for (let i = 0; i < 5; i++) table.record('t', 0, 7, 0, 2 + i, { baseOffset: 12 + i, lastOffset: 12 + i });
    expect(table.check('t', 0, 7, 0, 6, 1)).toEqual({ baseOffset: 16, lastOffset: 16 });
    expect(() => table.check('t', 0, 7, 0, 0, 2)).toThrow(DuplicateSequenceError); // older than the 5 remembered
    expect(() => table.check('t', 0, 7, 0, 9, 1)).toThrow(OutOfOrderSequenceError);
    expect(table.check('t', 0, 7, 0, 7, 1)).toBeNull();
    expect(table.check('t', 0, 7, 1, 0, 1)).toBeNull(); // a new epoch starts again at 0
    expect(() => table.check('t', 0, 7, 1, 3, 1)).toThrow(OutOfOrderSequenceError);
    table.record('t', 0, 7, 1, 0, { baseOffset: 20, lastOffset: 20 });
    expect(() => table.check('t', 0, 7, 0, 7, 1)).toThrow(InvalidProducerEpochError);
    expect(() => table.check('t', 1, 8, 0, 5, 1)).toThrow(/first batch has sequence 5, expected 0/);
  });

  it('rebuilds producer state from the log after a restart, and never hands a producer id out twice', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-idem-'));
    dirs.push(dir);
    let broker = await Broker.open({ dataDir: dir });
    await broker.admin().createTopics([{ topic: 't', partitions: 1 }]);
    const p = broker.producer({ idempotent: true });
    await p.send([{ topic: 't', value: '1' }]);
    const [second] = await p.send([{ topic: 't', value: '2' }, { topic: 't', value: '3' }]);
    const firstId = broker.core.getLog('t', 0).read(0)[0]!.producerId;
    await broker.close();

    broker = await Broker.open({ dataDir: dir });
    const table = new ProducerStateTable();
    table.rebuild('t', 0, broker.core.getLog('t', 0));
    // The same batch (sequences 1..2) retried after the restart is recognised: original offsets.
    expect(table.check('t', 0, firstId, 0, 1, 2)).toEqual({ baseOffset: second!.offset, lastOffset: second!.offset + 1 });
    expect(() => table.check('t', 0, firstId, 0, 5, 1)).toThrow(OutOfOrderSequenceError);
    await broker.producer({ idempotent: true }).send([{ topic: 't', value: '4' }]);
    const ids = broker.core.getLog('t', 0).read(0).map((b) => b.producerId);
    expect(ids[ids.length - 1]).toBeGreaterThan(firstId);
    await broker.close();
  });
});
