/** Shared helpers of the runtime tests: wait for a state or a condition, read a topic back. */
import { filter, firstValueFrom, timeout } from 'rxjs';
import type { Broker } from '../../src/broker/broker.js';
import type { ConsumedRecord } from '../../src/core/record.js';
import type { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import type { KafkaStreamsState } from '../../src/runtime/kafka-streams-state.js';

/** Resolves when the app reaches `state` (rejects after `ms`). */
export function waitForState(app: KafkaStreams, state: KafkaStreamsState, ms = 10_000): Promise<KafkaStreamsState> {
  return firstValueFrom(app.state$.pipe(filter((s) => s === state), timeout(ms)));
}

/** Polls `cond` every 10 ms until true; throws after `ms`. */
export async function waitFor(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every record of a topic from the beginning (no group), read until the log ends. */
export async function readTopic(broker: Broker, topic: string): Promise<ConsumedRecord[]> {
  const admin = broker.admin();
  const desc = await admin.describeTopic(topic);
  const consumer = broker.consumer({ autoOffsetReset: 'earliest' });
  consumer.assign(desc.partitions.map((p) => ({ topic, partition: p.partition })));
  const total = desc.partitions.reduce((n, p) => n + p.highWatermark - p.logStartOffset, 0);
  const out: ConsumedRecord[] = [];
  for (let i = 0; i < 10_000 && out.length < total; i++) out.push(...(await consumer.poll({ maxRecords: 10_000, timeoutMs: 100 })));
  await consumer.close();
  return out;
}

/** Waits until `topic` holds at least `n` records, then returns them all. */
export async function readAtLeast(broker: Broker, topic: string, n: number, ms = 10_000): Promise<ConsumedRecord[]> {
  const admin = broker.admin();
  await waitFor(async () => {
    if (!(await admin.listTopics()).includes(topic)) return false;
    const d = await admin.describeTopic(topic);
    return d.partitions.reduce((s, p) => s + p.highWatermark, 0) >= n;
  }, ms, `${n} records in ${topic}`);
  return readTopic(broker, topic);
}

export const str = (b: Buffer | null): string | null => (b === null ? null : b.toString());
export const silentLogger = { warn: () => {} };
