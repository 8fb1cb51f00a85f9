import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { ValueMapper } from '../functions.js';

/**
 * Node name prefix of `flatMapValues`.
 * @example
 * builder.newProcessorName(FLATMAPVALUES_NAME); // 'KSTREAM-FLATMAPVALUES-0000000001'
 */
export const FLATMAPVALUES_NAME = 'KSTREAM-FLATMAPVALUES-';

class FlatMapValuesProcessor<K, V, V2> implements Processor<K, V, K, V2> {
  #context!: ProcessorContext<K, V2>;
  constructor(readonly mapper: ValueMapper<V, Iterable<V2>, K>) {}

  init(context: ProcessorContext<K, V2>): void {
    this.#context = context;
  }

  process(record: Record<K, V>): void {
    for (const v of this.mapper(record.value, record.key)) this.#context.forward(new Record(record.key, v, record.timestamp, record.headers));
  }
}

/**
 * Supplier of the processor behind `KStream.flatMapValues`: zero or more values per record, same
 * key, timestamp and headers. Does not change the key.
 * @example
 * topology.addProcessor('words', flatMapValuesProcessor((line: string) => line.split(' ')), 'source');
 */
export function flatMapValuesProcessor<K, V, V2>(mapper: ValueMapper<V, Iterable<V2>, K>): () => Processor<K, V, K, V2> {
  return () => new FlatMapValuesProcessor(mapper);
}
