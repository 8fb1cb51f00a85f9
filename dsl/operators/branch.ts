import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { Predicate } from '../functions.js';

/**
 * Node name prefix of the splitter node of `split()`.
 * @example
 * builder.newProcessorName(BRANCH_NAME); // 'KSTREAM-BRANCH-0000000001'
 */
export const BRANCH_NAME = 'KSTREAM-BRANCH-';

class BranchProcessor<K, V> implements Processor<K, V, K, V> {
  #context!: ProcessorContext<K, V>;
  constructor(readonly predicates: readonly Predicate<K, V>[], readonly childNames: readonly string[]) {}

  init(context: ProcessorContext<K, V>): void {
    this.#context = context;
  }

  process(record: Record<K, V>): void {
    const predicates = this.predicates;
    for (let i = 0; i < predicates.length; i++) {
      if (predicates[i]!(record.key, record.value)) {
        this.#context.forward(record, this.childNames[i]);
        return;
      }
    }
    if (this.childNames.length > predicates.length) this.#context.forward(record, this.childNames[predicates.length]);
  }
}

/**
 * Supplier of the splitter behind `KStream.split()`: sends each record to the child of the FIRST
 * predicate that accepts it, else to the default child if there is one (`childNames` has one more
 * entry than `predicates`), else drops it. The arrays are read at process time, so branches added
 * after the node was created are seen.
 * @example
 * const predicates = [(k: string, v: number) => v > 0];
 * const children = ['positive', 'rest'];
 * topology.addProcessor('split', branchProcessor(predicates, children), 'source');
 */
export function branchProcessor<K, V>(
  predicates: readonly Predicate<K, V>[],
  childNames: readonly string[],
): () => Processor<K, V, K, V> {
  return () => new BranchProcessor(predicates, childNames);
}
