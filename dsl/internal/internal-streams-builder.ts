import { TopologyError } from '../../src/core/errors.js';
import { Topology } from '../../src/processor/topology.js';
import type { Named } from '../named.js';
import type { BuildConfig } from '../streams-builder.js';
import { StateStoreGraphNode, type GraphNode } from './graph-nodes.js';

/**
 * What kind of internal resource got a generated name.
 * @example
 * internal.addImplicitInternalName('state store', 'KSTREAM-AGGREGATE-STATE-STORE-0000000002');
 */
export type InternalResourceKind = 'repartition topic' | 'state store' | 'changelog topic';

/**
 * The state of one `StreamsBuilder`: the name counter, the logical graph and the resources whose
 * names were generated. Operators add nodes; `build()` writes them to a new `Topology` in creation
 * order (parents are always created before children).
 * @example
 * const internal = new InternalStreamsBuilder(); internal.newProcessorName('KSTREAM-FILTER-'); // 'KSTREAM-FILTER-0000000000'
 */
export class InternalStreamsBuilder {
  #index = 0;
  readonly #nodes: GraphNode[] = [];
  readonly #implicit: { kind: InternalResourceKind; name: string }[] = [];

  /** `prefix` + the next counter value as 10 digits, e.g. `KSTREAM-FILTER-0000000001`. */
  newProcessorName(prefix: string): string {
    return prefix + String(this.#index++).padStart(10, '0');
  }

  /** `prefix` + `STATE-STORE-` + the next counter value, e.g. `KSTREAM-AGGREGATE-STATE-STORE-0000000002`. */
  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.#index++).padStart(10, '0')}`;
  }

  /** The user's name if given, else a generated one; the counter advances either way. */
  nameOf(named: Named | string | undefined, prefix: string): string {
    const generated = this.newProcessorName(prefix);
    if (named === undefined) return generated;
    return typeof named === 'string' ? named : named.name;
  }

  addNode<N extends GraphNode>(node: N): N {
    this.#nodes.push(node);
    return node;
  }

  /** Records an internal resource whose name was generated, for `ensureExplicitInternalNaming`. */
  addImplicitInternalName(kind: InternalResourceKind, name: string): void {
    this.#implicit.push({ kind, name });
  }

  /** Writes the logical graph to a new physical `Topology`. Stores are added first. */
  build(config: BuildConfig = {}): Topology {
    if (config.ensureExplicitInternalNaming && this.#implicit.length > 0) {
      const list = this.#implicit.map((r) => `${r.kind} "${r.name}"`).join(', ');
      throw new TopologyError(
        `ensureExplicitInternalNaming is set but these internal resources have generated names: ${list}. ` +
          'Name them with Repartitioned.as / Grouped.as / Materialized.as.',
      );
    }
    const topology = new Topology();
    for (const node of this.#nodes) if (node instanceof StateStoreGraphNode) node.writeTo(topology);
    for (const node of this.#nodes) if (!(node instanceof StateStoreGraphNode)) node.writeTo(topology);
    return topology;
  }
}
