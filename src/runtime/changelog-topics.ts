import type { Admin } from '../core/client.js';
import { TopicExistsError, TopologyError } from '../core/errors.js';
import type { Topology } from '../processor/topology.js';
import type { TopologyMetadata } from './topology-metadata.js';

/**
 * The name of a store's changelog topic: `<applicationId>-<store>-changelog`.
 * @example
 * changelogTopicName('app', 'counts'); // 'app-counts-changelog'
 */
export function changelogTopicName(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`;
}

/**
 * The key of a changelog partition in a task's checkpoint (`TaskStateDb.commit`): `<topic>-<partition>`.
 * @example
 * checkpointKey('app-counts-changelog', 2); // 'app-counts-changelog-2'
 */
export function checkpointKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** A logged store of the topology with its changelog topic. */
export interface ChangelogSpec {
  readonly store: string;
  readonly topic: string;
  /** The sub-topology whose tasks own (and write) the store. */
  readonly subtopologyId: number;
  /** Configs of the topic: the builder's (`cleanup.policy=compact`, window/session: `compact,delete` + `retention.ms`). */
  readonly config: Readonly<Record<string, string>>;
}

/**
 * Every store of the topology with logging enabled, with its changelog topic and owning sub-topology.
 * @example
 * changelogSpecs(topology, 'app'); // [{ store: 'counts', topic: 'app-counts-changelog', subtopologyId: 1, config: {...} }]
 */
export function changelogSpecs(topology: Topology, applicationId: string): ChangelogSpec[] {
  const out: ChangelogSpec[] = [];
  for (const sub of topology.subtopologies()) {
    for (const store of sub.storeNames) {
      const builder = topology.storeBuilder(store);
      if (builder === undefined || !builder.loggingEnabled) continue;
      out.push({ store, topic: changelogTopicName(applicationId, store), subtopologyId: sub.id, config: { ...builder.changelogConfig } });
    }
  }
  return out;
}

/**
 * Step 2b of `KafkaStreams.start()`: creates the changelog topic of every logged store, if missing.
 *
 * 1. its partition count is the partition count of the sub-topology's source topics (one changelog
 *    partition per task, as repartition topics are sized in `prepareTopics`), from `counts`;
 * 2. its configs are the store builder's `changelogConfig` — compacted for key-value stores,
 *    `compact,delete` with `retention.ms` for window and session stores;
 * 3. an existing changelog with another partition count is a `TopologyError` (a task would restore
 *    from, or log to, the wrong partition); another instance creating it first is fine.
 *
 * Returns the specs it ensured.
 * @example
 * const counts = await prepareTopics(admin, meta, logger);
 * await prepareChangelogTopics(admin, topology, meta, 'app', counts);
 */
export async function prepareChangelogTopics(
  admin: Admin,
  topology: Topology,
  meta: TopologyMetadata,
  applicationId: string,
  counts: ReadonlyMap<string, number>,
): Promise<ChangelogSpec[]> {
  const specs = changelogSpecs(topology, applicationId);
  if (specs.length === 0) return specs;
  const existing = new Set(await admin.listTopics());
  for (const spec of specs) {
    // Step 1
    const sources = meta.subtopology(spec.subtopologyId)?.sourceTopics ?? [];
    const known = sources.map((t) => counts.get(t)).filter((n): n is number => n !== undefined);
    if (known.length === 0) {
      throw new TopologyError(`store "${spec.store}": cannot size changelog topic "${spec.topic}", sub-topology ${spec.subtopologyId} has no source topic with a known partition count`);
    }
    const partitions = Math.max(...known);
    if (existing.has(spec.topic)) {
      // Step 3
      const n = (await admin.describeTopic(spec.topic)).partitions.length;
      if (n !== partitions) {
        throw new TopologyError(
          `changelog topic "${spec.topic}" of store "${spec.store}" exists with ${n} partitions, but the store's tasks need ${partitions}; delete it or reset the application`,
        );
      }
      continue;
    }
    // Step 2
    try {
      await admin.createTopics([{ topic: spec.topic, partitions, config: { ...spec.config } }]);
    } catch (e) {
      if (!(e instanceof TopicExistsError)) throw e; // another instance created it first
    }
  }
  return specs;
}
