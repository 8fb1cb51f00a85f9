import { describe, expect, it } from 'vitest';
import type { Producer } from '../../src/core/client.js';
import { ProducerFencedError, TaskMigratedError } from '../../src/core/errors.js';
import type { ProducedRecord } from '../../src/core/record.js';
import { EosProducer } from '../../src/runtime/eos-producer.js';

/** A transactional producer that logs its calls; commitTransaction waits for the test to release it. */
function gatedProducer(log: string[]) {
  let release: ((error?: Error) => void) | null = null;
  const inner = {
    initTransactions: async () => undefined,
    beginTransaction: () => log.push('begin'),
    send: async (records: ProducedRecord[]) => {
      log.push(`send ${records.map((r) => r.value).join(',')}`);
      return records.map((r, i) => ({ topic: r.topic, partition: 0, offset: i, timestamp: 0 }));
    },
    sendOffsetsToTransaction: async () => {
      log.push('offsets');
    },
    commitTransaction: () =>
      new Promise<void>((resolve, reject) => {
        log.push('commit started');
        release = (error) => (error === undefined ? resolve() : reject(error));
      }).then(() => {
        log.push('committed');
      }),
    abortTransaction: async () => {
      log.push('abort');
    },
    close: async () => undefined,
  } as unknown as Producer;
  return { inner, release: (error?: Error) => release!(error) };
}

const rec = (value: string): ProducedRecord => ({ topic: 'out', key: 'k', value });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('runtime > EosProducer pipelined commit (startCommit)', () => {
  it('sends made while a commit finishes wait for it and open the next transaction, in call order', async () => {
    const log: string[] = [];
    const { inner, release } = gatedProducer(log);
    const eos = new EosProducer(inner, 'app-1');
    await eos.send([rec('a')]);
    const done = eos.startCommit([{ topic: 'in', partition: 0, offset: 1 }], 'app');
    const later = [eos.send([rec('b')]), eos.send([rec('c')])];
    await tick();
    expect(log).toEqual(['begin', 'send a', 'offsets', 'commit started']);
    release();
    await done;
    await Promise.all(later);
    expect(log).toEqual(['begin', 'send a', 'offsets', 'commit started', 'committed', 'begin', 'send b', 'send c']);
    expect(eos.inTransaction).toBe(true);
    expect(eos.committed).toBe(1);
  });

  it('a failed commit fails the sends that waited for it; abort waits for the commit first', async () => {
    const log: string[] = [];
    const { inner, release } = gatedProducer(log);
    const eos = new EosProducer(inner, 'app-1');
    await eos.send([rec('a')]);
    const done = eos.startCommit([], 'app');
    const waiting = eos.send([rec('b')]);
    const aborted = eos.abortTransaction();
    await tick();
    expect(log).not.toContain('abort'); // not while the commit is under way
    release(new ProducerFencedError('fenced'));
    await expect(done).rejects.toThrow(TaskMigratedError);
    await expect(waiting).rejects.toThrow(TaskMigratedError);
    await aborted; // fenced: the coordinator aborted it, nothing left to abort
    expect(log).not.toContain('send b');
    expect(eos.inTransaction).toBe(false);
  });

  it('a blocking commit waits for a started one', async () => {
    const log: string[] = [];
    const { inner, release } = gatedProducer(log);
    const eos = new EosProducer(inner, 'app-1');
    await eos.send([rec('a')]);
    const first = eos.startCommit([], 'app');
    const second = eos.commit([{ topic: 'in', partition: 0, offset: 2 }], 'app');
    await tick();
    expect(log.filter((l) => l === 'commit started')).toHaveLength(1);
    release();
    await first;
    await tick();
    expect(log.filter((l) => l === 'commit started')).toHaveLength(2);
    release();
    await second;
    expect(eos.committed).toBe(2);
  });
});
