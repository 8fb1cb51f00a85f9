import type { ConsumedRecord, Headers } from '../core/record.js';
import type { Serde } from '../serdes/serde.js';

/**
 * Picks the timestamp of a consumed record (epoch ms). `partitionTimeMs` is the largest timestamp
 * seen so far on the record's partition (`-1` before any). The default uses the record's own
 * timestamp. A negative result fails the task.
 * @example
 * const fromPayload: TimestampExtractor = (r) => JSON.parse(r.value!.toString()).ts;
 */
export type TimestampExtractor = (record: ConsumedRecord, partitionTimeMs: number) => number;

/**
 * What a per-record topic choice (or a sink's partitioner) may look at besides key and value.
 * @example
 * const extractor: TopicNameExtractor<string, Order> = (_k, _v, ctx) => `${ctx.topic}-copy`;
 */
export interface RecordContext {
  /** Topic of the input record being processed; `null` inside a punctuator. */
  readonly topic: string | null;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * Chooses a sink's topic per record (Kafka's `TopicNameExtractor`).
 * @example
 * const byRegion: TopicNameExtractor<string, Order> = (_k, order) => `orders-${order.region}`;
 */
export type TopicNameExtractor<K, V> = (key: K, value: V, recordContext: RecordContext) => string;

/**
 * Chooses the partition of a sink record (Kafka's `StreamPartitioner`). Returning `undefined` falls
 * back to the default: murmur2 of the serialized key, spread for null keys.
 * @example
 * const byTenant: StreamPartitioner<string, Event> = (_t, _k, e, n) => e.tenantId % n;
 */
export type StreamPartitioner<K, V> = (topic: string, key: K, value: V, numPartitions: number) => number | undefined;

/**
 * How a source node reads its topics. Serdes left out are taken from the application's
 * `defaultKeySerde` / `defaultValueSerde`.
 * @example
 * topology.addSource('in', ['orders'], { keySerde: Serdes.string(), valueSerde: Serdes.json<Order>() });
 */
export interface SourceOptions<K, V> {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly timestampExtractor?: TimestampExtractor;
}

/**
 * How a sink node writes. Serdes left out are taken from the application's defaults.
 * @example
 * topology.addSink('out', 'totals', { keySerde: Serdes.string(), valueSerde: Serdes.long() }, 'sum');
 */
export interface SinkOptions<K, V> {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly partitioner?: StreamPartitioner<K, V>;
}

/**
 * Configuration of a topic the topology creates and owns (repartition topics). Its real name is
 * `<applicationId>-<name>` once the application id is known.
 * @example
 * topology.addInternalTopic('KSTREAM-REPARTITION-0000000001-repartition', { numberOfPartitions: 4 });
 */
export interface InternalTopicOptions {
  /** Partition count; unset = the same as the largest co-partitioned source topic. */
  readonly numberOfPartitions?: number;
  /** Extra topic configs. */
  readonly config?: Readonly<globalThis.Record<string, string>>;
}
