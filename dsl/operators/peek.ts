import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { ForeachAction } from '../functions.js';

/**
 * Node name prefix of `peek`.
 * @example
 * builder.newProcessorName(PEEK_NAME); // 'KSTREAM-PEEK-0000000001'
 */
export const PEEK_NAME = 'KSTREAM-PEEK-';

class PeekProcessor<K, V> implements Processor<K, V, K, V> {
  #context!: ProcessorContext<K, V>;
  constructor(readonly action: ForeachAction<K, V>) {}

  init(context: ProcessorContext<K, V>): void {
    this.#context = context;
  }

  process(record: Record<K, V>): void {
    this.action(record.key, record.value);
    this.#context.forward(record);
  }
}

/**
 * Supplier of the processor behind `KStream.peek`: runs a side effect, then forwards the record
 * unchanged.
 * @example
 * topology.addProcessor('log', peekProcessor((k, v) => console.log(k, v)), 'source');
 */
export function peekProcessor<K, V>(action: ForeachAction<K, V>): () => Processor<K, V, K, V> {
  return () => new PeekProcessor(action);
}
