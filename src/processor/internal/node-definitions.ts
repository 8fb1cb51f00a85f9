import type { ProcessorSupplier } from '../processor.js';
import type { SinkOptions, SourceOptions, TopicNameExtractor } from '../node-options.js';

/**
 * A source node as the topology records it (not yet instantiated for a task).
 * @example
 * const def: SourceDefinition = { kind: 'source', name: 'src', topics: ['in'], options: {} };
 */
export interface SourceDefinition {
  readonly kind: 'source';
  readonly name: string;
  readonly topics: readonly string[];
  readonly options: SourceOptions<unknown, unknown>;
}

/**
 * A processor node as the topology records it. `stores` grows as stores are connected.
 * @example
 * const def: ProcessorDefinition = { kind: 'processor', name: 'p', supplier, parents: ['src'], stores: [] };
 */
export interface ProcessorDefinition {
  readonly kind: 'processor';
  readonly name: string;
  readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>;
  readonly parents: readonly string[];
  readonly stores: string[];
}

/**
 * A sink node as the topology records it.
 * @example
 * const def: SinkDefinition = { kind: 'sink', name: 'out', topic: 'output', options: {}, parents: ['p'] };
 */
export interface SinkDefinition {
  readonly kind: 'sink';
  readonly name: string;
  readonly topic: string | TopicNameExtractor<unknown, unknown>;
  readonly options: SinkOptions<unknown, unknown>;
  readonly parents: readonly string[];
}

/**
 * Any node of a topology.
 * @example
 * for (const node of topology.nodes().values()) if (node.kind === 'sink') console.log(node.topic);
 */
export type NodeDefinition = SourceDefinition | ProcessorDefinition | SinkDefinition;

/**
 * The parents of a node (none for a source).
 * @example
 * parentsOf(topology.nodes().get('p')!); // ['src']
 */
export function parentsOf(node: NodeDefinition): readonly string[] {
  return node.kind === 'source' ? [] : node.parents;
}

/**
 * The stores a node uses (only processors use stores).
 * @example
 * storesOf(topology.nodes().get('p')!); // ['counts']
 */
export function storesOf(node: NodeDefinition): readonly string[] {
  return node.kind === 'processor' ? node.stores : [];
}
