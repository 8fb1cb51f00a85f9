import { TopologyError } from '../core/errors.js';
import type { StoreBuilder } from '../../state/store-builder.js';
import type { InternalTopicOptions, SinkOptions, SourceOptions, TopicNameExtractor } from './node-options.js';
import type { ProcessorSupplier } from './processor.js';
import { describeTopology } from './internal/describe-topology.js';
import type { NodeDefinition, ProcessorDefinition } from './internal/node-definitions.js';
import { computeSubtopologies, type SubtopologyInfo } from './internal/subtopologies.js';
import type { TopologyDescription } from './topology-description.js';

/**
 * A directed acyclic graph of source, processor and sink nodes plus the state stores they use —
 * what the DSL compiles to and what tasks run (Kafka Streams' `Topology`).
 *
 * Nodes are added parents first; every mistake (duplicate name, unknown parent, a sink as parent, a
 * topic read by two sources, an unknown store) throws a `TopologyError` at once. The graph splits
 * into sub-topologies at repartition topics: one task runs one sub-topology for one partition.
 *
 * @example
 * const topology = new Topology()
 *   .addSource('in', ['words'], { keySerde: Serdes.string(), valueSerde: Serdes.string() })
 *   .addProcessor('upper', () => new Uppercase(), 'in')
 *   .addSink('out', 'upper-words', { keySerde: Serdes.string(), valueSerde: Serdes.string() }, 'upper');
 * console.log(topology.describe().toString());
 */
export class Topology {
  readonly #nodes = new Map<string, NodeDefinition>();
  readonly #stores = new Map<string, StoreBuilder>();
  readonly #internalTopics = new Map<string, InternalTopicOptions>();
  readonly #topicToSource = new Map<string, string>();
  /** Source node names of global stores (their sub-topologies generate no tasks). */
  readonly #globalSources = new Set<string>();
  readonly #globalStores = new Set<string>();

  /** Adds a source node reading `topics` (one topic may be read by only one source). */
  addSource<K, V>(name: string, topics: string | readonly string[], options: SourceOptions<K, V> = {}): this {
    this.#checkNewName(name);
    const list = typeof topics === 'string' ? [topics] : [...topics];
    if (list.length === 0) throw new TopologyError(`source "${name}" must read at least one topic`);
    for (const topic of list) {
      const other = this.#topicToSource.get(topic);
      if (other !== undefined) {
        throw new TopologyError(`topic "${topic}" is already read by source "${other}"; source "${name}" cannot read it too`);
      }
    }
    for (const topic of list) this.#topicToSource.set(topic, name);
    this.#nodes.set(name, { kind: 'source', name, topics: list, options: options as SourceOptions<unknown, unknown> });
    return this;
  }

