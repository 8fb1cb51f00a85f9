import type { SinkOptions } from '../../src/processor/node-options.js';
import type { Topology } from '../../src/processor/topology.js';
import { GraphNode } from './graph-nodes.js';

/**
 * A sink to an internal topic of a foreign-key join (registration or response), which it declares:
 * the response sink has two parents (answers to subscriptions and answers to right-table updates).
 * The source reading the topic back is a plain `SourceGraphNode` in the other sub-topology.
 * @example
 * internal.addNode(new InternalTopicSinkGraphNode('KTABLE-SINK-0000000015', [joinForeign, foreignJoin], 'KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic', opts));
 */
export class InternalTopicSinkGraphNode extends GraphNode {
  constructor(
    name: string,
    parents: readonly GraphNode[],
    readonly topic: string,
    readonly options: SinkOptions<unknown, unknown>,
  ) {
    super(name, parents);
  }

  writeTo(topology: Topology): void {
    topology.addInternalTopic(this.topic);
    topology.addSink(this.name, this.topic, this.options, ...this.parentNames());
  }
}
