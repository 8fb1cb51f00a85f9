import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { KeyValueMapper } from '../functions.js';
import type { KeyValue } from '../key-value.js';

/**
 * Node name prefix of `flatMap`.
 * @example
 * builder.newProcessorName(FLATMAP_NAME); // 'KSTREAM-FLATMAP-0000000001'
 */
export const FLATMAP_NAME = 'KSTREAM-FLATMAP-';

class FlatMapProcessor<K, V, K2, V2> implements Processor<K, V, K2, V2> {
  #context!: ProcessorContext<K2, V2>;
  constructor(readonly mapper: KeyValueMapper<K, V, Iterable<KeyValue<K2, V2>>>) {}

  init(context: ProcessorContext<K2, V2>): void {
    this.#context = context;
  }

  process(record: Record<K, V>): void {
    for (const kv of this.mapper(record.key, record.value)) {
      this.#context.forward(new Record(kv.key, kv.value, record.timestamp, record.headers));
    }
  }
}

/**
 * Supplier of the processor behind `KStream.flatMap`: zero or more key-value pairs per record, in
 * order, each with the input's timestamp and headers. Key-changing (marks repartition required).
 * @example
 * topology.addProcessor('explode', flatMapProcessor((k, v: string[]) => v.map((x) => KeyValue.pair(x, 1))), 'source');
 */
export function flatMapProcessor<K, V, K2, V2>(
  mapper: KeyValueMapper<K, V, Iterable<KeyValue<K2, V2>>>,
): () => Processor<K, V, K2, V2> {
  return () => new FlatMapProcessor(mapper);
}
