import { TopologyError } from '../../src/core/errors.js';
import type { Serde } from '../../src/serdes/serde.js';

/**
 * `serde`, or one that fails on first use with a `TopologyError` saying which table of the
 * foreign-key join needs serdes: the join's internal topics and subscription store serialize keys
 * and values themselves, so the application's default serdes cannot stand in.
 * @example
 * const fkSerde = fkJoinSerde(right.keySerde, 'KTABLE-FK-JOIN-OUTPUT-0000000018', 'right table key');
 */
export function fkJoinSerde<T>(serde: Serde<T> | undefined, join: string, what: string): Serde<T> {
  if (serde !== undefined) return serde;
  const fail = (): never => {
    throw new TopologyError(
      `foreign-key join "${join}" has no ${what} serde: give the table its serdes ` +
        '(Consumed.with(keySerde, valueSerde) on builder.table, or Materialized.with on the operation that made it)',
    );
  };
  return { serialize: fail, deserialize: fail };
}
