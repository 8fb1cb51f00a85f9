import type { Serde } from '../src/serdes/serde.js';
import { Named } from './named.js';

/**
 * Options of a stream–table join (Kafka Streams' `Joined`): the serdes of the key, the stream's
 * values and the table's values (used if the stream must be repartitioned first), and a name for the
 * join node (`KSTREAM-JOIN-…` / `KSTREAM-LEFTJOIN-…` otherwise) and its repartition topic
 * (`<applicationId>-<name>-repartition`). Immutable: each `with…` returns a new `Joined`.
 *
 * @example
 * payments.join(accounts, (p, a) => ({ ...p, limit: a.limit }), Joined.with(Serdes.string(), paymentSerde, accountSerde).withName('enrich'));
 */
export class Joined<K, V, VO> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly otherValueSerde: Serde<VO> | undefined,
    readonly name: string | undefined,
  ) {}

  /** Joined with the given serdes (any may be undefined: then the stream's / table's own serdes are used). */
  static with<K, V, VO>(keySerde?: Serde<K>, valueSerde?: Serde<V>, otherValueSerde?: Serde<VO>): Joined<K, V, VO> {
    return new Joined(keySerde, valueSerde, otherValueSerde, undefined);
  }

  /** Joined with only a name. */
  static as<K, V, VO>(name: string): Joined<K, V, VO> {
    return new Joined<K, V, VO>(undefined, undefined, undefined, Named.validate(name));
  }

  /** The name of the join processor (and the base name of the repartition topic, if one is needed). */
  withName(name: string): Joined<K, V, VO> {
    return new Joined(this.keySerde, this.valueSerde, this.otherValueSerde, Named.validate(name));
  }

  withKeySerde(keySerde: Serde<K>): Joined<K, V, VO> {
    return new Joined(keySerde, this.valueSerde, this.otherValueSerde, this.name);
  }

  withValueSerde(valueSerde: Serde<V>): Joined<K, V, VO> {
    return new Joined(this.keySerde, valueSerde, this.otherValueSerde, this.name);
  }

  withOtherValueSerde(otherValueSerde: Serde<VO>): Joined<K, V, VO> {
    return new Joined(this.keySerde, this.valueSerde, otherValueSerde, this.name);
  }
}
