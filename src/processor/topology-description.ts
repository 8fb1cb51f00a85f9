/**
 * One node in a {@link TopologyDescription}. Successor / predecessor names are in Kafka's print order.
 * @example
 * const sink = description.subtopologies[0]!.nodes.find((n) => n.type === 'sink'); // sink?.topic === 'output'
 */
export interface NodeDescription {
  readonly type: 'source' | 'processor' | 'sink';
  readonly name: string;
  /** Source: the topics read. */
  readonly topics?: readonly string[];
  /** Processor: the stores used. */
  readonly stores?: readonly string[];
  /** Sink: the fixed topic, or `null` when a per-record topic extractor chooses it. */
  readonly topic?: string | null;
  /** Sink with a per-record topic: the extractor's function name. */
  readonly extractor?: string;
  readonly predecessors: readonly string[];
  readonly successors: readonly string[];
}

/**
 * One sub-topology (what one task runs).
 * @example
 * for (const sub of topology.describe().subtopologies) console.log(sub.id, sub.nodes.length);
 */
export interface SubtopologyDescription {
  readonly id: number;
  /** Nodes in Kafka's print order: larger sub-trees first, then by name. */
  readonly nodes: readonly NodeDescription[];
  /** True for a global store's source and processor, which generate no tasks. */
  readonly global?: boolean;
}

const names = (list: readonly string[]) => (list.length === 0 ? 'none' : list.join(', '));

function nodeText(n: NodeDescription): string {
  switch (n.type) {
    case 'source':
      return `Source: ${n.name} (topics: [${(n.topics ?? []).join(', ')}])\n      --> ${names(n.successors)}`;
    case 'processor':
      return `Processor: ${n.name} (stores: [${(n.stores ?? []).join(', ')}])\n      --> ${names(n.successors)}\n      <-- ${names(n.predecessors)}`;
    case 'sink':
      return n.topic === null || n.topic === undefined
        ? `Sink: ${n.name} (extractor class: ${n.extractor ?? 'anonymous'})\n      <-- ${names(n.predecessors)}`
        : `Sink: ${n.name} (topic: ${n.topic})\n      <-- ${names(n.predecessors)}`;
  }
}

const mermaidLabel = (text: string) => text.replace(/"/g, '#quot;');

/**
 * What `Topology.describe()` returns: the sub-topologies with their nodes, stores and topics.
 *
 * `toString()` is exactly Kafka Streams' text format (so tools such as kafka-streams-viz read it and
 * golden tests can be shared with Kafka); `toMermaid()` renders a Mermaid flowchart and `toDot()` a
 * Graphviz digraph.
 *
 * @example
 * console.log(builder.build().describe().toString());
 * // Topologies:
 * //    Sub-topology: 0
 * //     Source: KSTREAM-SOURCE-0000000000 (topics: [input])
 * //       --> KSTREAM-FILTER-0000000001
 * //  ...
 */
export class TopologyDescription {
  constructor(readonly subtopologies: readonly SubtopologyDescription[]) {}

  /** Kafka's `TopologyDescription#toString()` text. */
  toString(): string {
    let out = 'Topologies:\n ';
    for (const sub of this.subtopologies) {
      // Kafka prints a global store without the blank line that ends a sub-topology.
      out += sub.global ? `  Sub-topology: ${sub.id} for global store (will not generate tasks)\n` : `  Sub-topology: ${sub.id}\n`;
      for (const node of sub.nodes) out += `    ${nodeText(node)}\n`;
      if (!sub.global) out += '\n';
    }
    return out;
  }

  /** A Mermaid `flowchart` with one subgraph per sub-topology and topics as cylinders. */
  toMermaid(): string {
    const lines = ['flowchart TB'];
    const ids = new Map<string, string>();
    const topicIds = new Map<string, string>();
    const id = (name: string) => ids.get(name) ?? (ids.set(name, `n${ids.size}`), ids.get(name)!);
    const topicId = (topic: string) => {
      let t = topicIds.get(topic);
      if (t === undefined) {
        t = `t${topicIds.size}`;
        topicIds.set(topic, t);
        lines.push(`  ${t}[("${mermaidLabel(topic)}")]`);
      }
      return t;
    };
    const edges: string[] = [];
    for (const sub of this.subtopologies) {
      lines.push(`  subgraph s${sub.id}["Sub-topology: ${sub.id}"]`);
      for (const node of sub.nodes) {
        const kind = node.type === 'source' ? 'Source' : node.type === 'sink' ? 'Sink' : 'Processor';
        const stores = node.stores && node.stores.length > 0 ? `<br/>stores: ${node.stores.join(', ')}` : '';
        lines.push(`    ${id(node.name)}["${kind}: ${mermaidLabel(node.name)}${mermaidLabel(stores)}"]`);
        for (const s of node.successors) edges.push(`  ${id(node.name)} --> ${id(s)}`);
      }
      lines.push('  end');
    }
    for (const sub of this.subtopologies) {
      for (const node of sub.nodes) {
        for (const t of node.topics ?? []) edges.push(`  ${topicId(t)} --> ${id(node.name)}`);
        if (node.type === 'sink' && typeof node.topic === 'string') edges.push(`  ${id(node.name)} --> ${topicId(node.topic)}`);
      }
    }
    return [...lines, ...edges].join('\n') + '\n';
  }

  /** A Graphviz `digraph` with one cluster per sub-topology; topics are cylinders, stores are notes. */
  toDot(): string {
    const q = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
    const lines = ['digraph topology {', '  rankdir=TB;'];
    const edges: string[] = [];
    const topics = new Set<string>();
    for (const sub of this.subtopologies) {
      lines.push(`  subgraph cluster_${sub.id} {`, `    label=${q(`Sub-topology: ${sub.id}`)};`);
      for (const node of sub.nodes) {
        const shape = node.type === 'processor' ? 'box' : 'ellipse';
        lines.push(`    ${q(node.name)} [shape=${shape}];`);
        for (const s of node.successors) edges.push(`  ${q(node.name)} -> ${q(s)};`);
        for (const t of node.topics ?? []) {
          topics.add(t);
          edges.push(`  ${q(`topic:${t}`)} -> ${q(node.name)};`);
        }
        if (node.type === 'sink' && typeof node.topic === 'string') {
          topics.add(node.topic);
          edges.push(`  ${q(node.name)} -> ${q(`topic:${node.topic}`)};`);
        }
        for (const store of node.stores ?? []) edges.push(`  ${q(node.name)} -> ${q(`store:${store}`)} [dir=both, style=dashed];`);
      }
      lines.push('  }');
    }
    for (const t of topics) lines.push(`  ${q(`topic:${t}`)} [shape=cylinder, label=${q(t)}];`);
    const stores = new Set(this.subtopologies.flatMap((s) => s.nodes.flatMap((n) => n.stores ?? [])));
    for (const store of stores) lines.push(`  ${q(`store:${store}`)} [shape=note, label=${q(store)}];`);
    return [...lines, ...edges, '}'].join('\n') + '\n';
  }
}
