import type { TimestampExtractor } from '../src/processor/node-options.js';
import type { Serde } from '../src/serdes/serde.js';
import { Named } from './named.js';

/**
 * How `StreamsBuilder.stream()` reads a topic: key and value serdes, an optional timestamp
 * extractor and an optional source node name. Unset serdes fall back to the application's
 * `defaultKeySerde` / `defaultValueSerde`. Immutable: every `with…` returns a new object.
 *
 * @example
 * builder.stream('orders', Consumed.with(Serdes.string(), Serdes.json<Order>()).withName('orders-source'));
 */
export class Consumed<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly timestampExtractor: TimestampExtractor | undefined,
    readonly name: string | undefined,
  ) {}

  /** Reads keys and values with these serdes. */
  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Consumed<K, V> {
    return new Consumed(keySerde, valueSerde, undefined, undefined);
  }

  /** Names the source node; serdes come from the defaults. */
  static as<K = unknown, V = unknown>(name: string): Consumed<K, V> {
    return new Consumed<K, V>(undefined, undefined, undefined, Named.validate(name));
  }

  /** Uses a timestamp extractor; serdes come from the defaults. */
  static withTimestampExtractor<K = unknown, V = unknown>(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed<K, V>(undefined, undefined, extractor, undefined);
  }

  withKeySerde<K2>(keySerde: Serde<K2>): Consumed<K2, V> {
    return new Consumed(keySerde, this.valueSerde, this.timestampExtractor, this.name);
  }

  withValueSerde<V2>(valueSerde: Serde<V2>): Consumed<K, V2> {
    return new Consumed(this.keySerde, valueSerde, this.timestampExtractor, this.name);
  }

  withTimestampExtractor(extractor: TimestampExtractor): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, extractor, this.name);
  }

  withName(name: string): Consumed<K, V> {
    return new Consumed(this.keySerde, this.valueSerde, this.timestampExtractor, Named.validate(name));
  }
}
