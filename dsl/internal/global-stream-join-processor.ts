import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { ReadOnlyKeyValueStore } from '../../state/read-only-key-value-store.js';

class GlobalStreamJoinProcessor<K, V, GK, GV, R> implements Processor<K, V, K, R> {
  #context!: ProcessorContext<K, R>;
  #table!: ReadOnlyKeyValueStore<GK, ValueAndTimestamp<GV>>;

  constructor(
    readonly storeName: string,
    readonly keySelector: (key: K, value: V) => GK | null | undefined,
    readonly joiner: (value: V, tableValue: GV | null, key: K) => R,
    readonly leftJoin: boolean,
  ) {}

  init(context: ProcessorContext<K, R>): void {
    this.#context = context;
    // A global store: resolved without being connected to this processor (read-only view).
    this.#table = context.getStateStore(this.storeName) as unknown as ReadOnlyKeyValueStore<GK, ValueAndTimestamp<GV>>;
  }

  process(record: Record<K, V>): void {
    const value = record.value;
    // A null value is "no message": nothing to join, for inner and left joins alike (Kafka).
    if (value === null || value === undefined) {
      this.#context.recordDropped?.();
      return;
    }
    // The key selector sees the stream key even when it is null: a global join needs no stream key.
    const lookup = this.keySelector(record.key, value);
    const noLookup = lookup === null || lookup === undefined;
    if (noLookup && !this.leftJoin) {
      this.#context.recordDropped?.();
      return;
    }
    const tableValue = noLookup ? null : (this.#table.get(lookup)?.value ?? null);
    if (this.leftJoin || tableValue !== null) this.#context.forward(record.withValue(this.joiner(value, tableValue, record.key)));
  }
}

/**
 * Supplier of Kafka's KStream–GlobalKTable join (`KStreamGlobalKTableJoin`): each stream record
 * looks up `keySelector(key, value)` in the global store as of now and forwards
 * `joiner(value, tableValue, key)` with the stream record's key and timestamp; global table updates
 * never trigger output. A null stream value is dropped (counted). A null lookup key is dropped by
 * the inner join and joined with `null` by the left join (KIP-962), as is a key the table lacks.
 * @example
 * topology.addProcessor('KSTREAM-JOIN-0000000004', globalStreamJoinProcessor('products', (_k, o) => o.productId, (o, p) => ({ o, p }), false), 'orders-source');
 */
export function globalStreamJoinProcessor<K, V, GK, GV, R>(
  storeName: string,
  keySelector: (key: K, value: V) => GK | null | undefined,
  joiner: (value: V, tableValue: GV | null, key: K) => R,
  leftJoin: boolean,
): () => Processor<K, V, K, R> {
  return () => new GlobalStreamJoinProcessor(storeName, keySelector, joiner, leftJoin);
}
