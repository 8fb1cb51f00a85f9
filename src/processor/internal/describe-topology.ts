import { TopologyDescription, type NodeDescription, type SubtopologyDescription } from '../topology-description.js';
import { javaHashSetOrder } from './java-hash-order.js';
import { parentsOf, type NodeDefinition } from './node-definitions.js';
import type { SubtopologyInfo } from './subtopologies.js';

/**
 * Builds the description of each sub-topology. Node order follows Kafka's comparator: a node's
 * "size" is 1 + the sizes of its successors (paths counted, as Kafka's incremental update does);
 * larger first, ties by name.
 * @example
 * describeTopology(topology.nodes(), topology.subtopologies()).toString();
 */
export function describeTopology(
  nodes: ReadonlyMap<string, NodeDefinition>,
  subtopologies: readonly SubtopologyInfo[],
): TopologyDescription {
  const children = new Map<string, string[]>();
  for (const node of nodes.values()) {
    for (const p of parentsOf(node)) {
      const list = children.get(p) ?? [];
      if (!list.includes(node.name)) list.push(node.name);
      children.set(p, list);
    }
  }
  const sizes = new Map<string, number>();
  const size = (name: string): number => {
    let s = sizes.get(name);
    if (s === undefined) {
      s = 1;
      for (const c of children.get(name) ?? []) s += size(c);
      sizes.set(name, s);
    }
    return s;
  };
  const byKafkaOrder = (a: string, b: string) => size(b) - size(a) || (a < b ? -1 : a > b ? 1 : 0);

  const described: SubtopologyDescription[] = subtopologies.map((sub) => {
    const list: NodeDescription[] = sub.nodeNames.map((name) => {
      const node = nodes.get(name)!;
      const successors = [...(children.get(name) ?? [])].sort(byKafkaOrder);
      const predecessors = [...new Set(parentsOf(node))].sort(byKafkaOrder);
      switch (node.kind) {
        case 'source':
          return { type: 'source', name, topics: javaHashSetOrder(node.topics), predecessors, successors };
        case 'processor':
          return { type: 'processor', name, stores: javaHashSetOrder(node.stores), predecessors, successors };
        case 'sink':
          return typeof node.topic === 'string'
            ? { type: 'sink', name, topic: node.topic, predecessors, successors }
            : { type: 'sink', name, topic: null, extractor: node.topic.name || 'anonymous', predecessors, successors };
      }
    });
    list.sort((a, b) => byKafkaOrder(a.name, b.name));
    return sub.global ? { id: sub.id, nodes: list, global: true } : { id: sub.id, nodes: list };
  });
  return new TopologyDescription(described);
}
