import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../src/broker/broker.js';
import type { AssignorAssignment, AssignorSubscription, ConsumerPartitionAssignor } from '../../src/core/client.js';
import { IllegalStateError, InconsistentGroupProtocolError } from '../../src/core/errors.js';
import type { TopicPartition } from '../../src/core/record.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** Gives every partition to the member whose userData says "greedy"; tells each member who got them. */
class GreedyAssignor implements ConsumerPartitionAssignor {
  readonly name = 'greedy';
  seen: AssignorSubscription[] = [];
  received: { assignment: AssignorAssignment; generation: number }[] = [];
  constructor(private readonly tag: string, private readonly fail = false) {}
  subscriptionUserData(): Buffer {
    return Buffer.from(this.tag);
  }
  assign(members: readonly AssignorSubscription[], partitionsPerTopic: ReadonlyMap<string, number>): Map<string, AssignorAssignment> {
    if (this.fail) throw new Error('no plan');
    this.seen = [...members];
    const greedy = members.find((m) => m.userData?.toString() === 'greedy')?.memberId;
    const all: TopicPartition[] = [];
    for (const [topic, n] of partitionsPerTopic) for (let p = 0; p < n; p++) all.push({ topic, partition: p });
    return new Map(members.map((m) => [m.memberId, { partitions: m.memberId === greedy ? all : [], userData: Buffer.from(`owner=${greedy}`) }]));
  }
  onAssignment(assignment: AssignorAssignment, generation: number): void {
    this.received.push({ assignment, generation });
  }
}

async function setup(): Promise<Broker> {
  const broker = await Broker.inMemory();
  open.push(broker);
  await broker.admin().createTopics([{ topic: 't', partitions: 3 }]);
  return broker;
}

describe('runtime > group protocol with a client-side assignor (userData)', () => {
  it('the leader\'s assignor sees every member\'s subscription userData; each member gets its partitions and userData before onPartitionsAssigned', async () => {
    const broker = await setup();
    const greedy = new GreedyAssignor('greedy');
    const modest = new GreedyAssignor('modest');
    const c1 = broker.consumer({ groupId: 'g', assignor: greedy, clientId: 'a' });
    const c2 = broker.consumer({ groupId: 'g', assignor: modest, clientId: 'b' });
    open.push(c1, c2);
    const order: string[] = [];
    await c1.subscribe(['t'], { onPartitionsAssigned: (p) => void order.push(`assigned ${p.length} after ${greedy.received.length} onAssignment`) });
    await c2.subscribe(['t']);
    for (let i = 0; i < 20 && !(c1.assignment().length === 3 && modest.received.length > 0 && greedy.received.at(-1)?.generation === modest.received.at(-1)?.generation); i++) {
      await Promise.all([c1.poll({ timeoutMs: 20 }), c2.poll({ timeoutMs: 20 })]);
    }
    expect(c1.assignment()).toHaveLength(3);
    expect(c2.assignment()).toHaveLength(0);
    const members = [...greedy.seen, ...modest.seen];
    expect(members.map((m) => m.userData?.toString()).sort()).toEqual(['greedy', 'modest']);
    const last = modest.received.at(-1)!;
    expect(last.assignment.userData?.toString()).toMatch(/^owner=a-/);
    expect(order.at(-1)).toMatch(/^assigned 3 after [1-9]/);
  });

  it('an assignor that throws fails every member\'s poll with an error naming the group', async () => {
    const broker = await setup();
    const c = broker.consumer({ groupId: 'broken', assignor: new GreedyAssignor('greedy', true) });
    open.push(c);
    await c.subscribe(['t']);
    await expect(c.poll({ timeoutMs: 50 })).rejects.toThrow(IllegalStateError);
    await expect(c.poll({ timeoutMs: 50 })).rejects.toThrow(/group "broken".*no plan/);
  });

  it('a member with a built-in strategy cannot join a group that uses a client-side assignor', async () => {
    const broker = await setup();
    const c1 = broker.consumer({ groupId: 'mixed', assignor: new GreedyAssignor('greedy') });
    const c2 = broker.consumer({ groupId: 'mixed', partitionAssignmentStrategy: 'range' });
    open.push(c1, c2);
    await c1.subscribe(['t']);
    await c1.poll({ timeoutMs: 20 });
    await c2.subscribe(['t']);
    await expect(c2.poll({ timeoutMs: 20 })).rejects.toThrow(InconsistentGroupProtocolError);
  });
});
