import type { StreamPartitioner } from '../src/processor/node-options.js';
import type { Serde } from '../src/serdes/serde.js';
import { Named } from './named.js';

/**
 * How `KStream.repartition()` writes through its repartition topic: name (topic
 * `<applicationId>-<name>-repartition`), serdes, partition count and partitioner. Immutable.
 *
 * @example
 * stream.repartition(Repartitioned.as<string, Order>('orders-by-user').withNumberOfPartitions(8));
 */
export class Repartitioned<K, V> {
  private constructor(
    readonly name: string | undefined,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly numberOfPartitions: number | undefined,
    readonly partitioner: StreamPartitioner<K, V> | undefined,
  ) {}

  /** Names the repartition topic and its nodes. */
  static as<K = unknown, V = unknown>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>(Named.validate(name), undefined, undefined, undefined, undefined);
  }

  /** Uses these serdes for the repartition topic. */
  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned(undefined, keySerde, valueSerde, undefined, undefined);
  }

  /** Creates the repartition topic with this many partitions. */
  static numberOfPartitions<K = unknown, V = unknown>(n: number): Repartitioned<K, V> {
    return new Repartitioned<K, V>(undefined, undefined, undefined, checkPartitions(n), undefined);
  }

  /** Chooses partitions with a custom partitioner. */
  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned<K, V>(undefined, undefined, undefined, undefined, partitioner);
  }

  withName(name: string): Repartitioned<K, V> {
    return new Repartitioned(Named.validate(name), this.keySerde, this.valueSerde, this.numberOfPartitions, this.partitioner);
  }

  withKeySerde(keySerde: Serde<K>): Repartitioned<K, V> {
    return new Repartitioned(this.name, keySerde, this.valueSerde, this.numberOfPartitions, this.partitioner);
  }

  withValueSerde(valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, valueSerde, this.numberOfPartitions, this.partitioner);
  }

  withNumberOfPartitions(n: number): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, checkPartitions(n), this.partitioner);
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned(this.name, this.keySerde, this.valueSerde, this.numberOfPartitions, partitioner);
  }
}

function checkPartitions(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`numberOfPartitions must be an integer >= 1, got ${n}`);
  return n;
}
