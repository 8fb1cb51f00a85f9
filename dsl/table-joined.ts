import type { StreamPartitioner } from '../src/processor/node-options.js';
import { Named } from './named.js';

/**
 * Options of a foreign-key table join (Kafka Streams' `TableJoined`): a base name for every node,
 * store and internal topic of the join (`<name>-subscription-registration-topic`, …,
 * `<name>-result`), and the partitioners of the two tables' topics when they were not written with
 * the default one — `partitioner` for this (left) table, so answers reach the partition that holds
 * the left row, `otherPartitioner` for the other (right) table, so subscriptions reach the partition
 * that holds the right row. Partitioners see a null value. Immutable: each `with…` returns a new one.
 *
 * @example
 * orders.join(customers, (o) => o.customerId, (o, c) => ({ ...o, customer: c }), TableJoined.as('orders-with-customer'));
 */
export class TableJoined<K, KO> {
  private constructor(
    readonly partitioner: StreamPartitioner<K, null> | undefined,
    readonly otherPartitioner: StreamPartitioner<KO, null> | undefined,
    readonly name: string | undefined,
  ) {}

  /** Options with the partitioners of the left and the right table's topics (either may be undefined: the default). */
  static with<K, KO>(partitioner?: StreamPartitioner<K, null>, otherPartitioner?: StreamPartitioner<KO, null>): TableJoined<K, KO> {
    return new TableJoined(partitioner, otherPartitioner, undefined);
  }

  /** Options with only a base name. */
  static as<K, KO>(name: string): TableJoined<K, KO> {
    return new TableJoined<K, KO>(undefined, undefined, Named.validate(name));
  }

  /** The base name of the join's nodes, store and internal topics. */
  withName(name: string): TableJoined<K, KO> {
    return new TableJoined(this.partitioner, this.otherPartitioner, Named.validate(name));
  }

  /** The partitioner of this (left) table's topic. */
  withPartitioner(partitioner: StreamPartitioner<K, null>): TableJoined<K, KO> {
    return new TableJoined(partitioner, this.otherPartitioner, this.name);
  }

  /** The partitioner of the other (right) table's topic. */
  withOtherPartitioner(otherPartitioner: StreamPartitioner<KO, null>): TableJoined<K, KO> {
    return new TableJoined(this.partitioner, otherPartitioner, this.name);
  }
}
