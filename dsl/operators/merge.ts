import { ProcessorGraphNode, type GraphNode } from '../internal/graph-nodes.js';
import type { InternalStreamsBuilder } from '../internal/internal-streams-builder.js';
import { passThroughProcessor } from '../internal/pass-through.js';
import type { Named } from '../named.js';

/**
 * Node name prefix of `merge`.
 * @example
 * builder.newProcessorName(MERGE_NAME); // 'KSTREAM-MERGE-0000000002'
 */
export const MERGE_NAME = 'KSTREAM-MERGE-';

/**
 * Adds the node behind `KStream.merge`: a pass-through processor whose parents are both streams'
 * nodes, so records of either flow on in the order they are processed (no ordering across the two).
 * @example
 * const node = mergeNode(builder, left.node, right.node, Named.as('all-events'));
 */
export function mergeNode(builder: InternalStreamsBuilder, left: GraphNode, right: GraphNode, named?: Named): GraphNode {
  const name = builder.nameOf(named, MERGE_NAME);
  return builder.addNode(new ProcessorGraphNode(name, [left, right], passThroughProcessor()));
}
