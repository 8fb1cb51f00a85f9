import type { InternalTopicOptions, SinkOptions, SourceOptions } from '../../src/processor/node-options.js';
import type { ProcessorSupplier } from '../../src/processor/processor.js';
import type { Topology } from '../../src/processor/topology.js';
import type { StoreBuilder } from '../../state/store-builder.js';
import { GraphNode } from './graph-nodes.js';

/**
 * A processor with a store it owns, decided at `build()`: `storeBuilder()` returns undefined while
 * the table is not materialized (a source table becomes materialized when a downstream needs its
 * old values, possibly after this node was declared).
 * @example
 * internal.addNode(new TableProcessorGraphNode(name, [parent], supplier, () => state.materialized ? builder : undefined));
 */
export class TableProcessorGraphNode extends GraphNode {
  constructor(
    name: string,
    parents: readonly GraphNode[],
    readonly supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>,
    readonly storeBuilder: () => StoreBuilder | undefined,
  ) {
    super(name, parents);
  }

  writeTo(topology: Topology): void {
    topology.addProcessor(this.name, this.supplier, ...this.parentNames());
    const store = this.storeBuilder();
    if (store !== undefined) topology.addStateStore(store, this.name);
  }
}

/**
 * The repartition of `KTable.groupBy` (Kafka's `GroupedTableOperationRepartitionNode`): a sink to
 * the internal topic and a source reading it back — no null-key filter, the select processor
 * already drops null keys. Children attach to the source.
 * @example
 * internal.addNode(new TableRepartitionGraphNode(select, 'KSTREAM-SINK-0000000003', 'KSTREAM-SOURCE-0000000004', 'counts-repartition', sinkOpts, sourceOpts, {}));
 */
export class TableRepartitionGraphNode extends GraphNode {
  constructor(
    parent: GraphNode,
    readonly sinkName: string,
    readonly sourceName: string,
    readonly topic: string,
    readonly sinkOptions: SinkOptions<unknown, unknown>,
    readonly sourceOptions: SourceOptions<unknown, unknown>,
    readonly topicOptions: InternalTopicOptions,
  ) {
    super(sourceName, [parent]);
  }

  writeTo(topology: Topology): void {
    topology.addInternalTopic(this.topic, this.topicOptions);
    topology.addSink(this.sinkName, this.topic, this.sinkOptions, ...this.parentNames());
    topology.addSource(this.sourceName, [this.topic], this.sourceOptions);
  }
}
