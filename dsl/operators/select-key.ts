import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { KeyValueMapper } from '../functions.js';

/**
 * Node name prefix of `selectKey`.
 * @example
 * builder.newProcessorName(KEY_SELECT_NAME); // 'KSTREAM-KEY-SELECT-0000000001'
 */
export const KEY_SELECT_NAME = 'KSTREAM-KEY-SELECT-';

class SelectKeyProcessor<K, V, K2> implements Processor<K, V, K2, V> {
  #context!: ProcessorContext<K2, V>;
  constructor(readonly selector: KeyValueMapper<K, V, K2>) {}

  init(context: ProcessorContext<K2, V>): void {
    this.#context = context;
  }

  process(record: Record<K, V>): void {
    this.#context.forward(new Record(this.selector(record.key, record.value), record.value, record.timestamp, record.headers));
  }
}

/**
 * Supplier of the processor behind `KStream.selectKey`: a new key, same value. Key-changing: the
 * result stream is marked as requiring a repartition before grouping or joining.
 * @example
 * topology.addProcessor('by-user', selectKeyProcessor((k, v: Order) => v.userId), 'source');
 */
export function selectKeyProcessor<K, V, K2>(selector: KeyValueMapper<K, V, K2>): () => Processor<K, V, K2, V> {
  return () => new SelectKeyProcessor(selector);
}
