/** Helpers of the standby tests: clients whose instance can be killed abruptly, and a read_committed reader. */
import type { Broker } from '../../src/broker/broker.js';
import type { ClientFactory } from '../../src/client/client-factory.js';
import type { Consumer, ConsumerOptions, Producer } from '../../src/core/client.js';
import type { ConsumedRecord } from '../../src/core/record.js';

/** Session settings that let a dead member be evicted within about a second. */
export const FAST_SESSION = { sessionTimeoutMs: 1000, heartbeatIntervalMs: 100 } as const;

/** Client methods that return no promise: a dead process's call throws instead of rejecting. */
const SYNC_METHODS = new Set(['beginTransaction', 'assign', 'assignment', 'seek', 'seekToBeginning', 'seekToEnd', 'position', 'pause', 'resume', 'paused', 'groupMetadata']);
const dead = (method: string) =>
  SYNC_METHODS.has(method)
    ? () => {
        throw new Error('process killed');
      }
    : () => Promise.reject(new Error('process killed'));

/**
 * The broker's clients for one instance, with `kill()`: the in-process equivalent of SIGKILL. From
 * then on every consumer and producer call of the instance fails (no poll, no commit, no abort of
 * the open transaction), `close()` does nothing (no leave-group), and the group consumer's
 * background heartbeats stop, so the coordinator evicts the member after its session timeout.
 * Group consumers get {@link FAST_SESSION}.
 */
export function killableClients(broker: Broker): ClientFactory & { kill(): void } {
  let killed = false;
  const groupConsumers: Consumer[] = [];
  const wrap = <T extends object>(real: T, quiet: readonly string[]): T =>
    new Proxy(real, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (killed) return quiet.includes(String(prop)) ? () => Promise.resolve() : dead(String(prop));
        return (value as (...a: unknown[]) => unknown).bind(target);
      },
    });
  return {
    kill() {
      killed = true;
      // A dead process sends no heartbeats; the embedded consumer's timer would keep the session alive.
      for (const c of groupConsumers) (c as unknown as { stopHeartbeats(): void }).stopHeartbeats();
    },
    admin: () => broker.admin(),
    producer: (opts) => wrap<Producer>(broker.producer(opts), ['close']),
    consumer(opts: ConsumerOptions): Consumer {
      const real = broker.consumer(opts.groupId === undefined ? opts : { ...FAST_SESSION, ...opts });
      if (opts.groupId !== undefined) groupConsumers.push(real);
      return wrap<Consumer>(real, ['close']);
    },
  };
}

/** The broker's clients with {@link FAST_SESSION} for group consumers (an instance that is never killed). */
export function fastClients(broker: Broker): ClientFactory {
  return {
    admin: () => broker.admin(),
    producer: (opts) => broker.producer(opts),
    consumer: (opts) => broker.consumer(opts.groupId === undefined ? opts : { ...FAST_SESSION, ...opts }),
  };
}

/** Every record of `topic` a `read_committed` reader sees now (to the last stable offset). */
export async function readCommitted(broker: Broker, topic: string): Promise<ConsumedRecord[]> {
  const desc = await broker.admin().describeTopic(topic);
  const consumer = broker.consumer({ autoOffsetReset: 'earliest', isolationLevel: 'read_committed' });
  consumer.assign(desc.partitions.map((p) => ({ topic, partition: p.partition })));
  const out: ConsumedRecord[] = [];
  const deadline = Date.now() + 10_000;
  try {
    for (;;) {
      if (Date.now() > deadline) throw new Error(`readCommitted(${topic}): did not reach the last stable offsets within 10 s`);
      const batch = await consumer.poll({ maxRecords: 10_000, timeoutMs: 0 });
      if (batch.length === 0) {
        const done = desc.partitions.every((p) => consumer.position(topic, p.partition) >= p.lastStableOffset);
        if (done) break;
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      out.push(...batch);
    }
  } finally {
    await consumer.close();
  }
  return out;
}
