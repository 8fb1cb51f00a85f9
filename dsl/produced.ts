import type { StreamPartitioner } from '../src/processor/node-options.js';
import type { Serde } from '../src/serdes/serde.js';
import { Named } from './named.js';

/**
 * How `KStream.to()` writes: key and value serdes, an optional partitioner and an optional sink
 * node name. Unset serdes fall back to the stream's known serdes, then to the application's
 * defaults. Immutable: every `with…` returns a new object.
 *
 * @example
 * stream.to('totals', Produced.with(Serdes.string(), Serdes.long()).withName('totals-sink'));
 */
export class Produced<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly partitioner: StreamPartitioner<K, V> | undefined,
    readonly name: string | undefined,
  ) {}

  /** Writes keys and values with these serdes. */
  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Produced<K, V> {
    return new Produced(keySerde, valueSerde, undefined, undefined);
  }

  /** Names the sink node. */
  static as<K = unknown, V = unknown>(name: string): Produced<K, V> {
    return new Produced<K, V>(undefined, undefined, undefined, Named.validate(name));
  }

  /** Chooses partitions with a custom partitioner. */
  static streamPartitioner<K, V>(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced<K, V>(undefined, undefined, partitioner, undefined);
  }

  withKeySerde(keySerde: Serde<K>): Produced<K, V> {
    return new Produced(keySerde, this.valueSerde, this.partitioner, this.name);
  }

  withValueSerde(valueSerde: Serde<V>): Produced<K, V> {
    return new Produced(this.keySerde, valueSerde, this.partitioner, this.name);
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, partitioner, this.name);
  }

  withName(name: string): Produced<K, V> {
    return new Produced(this.keySerde, this.valueSerde, this.partitioner, Named.validate(name));
  }
}
