/**
 * Shared pieces of the exactly-once runtime tests: a word count with a repartition, readers of
 * committed output, the exactly-once check against a model, and a client factory that can stall an
 * instance (as a long GC pause or a stuck thread would).
 */
import { Consumed } from '../../dsl/consumed.js';
import { Grouped } from '../../dsl/grouped.js';
import { Materialized } from '../../dsl/materialized.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import type { Broker } from '../../src/broker/broker.js';
import type { ClientFactory } from '../../src/client/client-factory.js';
import type { ConsumerOptions, IsolationLevel, Producer, ProducerOptions } from '../../src/core/client.js';
import type { ConsumedRecord } from '../../src/core/record.js';
import { Serdes } from '../../src/serdes/serdes.js';

const S = Serdes.string();
const L = Serdes.long();

/** words → groupBy(word) (repartition `<app>-by-word-repartition`) → count('counts', no cache: every update emitted) → `out`. */
export function wordCount(input: string, out: string) {
  const builder = new StreamsBuilder();
  builder
    .stream(input, Consumed.with(S, S))
    .groupBy((_k, w) => w, Grouped.with(S, S).withName('by-word'))
    .count(Materialized.as<string, number>('counts').withCachingDisabled())
    .toStream()
    .to(out, Produced.with(S, L));
  return builder.build();
}

/** Every record of `topic` a reader with `isolationLevel` sees, read up to the end it sees. */
export async function readAll(b: Broker, topic: string, isolationLevel: IsolationLevel): Promise<ConsumedRecord[]> {
  const desc = await b.admin().describeTopic(topic);
  const consumer = b.consumer({ autoOffsetReset: 'earliest', isolationLevel });
  consumer.assign(desc.partitions.map((p) => ({ topic, partition: p.partition })));
  const end = (p: (typeof desc.partitions)[number]) => (isolationLevel === 'read_committed' ? p.lastStableOffset : p.highWatermark);
  const out: ConsumedRecord[] = [];
  for (let i = 0; i < 10_000 && desc.partitions.some((p) => consumer.position(topic, p.partition) < end(p)); i++) {
    out.push(...(await consumer.poll({ maxRecords: 10_000, timeoutMs: 20 })));
  }
  await consumer.close();
  return out;
}

/** Committed count updates per word, in order. */
export async function committedCounts(b: Broker, topic: string): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const r of await readAll(b, topic, 'read_committed')) {
    const k = r.key!.toString();
    out.set(k, [...(out.get(k) ?? []), Number(L.deserialize(r.value, topic))]);
  }
  return out;
}

/** Exactly-once, per word: the updates are 1, 2, ..., n with n its number of inputs. Returns the first violation, or undefined. */
export function exactlyOnceViolation(counts: Map<string, number[]>, words: readonly string[]): string | undefined {
  const model = new Map<string, number>();
  for (const w of words) model.set(w, (model.get(w) ?? 0) + 1);
  for (const k of counts.keys()) if (!model.has(k)) return `output has "${k}", which no input had`;
  for (const [w, n] of model) {
    const got = counts.get(w) ?? [];
    if (got.length !== n || got.some((c, i) => c !== i + 1)) return `updates of "${w}": ${JSON.stringify(got)} (expected 1..${n})`;
  }
  return undefined;
}

/**
 * A client factory over `broker` whose transactional producer can be stalled: once `stall()` is
 * armed, the next `send` lands in the broker (inside the open transaction) and then does not return
 * until `release()` — the instance's loop stops right there, between its sends and its commit, and
 * stops polling. With consumer options that heartbeat only from polls (a background heartbeat
 * interval longer than the test) and a short session timeout, it stops heartbeating too, like a
 * process in a long GC pause: the group evicts it and gives its tasks to the other instances.
 */
export class StallableClients implements ClientFactory {
  #armed = false;
  #hit: (() => void) | undefined;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  /** Resolves when a send hit the armed stall. */
  stalled: Promise<void> = Promise.resolve();

  constructor(
    private readonly broker: Broker,
    private readonly consumerOptions: Partial<ConsumerOptions>,
  ) {}

  /** Arms the stall for the next transactional send. */
  stall(): void {
    this.#armed = true;
    this.#gate = new Promise((resolve) => (this.#open = resolve));
    this.stalled = new Promise((resolve) => (this.#hit = resolve));
  }

  release(): void {
    this.#armed = false;
    this.#open?.();
  }

  admin() {
    return this.broker.admin();
  }

  consumer(opts: ConsumerOptions) {
    return this.broker.consumer({ ...opts, ...this.consumerOptions });
  }

  producer(opts?: ProducerOptions): Producer {
    const p = this.broker.producer(opts);
    if (opts?.transactionalId === undefined) return p;
    return {
      send: async (records) => {
        const acks = await p.send(records);
        if (this.#armed) {
          this.#hit?.();
          await this.#gate;
        }
        return acks;
      },
      initTransactions: () => p.initTransactions(),
      beginTransaction: () => p.beginTransaction(),
      sendOffsetsToTransaction: (...args: Parameters<Producer['sendOffsetsToTransaction']>) => p.sendOffsetsToTransaction(...args),
      commitTransaction: () => p.commitTransaction(),
      abortTransaction: () => p.abortTransaction(),
      close: () => p.close(),
    };
  }
}
