import type { Processor } from '../../src/processor/processor.js';
import type { Record } from '../../src/processor/record.js';
import type { ForeachAction } from '../functions.js';

/**
 * Node name prefix of `foreach`.
 * @example
 * builder.newProcessorName(FOREACH_NAME); // 'KSTREAM-FOREACH-0000000002'
 */
export const FOREACH_NAME = 'KSTREAM-FOREACH-';

class ForeachProcessor<K, V> implements Processor<K, V> {
  constructor(readonly action: ForeachAction<K, V>) {}

  process(record: Record<K, V>): void {
    this.action(record.key, record.value);
  }
}

/**
 * Supplier of the processor behind `KStream.foreach`: a terminal side effect per record; forwards
 * nothing.
 * @example
 * topology.addProcessor('print', foreachProcessor((k, v) => console.log(k, v)), 'source');
 */
export function foreachProcessor<K, V>(action: ForeachAction<K, V>): () => Processor<K, V> {
  return () => new ForeachProcessor(action);
}
