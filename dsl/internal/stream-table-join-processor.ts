import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { KeyValueStore } from '../../state/key-value-store.js';

class StreamTableJoinProcessor<K, V, VT, R> implements Processor<K, V, K, R> {
  #context!: ProcessorContext<K, R>;
  #table!: KeyValueStore<K, ValueAndTimestamp<VT>>;

  constructor(
    readonly tableStoreName: string,
    readonly joiner: (value: V, tableValue: VT | null, key: K) => R,
    readonly leftJoin: boolean,
  ) {}

  init(context: ProcessorContext<K, R>): void {
    this.#context = context;
    this.#table = context.getStateStore(this.tableStoreName);
  }

  process(record: Record<K, V>): void {
    const { key, value } = record;
    const noKey = key === null || key === undefined;
    if (value === null || value === undefined || (noKey && !this.leftJoin)) {
      this.#context.recordDropped?.();
      return;
    }
    const tableValue = noKey ? null : (this.#table.get(key)?.value ?? null);
    if (this.leftJoin || tableValue !== null) this.#context.forward(record.withValue(this.joiner(value, tableValue, key)));
  }
}

/**
 * Supplier of Kafka's `KStreamKTableJoin` (unversioned table, no grace): each stream record looks
 * its key up in the table's store as of now and forwards `joiner(value, tableValue)` with the
 * stream record's timestamp; table updates never trigger output. A null value (or, for an inner
 * join, a null key) is dropped and counted; a left join passes a null-key record with `null` for
 * the table value (KIP-962), as it does for a key the table lacks.
 * @example
 * topology.addProcessor('KSTREAM-JOIN-0000000004', streamTableJoinProcessor('accounts', (p, a) => ({ p, a }), false), 'payments');
 */
export function streamTableJoinProcessor<K, V, VT, R>(
  tableStoreName: string,
  joiner: (value: V, tableValue: VT | null, key: K) => R,
  leftJoin: boolean,
): () => Processor<K, V, K, R> {
  return () => new StreamTableJoinProcessor(tableStoreName, joiner, leftJoin);
}
