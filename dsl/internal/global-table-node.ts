import type { SourceOptions } from '../../src/processor/node-options.js';
import type { ProcessorSupplier } from '../../src/processor/processor.js';
import type { Topology } from '../../src/processor/topology.js';
import type { StoreBuilder } from '../../state/store-builder.js';
import { GraphNode } from './graph-nodes.js';

/**
 * `builder.globalTable(...)`: a source and a `KTABLE-SOURCE-` processor that keeps the global
 * store, written with `Topology.addGlobalStore` so they form a sub-topology that generates no tasks.
 * Nothing attaches downstream: joins read the store by name.
 * @example
 * internal.addNode(new GlobalTableGraphNode('KSTREAM-SOURCE-0000000001', 'KTABLE-SOURCE-0000000002', 'rates', options, supplier, storeBuilder));
 */
export class GlobalTableGraphNode extends GraphNode {
  constructor(
    readonly sourceName: string,
    processorName: string,
    readonly topic: string,
    readonly sourceOptions: SourceOptions<unknown, unknown>,
    readonly supplier: ProcessorSupplier<unknown, unknown, void, void>,
    readonly storeBuilder: StoreBuilder,
  ) {
    super(processorName, []);
  }

  writeTo(topology: Topology): void {
    topology.addGlobalStore(this.storeBuilder, this.sourceName, this.sourceOptions, this.topic, this.name, this.supplier);
  }
}
