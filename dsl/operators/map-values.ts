import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { ValueMapper } from '../functions.js';

/**
 * Node name prefix of `mapValues`.
 * @example
 * builder.newProcessorName(MAPVALUES_NAME); // 'KSTREAM-MAPVALUES-0000000002'
 */
export const MAPVALUES_NAME = 'KSTREAM-MAPVALUES-';

class MapValuesProcessor<K, V, V2> implements Processor<K, V, K, V2> {
  #context!: ProcessorContext<K, V2>;
  constructor(readonly mapper: ValueMapper<V, V2, K>) {}

  init(context: ProcessorContext<K, V2>): void {
    this.#context = context;
  }

  process(record: Record<K, V>): void {
    this.#context.forward(new Record(record.key, this.mapper(record.value, record.key), record.timestamp, record.headers));
  }
}

/**
 * Supplier of the processor behind `KStream.mapValues`: a new value, same key, timestamp, headers.
 * Does not change the key, so it never requires a repartition.
 * @example
 * topology.addProcessor('upper', mapValuesProcessor<string, string, string>((v) => v.toUpperCase()), 'source');
 */
export function mapValuesProcessor<K, V, V2>(mapper: ValueMapper<V, V2, K>): () => Processor<K, V, K, V2> {
  return () => new MapValuesProcessor(mapper);
}
