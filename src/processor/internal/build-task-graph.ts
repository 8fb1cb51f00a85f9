import type { StateStore } from '../../../state/state-store.js';
import type { StoreBuilder } from '../../../state/store-builder.js';
import { TopologyError } from '../../core/errors.js';
import type { Serde } from '../../serdes/serde.js';
import type { TopicNameExtractor } from '../node-options.js';
import type { Topology } from '../topology.js';
import type { RuntimeNode } from './node-context.js';
import { ProcessorNode, SinkNode, SourceNode } from './runtime-nodes.js';
import type { TaskState } from './task-state.js';

/**
 * The instantiated nodes and stores of one task.
 * @example
 * const graph = buildTaskGraph(topology, 0, task, undefined, undefined); graph.sourceByTopic.get('in');
 */
export interface TaskGraph {
  /** Source node per (decorated) topic. */
  readonly sourceByTopic: ReadonlyMap<string, SourceNode>;
  /** Processor nodes in topology order (parents first): the init order. */
  readonly processors: readonly ProcessorNode[];
  readonly stores: ReadonlyMap<string, StateStore>;
}

function serdeOf(
  node: string,
  which: 'key' | 'value',
  own: Serde<unknown> | undefined,
  fallback: Serde<unknown> | undefined,
  allowMissing = false,
): Serde<unknown> {
  const serde = own ?? fallback;
  if (serde !== undefined) return serde;
  const error = () =>
    new TopologyError(
      `node "${node}" has no ${which} serde and no default${which === 'key' ? 'Key' : 'Value'}Serde is configured; ` +
        `pass one (Consumed.with / Produced.with) or set the default in the config`,
    );
  if (!allowMissing) throw error();
  return {
    serialize: () => {
      throw error();
    },
    deserialize: () => {
      throw error();
    },
  };
}

/**
 * Instantiates the nodes of one sub-topology for one task: each node gets its children as a
 * precomputed array (no lookups per record), sinks get decorated topic names and their serdes.
 * With `objectsOnly` (an object collector is used) a missing serde fails only if it is used.
 * `storeFactory` makes the task's store instances (default: `builder.build()`).
 * @example
 * const graph = buildTaskGraph(topology, 0, task, Serdes.string(), Serdes.string());
 */
export function buildTaskGraph(
  topology: Topology,
  subtopologyId: number,
  task: TaskState,
  defaultKeySerde: Serde<unknown> | undefined,
  defaultValueSerde: Serde<unknown> | undefined,
  objectsOnly = false,
  storeFactory: (builder: StoreBuilder) => StateStore = (builder) => builder.build(),
): TaskGraph {
  const sub = topology.subtopologies().find((s) => s.id === subtopologyId);
  if (sub === undefined) throw new TopologyError(`the topology has no sub-topology ${subtopologyId}`);
  const definitions = topology.nodes();
  const nodes = new Map<string, SourceNode | ProcessorNode | SinkNode>();
  const sourceByTopic = new Map<string, SourceNode>();
  const processors: ProcessorNode[] = [];
  const stores = new Map<string, StateStore>();
  for (const name of sub.storeNames) {
    const builder = topology.storeBuilder(name);
    if (builder === undefined) throw new TopologyError(`state store "${name}" is not added to the topology`);
    stores.set(name, storeFactory(builder));
  }

  for (const name of sub.nodeNames) {
    const def = definitions.get(name)!;
    if (def.kind === 'source') {
      const node = new SourceNode(
        name,
        serdeOf(name, 'key', def.options.keySerde, defaultKeySerde, objectsOnly),
        serdeOf(name, 'value', def.options.valueSerde, defaultValueSerde, objectsOnly),
        def.options.timestampExtractor,
        task,
      );
      for (const topic of def.topics) sourceByTopic.set(topology.decorateTopic(topic, task.applicationId), node);
      nodes.set(name, node);
    } else if (def.kind === 'processor') {
      const node = new ProcessorNode(def, task);
      processors.push(node);
      nodes.set(name, node);
    } else {
      const fixed = typeof def.topic === 'string' ? topology.decorateTopic(def.topic, task.applicationId) : undefined;
      const extractor = typeof def.topic === 'string' ? undefined : (def.topic as TopicNameExtractor<unknown, unknown>);
      nodes.set(
        name,
        new SinkNode(
          name,
          fixed,
          extractor,
          serdeOf(name, 'key', def.options.keySerde, defaultKeySerde, objectsOnly),
          serdeOf(name, 'value', def.options.valueSerde, defaultValueSerde, objectsOnly),
          def.options.partitioner,
          task,
        ),
      );
    }
  }

  for (const name of sub.nodeNames) {
    const def = definitions.get(name)!;
    if (def.kind === 'source') continue;
    const node = nodes.get(name)!;
    const child: RuntimeNode = node instanceof ProcessorNode ? node.processor : (node as SinkNode);
    for (const parentName of def.parents) {
      const parent = nodes.get(parentName) as SourceNode | ProcessorNode;
      if (!parent.childByName.has(name)) {
        parent.children.push(child);
        parent.childNames.push(name);
        parent.childByName.set(name, child);
      }
    }
  }
  return { sourceByTopic, processors, stores };
}
