import type { ProcessorSupplier } from '../../src/processor/processor.js';
import { ProcessorGraphNode, type GraphNode } from '../internal/graph-nodes.js';
import type { InternalStreamsBuilder } from '../internal/internal-streams-builder.js';
import type { Named } from '../named.js';

/**
 * Node name prefix of `process`.
 * @example
 * builder.newProcessorName(PROCESSOR_NAME); // 'KSTREAM-PROCESSOR-0000000003'
 */
export const PROCESSOR_NAME = 'KSTREAM-PROCESSOR-';

/**
 * Adds the node behind `KStream.process`: the user's Processor API processor, connected to the
 * named stores (added with `StreamsBuilder.addStateStore`). It may change keys, so the result is
 * marked as requiring a repartition.
 * @example
 * processNode(builder, stream.node, () => new Deduplicate(), undefined, ['seen-ids']);
 */
export function processNode<KIn, VIn, KOut, VOut>(
  builder: InternalStreamsBuilder,
  parent: GraphNode,
  supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
  named: Named | undefined,
  storeNames: readonly string[],
): GraphNode {
  if (typeof supplier !== 'function') throw new TypeError('process: supplier must be a function returning a new Processor');
  const name = builder.nameOf(named, PROCESSOR_NAME);
  return builder.addNode(
    new ProcessorGraphNode(name, [parent], supplier as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>, storeNames),
  );
}
