import type { Change } from '../../src/core/change.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';

/**
 * Node name prefix of `KTable.toStream`.
 * @example
 * builder.newProcessorName(TOSTREAM_NAME); // 'KTABLE-TOSTREAM-0000000004'
 */
export const TOSTREAM_NAME = 'KTABLE-TOSTREAM-';

class ToStreamProcessor<K, V> implements Processor<K, Change<V>, K, V | null> {
  #context!: ProcessorContext<K, V | null>;

  init(context: ProcessorContext<K, V | null>): void {
    this.#context = context;
  }

  process(record: Record<K, Change<V>>): void {
    this.#context.forward(record.withValue(record.value.newValue));
  }
}

/**
 * Supplier of the processor behind `KTable.toStream`: each update becomes a record with the new
 * value (a deletion becomes a record with a null value), same key and timestamp.
 * @example
 * topology.addProcessor('KTABLE-TOSTREAM-0000000004', toStreamProcessor(), 'KTABLE-SOURCE-0000000002');
 */
export function toStreamProcessor<K, V>(): () => Processor<K, Change<V>, K, V | null> {
  return () => new ToStreamProcessor<K, V>();
}
