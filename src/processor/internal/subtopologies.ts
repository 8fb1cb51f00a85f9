import { parentsOf, storesOf, type NodeDefinition } from './node-definitions.js';

/**
 * One connected component of a topology: what one task runs.
 * @example
 * const [first] = topology.subtopologies(); first?.sourceTopics; // ['input']
 */
export interface SubtopologyInfo {
  readonly id: number;
  /** Node names in the order they were added to the topology (parents before children). */
  readonly nodeNames: readonly string[];
  /** Topics its source nodes read (undecorated). */
  readonly sourceTopics: readonly string[];
  /** Fixed topics its sink nodes write (undecorated; per-record topics are not listed). */
  readonly sinkTopics: readonly string[];
  /** Stores its processors use. */
  readonly storeNames: readonly string[];
  /** True for a global store's sub-topology (Kafka: "for global store (will not generate tasks)"). */
  readonly global: boolean;
}

/**
 * Splits the nodes into sub-topologies: connected components of the parent edges, where processors
 * sharing a store are connected too. A sink and the source that reads its topic back are different
 * nodes, so the graph splits at repartition topics. Ids follow Kafka: sorted source names first,
 * then sorted other names, each new component taking the next id. Global-store sub-topologies (the
 * component of a source in `globalSources`) share that numbering, as in Kafka, and are flagged.
 * Global stores do not connect components: any processor may read one without joining its group.
 * @example
 * computeSubtopologies(topology.nodes()).map((s) => s.id); // [0, 1]
 */
export function computeSubtopologies(
  nodes: ReadonlyMap<string, NodeDefinition>,
  globalSources: ReadonlySet<string> = new Set(),
): SubtopologyInfo[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    let cur = x;
    while (cur !== root) {
      const next = parent.get(cur)!;
      parent.set(cur, root);
      cur = next;
    }
    return root;
  };
  const unite = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const name of nodes.keys()) parent.set(name, name);
  const storeUser = new Map<string, string>();
  for (const node of nodes.values()) {
    for (const p of parentsOf(node)) unite(node.name, p);
    for (const s of storesOf(node)) {
      const other = storeUser.get(s);
      if (other === undefined) storeUser.set(s, node.name);
      else unite(node.name, other);
    }
  }

  const idByRoot = new Map<string, number>();
  const sorted = (names: string[]) => names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const all = [...nodes.values()];
  const order = [
    ...sorted(all.filter((n) => n.kind === 'source').map((n) => n.name)),
    ...sorted(all.filter((n) => n.kind !== 'source').map((n) => n.name)),
  ];
  for (const name of order) {
    const root = find(name);
    if (!idByRoot.has(root)) idByRoot.set(root, idByRoot.size);
  }

  const result: { id: number; nodeNames: string[]; sourceTopics: string[]; sinkTopics: string[]; storeNames: string[]; global: boolean }[] =
    [...idByRoot.values()].map((id) => ({ id, nodeNames: [], sourceTopics: [], sinkTopics: [], storeNames: [], global: false }));
  for (const node of nodes.values()) {
    const sub = result[idByRoot.get(find(node.name))!]!;
    if (globalSources.has(node.name)) sub.global = true;
    sub.nodeNames.push(node.name);
    if (node.kind === 'source') sub.sourceTopics.push(...node.topics);
    if (node.kind === 'sink' && typeof node.topic === 'string' && !sub.sinkTopics.includes(node.topic)) {
      sub.sinkTopics.push(node.topic);
    }
    for (const s of storesOf(node)) if (!sub.storeNames.includes(s)) sub.storeNames.push(s);
  }
  return result;
}
