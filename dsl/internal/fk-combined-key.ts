import type { Serde } from '../../src/serdes/serde.js';

/**
 * The key of the subscription store of a foreign-key join (Kafka's `CombinedKeySchema`): the
 * foreign key's length as a 4-byte big-endian int, its bytes, then the primary (left) key's bytes.
 * Every subscription to one foreign key shares the prefix `length + bytes`, so a right-side update
 * finds its subscribers with one prefix scan; the length keeps foreign key `a` from matching `ab`.
 * @example
 * const schema = new CombinedKeySchema(Serdes.string(), Serdes.string(), 'app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic');
 * store.prefixScan(schema.prefixBytes('customer-7'), Serdes.bytes());
 */
export class CombinedKeySchema<KO, K> {
  constructor(
    readonly foreignKeySerde: Serde<KO>,
    readonly primaryKeySerde: Serde<K>,
    /** The topic name handed to the serdes (the registration topic, as Kafka's pseudo-topics). */
    readonly topic: string,
  ) {}

  /** The store key of the subscription of `primaryKey` to `foreignKey`. */
  toBytes(foreignKey: KO, primaryKey: K): Buffer {
    const fk = this.#foreignKeyBytes(foreignKey);
    const pk = this.primaryKeySerde.serialize(primaryKey, this.topic) ?? Buffer.alloc(0);
    const out = Buffer.allocUnsafe(4 + fk.length + pk.length);
    out.writeInt32BE(fk.length, 0);
    fk.copy(out, 4);
    pk.copy(out, 4 + fk.length);
    return out;
  }

  /** The prefix shared by every subscription to `foreignKey`. */
  prefixBytes(foreignKey: KO): Buffer {
    const fk = this.#foreignKeyBytes(foreignKey);
    const out = Buffer.allocUnsafe(4 + fk.length);
    out.writeInt32BE(fk.length, 0);
    fk.copy(out, 4);
    return out;
  }

  #foreignKeyBytes(foreignKey: KO): Buffer {
    return this.foreignKeySerde.serialize(foreignKey, this.topic) ?? Buffer.alloc(0);
  }
}
