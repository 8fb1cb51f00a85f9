import type { StoreBuilder } from '../../state/store-builder.js';
import type { InternalTopicOptions, SinkOptions, SourceOptions, TopicNameExtractor } from '../../src/processor/node-options.js';
import type { ProcessorSupplier } from '../../src/processor/processor.js';
import type { Topology } from '../../src/processor/topology.js';

/**
 * A node of the DSL's logical graph. The DSL records operations as these nodes first and writes
 * the physical `Topology` from them at `build()` (so rewrites, e.g. merging repartition topics,
 * can happen in between).
 * @example
 * for (const child of node.children) child.writeTo(topology);
 */
export abstract class GraphNode {
  readonly children: GraphNode[] = [];

  constructor(readonly name: string, readonly parents: readonly GraphNode[]) {
    for (const p of parents) p.children.push(this);
  }

  /** The physical node that children attach to (differs from `name` for composite nodes). */
  get outputName(): string {
    return this.name;
  }

  abstract writeTo(topology: Topology): void;

  protected parentNames(): string[] {
    return this.parents.map((p) => p.outputName);
  }
}

/**
 * `builder.stream(...)`: one source node.
 * @example
 * builder.addNode(new SourceGraphNode('KSTREAM-SOURCE-0000000000', ['input'], {}));
 */
export class SourceGraphNode extends GraphNode {
  constructor(name: string, readonly topics: readonly string[], readonly options: SourceOptions<unknown, unknown>) {
    super(name, []);
  }

  writeTo(topology: Topology): void {
    topology.addSource(this.name, this.topics, this.options);
  }
}

/**
 * A stateless (or store-using) processor node.
 * @example
 * builder.addNode(new ProcessorGraphNode(name, [parent], filterProcessor(pred, false)));
 */
export class ProcessorGraphNode extends GraphNode {
  constructor(
    name: string,
    parents: readonly GraphNode[],
    readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>,
    readonly storeNames: readonly string[] = [],
  ) {
    super(name, parents);
  }

  writeTo(topology: Topology): void {
    topology.addProcessor(this.name, this.supplier, ...this.parentNames());
    if (this.storeNames.length > 0) topology.connectProcessorAndStateStores(this.name, ...this.storeNames);
  }
}

/**
 * `to(...)`: one sink node.
 * @example
 * builder.addNode(new SinkGraphNode(name, parent, 'output', {}));
 */
export class SinkGraphNode extends GraphNode {
  constructor(
    name: string,
    parent: GraphNode,
    readonly topic: string | TopicNameExtractor<unknown, unknown>,
    readonly options: SinkOptions<unknown, unknown>,
  ) {
    super(name, [parent]);
  }

  writeTo(topology: Topology): void {
    topology.addSink(this.name, this.topic, this.options, ...this.parentNames());
  }
}

/**
 * A repartition through an internal topic: a null-key filter, a sink to the topic and a source
 * reading it back. Children attach to the source, which starts a new sub-topology.
 * @example
 * const node = repartitionNode(builder, parent, { baseName: 'by-user', userNamed: true }); node.outputName; // 'by-user-repartition-source'
 */
export class RepartitionGraphNode extends GraphNode {
  constructor(
    parent: GraphNode,
    readonly filterName: string,
    readonly sinkName: string,
    readonly sourceName: string,
    readonly topic: string,
    readonly filter: ProcessorSupplier<unknown, unknown, unknown, unknown>,
    readonly sinkOptions: SinkOptions<unknown, unknown>,
    readonly sourceOptions: SourceOptions<unknown, unknown>,
    readonly topicOptions: InternalTopicOptions,
  ) {
    super(sourceName, [parent]);
  }

  override get outputName(): string {
    return this.sourceName;
  }

  writeTo(topology: Topology): void {
    topology.addInternalTopic(this.topic, this.topicOptions);
    topology.addProcessor(this.filterName, this.filter, ...this.parentNames());
    topology.addSink(this.sinkName, this.topic, this.sinkOptions, this.filterName);
    topology.addSource(this.sourceName, [this.topic], this.sourceOptions);
  }
}

/**
 * `builder.addStateStore(...)`: a store processors connect to by name.
 * @example
 * builder.addNode(new StateStoreGraphNode(storeBuilder));
 */
export class StateStoreGraphNode extends GraphNode {
  constructor(readonly storeBuilder: StoreBuilder) {
    super(storeBuilder.name, []);
  }

  writeTo(topology: Topology): void {
    topology.addStateStore(this.storeBuilder);
  }
}
