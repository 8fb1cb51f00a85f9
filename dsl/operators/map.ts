import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { KeyValueMapper } from '../functions.js';
import type { KeyValue } from '../key-value.js';

/**
 * Node name prefix of `map`.
 * @example
 * builder.newProcessorName(MAP_NAME); // 'KSTREAM-MAP-0000000001'
 */
export const MAP_NAME = 'KSTREAM-MAP-';

class MapProcessor<K, V, K2, V2> implements Processor<K, V, K2, V2> {
  #context!: ProcessorContext<K2, V2>;
  constructor(readonly mapper: KeyValueMapper<K, V, KeyValue<K2, V2>>) {}

  init(context: ProcessorContext<K2, V2>): void {
    this.#context = context;
  }

  process(record: Record<K, V>): void {
    const kv = this.mapper(record.key, record.value);
    if (kv === null || kv === undefined) throw new TypeError('map: the mapper returned no KeyValue');
    this.#context.forward(new Record(kv.key, kv.value, record.timestamp, record.headers));
  }
}

/**
 * Supplier of the processor behind `KStream.map`: a new key and value per record. Key-changing:
 * the result stream is marked as requiring a repartition before grouping or joining.
 * @example
 * topology.addProcessor('rekey', mapProcessor((k, v: Order) => KeyValue.pair(v.userId, v)), 'source');
 */
export function mapProcessor<K, V, K2, V2>(mapper: KeyValueMapper<K, V, KeyValue<K2, V2>>): () => Processor<K, V, K2, V2> {
  return () => new MapProcessor(mapper);
}
