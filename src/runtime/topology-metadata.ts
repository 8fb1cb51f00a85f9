import type { Topology } from '../processor/topology.js';

/** One sub-topology as the runtime sees it: run-time (decorated) topic names. */
export interface RuntimeSubtopology {
  readonly id: number;
  /** Topics its sources read, `<applicationId>-` prefixed where internal. */
  readonly sourceTopics: readonly string[];
  /** Fixed topics its sinks write, decorated likewise. */
  readonly sinkTopics: readonly string[];
  /** Every store its processors use. */
  readonly storeNames: readonly string[];
  /** Changelog topics of its logged stores: `<applicationId>-<store>-changelog`, with their configs. */
  readonly changelogs: readonly { readonly store: string; readonly topic: string; readonly config: Readonly<Record<string, string>> }[];
}

/** A global store and the topic it is read from (a user topic: its only changelog). */
export interface GlobalStoreSpec {
  /** The id of its sub-topology (which generates no tasks). */
  readonly id: number;
  readonly topic: string;
  readonly store: string;
}

/** A repartition topic the application creates and owns. */
export interface RepartitionTopicSpec {
  /** Run-time name: `<applicationId>-<name>-repartition`. */
  readonly name: string;
  /** From `Repartitioned.withNumberOfPartitions`; undefined = derived from the writing sub-topology. */
  readonly numberOfPartitions: number | undefined;
  readonly config: Readonly<Record<string, string>>;
}

/**
 * What the runtime needs to know about a topology for one application id: its sub-topologies with
 * decorated topic names, which sub-topology reads each topic, which source topics the user must
 * provide, and which repartition topics the application creates.
 * @example
 * const meta = TopologyMetadata.of(topology, 'page-views');
 * meta.subtopologyOf('page-views-KSTREAM-REPARTITION-0000000003-repartition'); // 1
 */
export class TopologyMetadata {
  readonly #subtopologyByTopic = new Map<string, number>();

  private constructor(
    readonly subtopologies: readonly RuntimeSubtopology[],
    /** Source topics the user provides (they must exist before `start()`). */
    readonly userSourceTopics: readonly string[],
    /** Internal topics read by some sub-topology (created by `start()` if missing). */
    readonly repartitionTopics: readonly RepartitionTopicSpec[],
    /** The global stores: each read from every partition of its topic by the global thread, on every instance. */
    readonly globalStores: readonly GlobalStoreSpec[] = [],
  ) {
    for (const sub of subtopologies) for (const t of sub.sourceTopics) this.#subtopologyByTopic.set(t, sub.id);
  }

  static of(topology: Topology, applicationId: string): TopologyMetadata {
    const decorate = (t: string) => topology.decorateTopic(t, applicationId);
    const internal = topology.internalTopics();
    // Global-store sub-topologies generate no tasks: the global thread reads their topics (see globalStores).
    const taskSubtopologies = topology.subtopologies().filter((s) => !s.global);
    const subtopologies = taskSubtopologies.map((s) => ({
      id: s.id,
      sourceTopics: s.sourceTopics.map(decorate),
      sinkTopics: s.sinkTopics.map(decorate),
      storeNames: [...s.storeNames],
      changelogs: s.storeNames.flatMap((store) => {
        const builder = topology.storeBuilder(store);
        if (builder === undefined || !builder.loggingEnabled) return [];
        return [{ store, topic: `${applicationId}-${store}-changelog`, config: { ...builder.changelogConfig } }];
      }),
    }));
    const userSources: string[] = [];
    const repartition: RepartitionTopicSpec[] = [];
    for (const s of taskSubtopologies) {
      for (const t of s.sourceTopics) {
        const options = internal.get(t);
        if (options === undefined) userSources.push(t);
        else repartition.push({ name: decorate(t), numberOfPartitions: options.numberOfPartitions, config: { ...(options.config ?? {}) } });
      }
    }
    const globalStores = topology
      .subtopologies()
      .filter((s) => s.global)
      .map((s) => ({ id: s.id, topic: s.sourceTopics[0]!, store: s.storeNames[0]! }));
    return new TopologyMetadata(subtopologies, userSources, repartition, globalStores);
  }

  /** Every topic some sub-topology reads (what the consumer subscribes to). */
  get allSourceTopics(): string[] {
    return [...this.#subtopologyByTopic.keys()];
  }

  /** The sub-topology that reads `topic`, or undefined. */
  subtopologyOf(topic: string): number | undefined {
    return this.#subtopologyByTopic.get(topic);
  }

  /** Names of every store of the topology, global stores included. */
  get storeNames(): string[] {
    return [...this.subtopologies.flatMap((s) => s.storeNames), ...this.globalStores.map((g) => g.store)];
  }

  subtopology(id: number): RuntimeSubtopology | undefined {
    return this.subtopologies.find((s) => s.id === id);
  }
}
