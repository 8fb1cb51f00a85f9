/**
 * Model-based test of transactions: random interleavings of several transactional producers (begin,
 * send to random partitions, commit, abort, a new producer with the same id fencing the old, broker
 * restart) against a model; a read_committed consumer must see exactly the committed records, in send
 * order per partition, and the last stable offset must be the high watermark once nothing is open.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../../src/broker/broker.js';
import type { Producer } from '../../../src/core/client.js';
import { ProducerFencedError } from '../../../src/core/errors.js';
import { readValues } from './txn-test-helpers.js';

const TOPIC = 't';
const PARTITIONS = 3;
const IDS = ['p0', 'p1', 'p2'];

interface Model {
  /** Every record sent, per partition, in send (= offset) order, with the transaction it belongs to. */
  sent: { value: string; txn: number }[][];
  committed: Set<number>;
  /** Per id: the current producer's open transaction number, or null (no producer yet / none open). */
  open: (number | null)[];
  nextTxn: number;
}

class Real {
  broker!: Broker;
  producers: (Producer | null)[] = IDS.map(() => null);
  constructor(readonly dir: string) {}
  async open(): Promise<void> {
    this.broker = await Broker.open({ dataDir: this.dir, fsync: 'never', onWarning: () => undefined });
    if (!(await this.broker.admin().listTopics()).includes(TOPIC)) await this.broker.admin().createTopics([{ topic: TOPIC, partitions: PARTITIONS }]);
  }
  /** The id's producer, created and initialized on first use. */
  async producer(i: number): Promise<Producer> {
    let p = this.producers[i];
    if (p === null || p === undefined) {
      p = this.producers[i] = this.broker.producer({ transactionalId: IDS[i]! });
      await p.initTransactions();
    }
    return p;
  }
}

type Cmd = fc.AsyncCommand<Model, Real>;

class Begin implements Cmd {
  constructor(readonly id: number) {}
  check = (m: Readonly<Model>) => m.open[this.id] === null;
  async run(m: Model, r: Real): Promise<void> {
    (await r.producer(this.id)).beginTransaction();
    m.open[this.id] = m.nextTxn++;
  }
  toString = () => `begin(${IDS[this.id]})`;
}

class Send implements Cmd {
  constructor(readonly id: number, readonly parts: number[]) {}
  check = (m: Readonly<Model>) => m.open[this.id] !== null;
  async run(m: Model, r: Real): Promise<void> {
    const txn = m.open[this.id]!;
    const records = this.parts.map((partition, i) => ({ topic: TOPIC, partition, value: `${IDS[this.id]}/${txn}/${m.sent[partition]!.length}/${i}` }));
    await (await r.producer(this.id)).send(records);
    for (const rec of records) m.sent[rec.partition]!.push({ value: rec.value, txn });
  }
  toString = () => `send(${IDS[this.id]}, [${this.parts.join(',')}])`;
}

class End implements Cmd {
  constructor(readonly id: number, readonly commit: boolean) {}
  check = (m: Readonly<Model>) => m.open[this.id] !== null;
  async run(m: Model, r: Real): Promise<void> {
    const p = await r.producer(this.id);
    if (this.commit) await p.commitTransaction();
    else await p.abortTransaction();
    if (this.commit) m.committed.add(m.open[this.id]!);
    m.open[this.id] = null;
  }
  toString = () => `${this.commit ? 'commit' : 'abort'}(${IDS[this.id]})`;
}

class Fence implements Cmd {
  constructor(readonly id: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const old = r.producers[this.id];
    r.producers[this.id] = null;
    await r.producer(this.id); // a new producer with the same transactionalId: the old one's transaction aborts
    if (old !== null && old !== undefined) {
      await expect(old.send([{ topic: TOPIC, partition: 0, value: 'zombie' }])).rejects.toThrow(ProducerFencedError);
    }
    m.open[this.id] = null;
  }
  toString = () => `fence(${IDS[this.id]})`;
}

class Restart implements Cmd {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    await r.broker.close(); // open transactions are aborted when the broker opens again
    r.producers = IDS.map(() => null);
    await r.open();
    m.open = IDS.map(() => null);
  }
  toString = () => 'restart';
}

class Check implements Cmd {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const expected = m.sent.map((list) => list.filter((x) => m.committed.has(x.txn)).map((x) => x.value));
    expect(await readValues(r.broker, TOPIC, 'read_committed')).toEqual(expected);
    expect(await readValues(r.broker, TOPIC, 'read_uncommitted')).toEqual(m.sent.map((list) => list.map((x) => x.value)));
    const parts = (await r.broker.admin().describeTopic(TOPIC)).partitions;
    for (const p of parts) {
      expect(p.lastStableOffset).toBeLessThanOrEqual(p.highWatermark);
      if (m.open.every((o) => o === null)) expect(p.lastStableOffset).toBe(p.highWatermark);
    }
  }
  toString = () => 'check';
}

const id = fc.nat(IDS.length - 1);
const commands = [
  id.map((i) => new Begin(i)),
  fc.tuple(id, fc.array(fc.nat(PARTITIONS - 1), { minLength: 1, maxLength: 4 })).map(([i, ps]) => new Send(i, ps)),
  fc.tuple(id, fc.array(fc.nat(PARTITIONS - 1), { minLength: 1, maxLength: 4 })).map(([i, ps]) => new Send(i, ps)),
  fc.tuple(id, fc.boolean()).map(([i, c]) => new End(i, c)),
  id.map((i) => new Fence(i)),
  fc.constant(new Restart()),
  fc.constant(new Check()),
];

describe('model > transactions', () => {
  it('property: read_committed sees exactly the committed transactions, in order, across fencing and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 50 }), async (cmds) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-txn-model-'));
        const real = new Real(dir);
        await real.open();
        const model: Model = { sent: Array.from({ length: PARTITIONS }, () => []), committed: new Set(), open: IDS.map(() => null), nextTxn: 0 };
        try {
          await fc.asyncModelRun(() => ({ model, real }), [...cmds, new Check()]);
        } finally {
          await real.broker.close();
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
