import type { Serde } from '../src/serdes/serde.js';
import { Named } from './named.js';

/**
 * How `groupByKey` / `groupBy` group a stream: serdes for the repartition topic (if one is needed)
 * and a name, which names that topic `<applicationId>-<name>-repartition`. Immutable.
 *
 * @example
 * stream.groupBy((k, v) => v.region, Grouped.with(Serdes.string(), Serdes.json<Order>()).withName('by-region'));
 */
export class Grouped<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly name: string | undefined,
  ) {}

  /** Groups with these serdes. */
  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Grouped<K, V> {
    return new Grouped(keySerde, valueSerde, undefined);
  }

  /** Groups with this name (repartition topic `<name>-repartition`); serdes from the stream / defaults. */
  static as<K = unknown, V = unknown>(name: string): Grouped<K, V> {
    return new Grouped<K, V>(undefined, undefined, Named.validate(name));
  }

  withKeySerde(keySerde: Serde<K>): Grouped<K, V> {
    return new Grouped(keySerde, this.valueSerde, this.name);
  }

  withValueSerde(valueSerde: Serde<V>): Grouped<K, V> {
    return new Grouped(this.keySerde, valueSerde, this.name);
  }

  withName(name: string): Grouped<K, V> {
    return new Grouped(this.keySerde, this.valueSerde, Named.validate(name));
  }
}