  /** Adds a processor node that receives what its parents forward. */
  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    ...parentNames: string[]
  ): this {
    this.#checkNewName(name);
    if (typeof supplier !== 'function') throw new TypeError(`processor "${name}": supplier must be a function returning a Processor`);
    this.#checkParents(name, parentNames);
    const definition: ProcessorDefinition = {
      kind: 'processor',
      name,
      supplier: supplier as unknown as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      parents: [...parentNames],
      stores: [],
    };
    this.#nodes.set(name, definition);
    return this;
  }

  /** Adds a sink node writing what its parents forward to a fixed topic or a per-record topic. */
  addSink<K, V>(
    name: string,
    topic: string | TopicNameExtractor<K, V>,
    options: SinkOptions<K, V> = {},
    ...parentNames: string[]
  ): this {
    this.#checkNewName(name);
    if (typeof topic === 'string' && topic.length === 0) throw new TopologyError(`sink "${name}" needs a topic`);
    this.#checkParents(name, parentNames);
    this.#nodes.set(name, {
      kind: 'sink',
      name,
      topic: topic as string | TopicNameExtractor<unknown, unknown>,
      options: options as SinkOptions<unknown, unknown>,
      parents: [...parentNames],
    });
    return this;
  }

  /** Adds a state store and connects it to the named processors (more can connect later). */
  addStateStore(storeBuilder: StoreBuilder, ...processorNames: string[]): this {
    if (this.#stores.has(storeBuilder.name)) throw new TopologyError(`state store "${storeBuilder.name}" is already added`);
    this.#stores.set(storeBuilder.name, storeBuilder);
    if (processorNames.length > 0) for (const p of processorNames) this.connectProcessorAndStateStores(p, storeBuilder.name);
    return this;
  }

  /** Lets a processor use stores added with {@link Topology.addStateStore}. */
  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    const node = this.#nodes.get(processorName);
    if (node === undefined || node.kind !== 'processor') {
      throw new TopologyError(`cannot connect stores [${storeNames.join(', ')}]: "${processorName}" is not a processor of this topology`);
    }
    for (const store of storeNames) {
      if (this.#globalStores.has(store)) {
        throw new TopologyError(
          `processor "${processorName}" cannot connect global store "${store}": every processor can read a global store by name without connecting it`,
        );
      }
      if (!this.#stores.has(store)) {
        throw new TopologyError(`processor "${processorName}" uses state store "${store}", which is not added to the topology`);
      }
      if (!node.stores.includes(store)) node.stores.push(store);
    }
    return this;
  }

  /**
   * Adds a global store (Kafka's `Topology#addGlobalStore`): a source reading every partition of
   * `topic` on every instance and a processor that keeps `storeBuilder`'s store up to date. The pair
   * forms its own sub-topology, which generates no tasks: the runtime bootstraps the store to the
   * topic's end before any task processes, then updates it in the background; every processor can
   * read the store (read-only) by name without connecting it. The topic is the store's changelog,
   * so the builder must have logging disabled.
   * @example
   * topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('rates'), Serdes.string(), Serdes.double()).withLoggingDisabled(),
   *   'rates-source', { keySerde: Serdes.string(), valueSerde: Serdes.double() }, 'rates', 'rates-updater', () => new RatesUpdater());
   */
  addGlobalStore<K, V>(
    storeBuilder: StoreBuilder,
    sourceName: string,
    sourceOptions: SourceOptions<K, V>,
    topic: string,
    processorName: string,
    supplier: ProcessorSupplier<K, V, void, void>,
  ): this {
    if (storeBuilder.loggingEnabled) {
      throw new TopologyError(`global store "${storeBuilder.name}" must have logging disabled: its source topic "${topic}" is its changelog`);
    }
    // Check everything first, so a mistake leaves the topology unchanged.
    this.#checkNewName(sourceName);
    this.#checkNewName(processorName);
    if (sourceName === processorName) throw new TopologyError(`global store "${storeBuilder.name}": source and processor need different names`);
    if (this.#stores.has(storeBuilder.name)) throw new TopologyError(`state store "${storeBuilder.name}" is already added`);
    if (typeof supplier !== 'function') throw new TypeError(`processor "${processorName}": supplier must be a function returning a Processor`);
    const reader = this.#topicToSource.get(topic);
    if (reader !== undefined) throw new TopologyError(`topic "${topic}" is already read by source "${reader}"; global store "${storeBuilder.name}" cannot read it too`);
    this.addSource(sourceName, [topic], sourceOptions);
    this.addProcessor(processorName, supplier, sourceName);
    this.addStateStore(storeBuilder, processorName);
    this.#globalSources.add(sourceName);
    this.#globalStores.add(storeBuilder.name);
    return this;
  }

  /** Marks a topic as internal (created and owned by the app, named `<applicationId>-<topic>` at run time). */
  addInternalTopic(topic: string, options: InternalTopicOptions = {}): this {
    this.#internalTopics.set(topic, options);
    return this;
  }

  /** The sub-topologies, nodes and stores, printable in Kafka's text format or as Mermaid. */
  describe(): TopologyDescription {
    return describeTopology(this.#nodes, this.subtopologies());
  }

  /** @internal True if `store` is a global store (added with {@link Topology.addGlobalStore}). */
  isGlobalStore(store: string): boolean {
    return this.#globalStores.has(store);
  }

  // -- read by the engine, the test driver and the runtime ------------------------------------

  /** @internal The nodes in insertion order. */
  nodes(): ReadonlyMap<string, NodeDefinition> {
    return this.#nodes;
  }

  /**
   * @internal The connected components, with Kafka's numbering — global-store sub-topologies
   * included (`global: true`; they generate no tasks).
   */
  subtopologies(): SubtopologyInfo[] {
    return computeSubtopologies(this.#nodes, this.#globalSources);
  }

  /** @internal The builder of a store, if added. */
  storeBuilder(name: string): StoreBuilder | undefined {
    return this.#stores.get(name);
  }

  /** @internal Internal topics and their options. */
  internalTopics(): ReadonlyMap<string, InternalTopicOptions> {
    return this.#internalTopics;
  }

  /** @internal The name a topic has at run time: internal topics get the `<applicationId>-` prefix. */
  decorateTopic(topic: string, applicationId: string): string {
    return this.#internalTopics.has(topic) ? `${applicationId}-${topic}` : topic;
  }

  #checkNewName(name: string): void {
    if (typeof name !== 'string' || name.length === 0) throw new TopologyError('a node needs a non-empty name');
    if (this.#nodes.has(name)) throw new TopologyError(`a node named "${name}" is already in the topology`);
  }

  #checkParents(name: string, parents: readonly string[]): void {
    if (parents.length === 0) throw new TopologyError(`node "${name}" needs at least one parent`);
    for (const p of parents) {
      const parent = this.#nodes.get(p);
      if (parent === undefined) throw new TopologyError(`parent "${p}" of node "${name}" is not in the topology; add parents first`);
      if (parent.kind === 'sink') throw new TopologyError(`sink "${p}" cannot be the parent of "${name}"`);
      if (p === name) throw new TopologyError(`node "${name}" cannot be its own parent`);
    }
  }
}
