import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';

class PassThroughProcessor<K, V> implements Processor<K, V, K, V> {
  #context!: ProcessorContext<K, V>;

  init(context: ProcessorContext<K, V>): void {
    this.#context = context;
  }

  process(record: Record<K, V>): void {
    this.#context.forward(record);
  }
}

/**
 * A processor that forwards every record unchanged (merge nodes, branch children).
 * @example
 * topology.addProcessor('merge', passThroughProcessor(), 'left', 'right');
 */
export function passThroughProcessor<K, V>(): () => Processor<K, V, K, V> {
  return () => new PassThroughProcessor<K, V>();
}
