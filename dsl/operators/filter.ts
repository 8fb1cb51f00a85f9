import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { Predicate } from '../functions.js';

/**
 * Node name prefix of `filter` and `filterNot` (Kafka uses the same for both).
 * @example
 * builder.newProcessorName(FILTER_NAME); // 'KSTREAM-FILTER-0000000001'
 */
export const FILTER_NAME = 'KSTREAM-FILTER-';

class FilterProcessor<K, V> implements Processor<K, V, K, V> {
  #context!: ProcessorContext<K, V>;
  constructor(readonly predicate: Predicate<K, V>, readonly negate: boolean) {}

  init(context: ProcessorContext<K, V>): void {
    this.#context = context;
  }

  process(record: Record<K, V>): void {
    if (this.predicate(record.key, record.value) !== this.negate) this.#context.forward(record);
  }
}

/**
 * Supplier of the processor behind `KStream.filter` (keeps records the predicate accepts) and
 * `filterNot` (`negate = true`: keeps records it rejects). Forwards the same record object.
 * @example
 * topology.addProcessor('positive', filterProcessor<string, number>((k, v) => v > 0, false), 'source');
 */
export function filterProcessor<K, V>(predicate: Predicate<K, V>, negate: boolean): () => Processor<K, V, K, V> {
  return () => new FilterProcessor(predicate, negate);
}
