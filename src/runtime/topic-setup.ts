import type { Admin } from '../core/client.js';
import { TopicExistsError, TopologyError } from '../core/errors.js';
import type { StreamsLogger } from '../processor/deserialization-exception-handler.js';
import type { TopologyMetadata } from './topology-metadata.js';

/**
 * Configs of a new repartition topic (the topology's own configs win). Kafka Streams also sets
 * `retention.ms=-1` and purges consumed records after each commit; until the runtime purges
 * (admin deleteRecords), the broker's time retention bounds these topics instead.
 */
const REPARTITION_TOPIC_DEFAULTS: Readonly<Record<string, string>> = { 'cleanup.policy': 'delete' };

/** Configs of a new changelog topic (the store's own changelog configs win): compacted, as in Kafka. */
const CHANGELOG_TOPIC_DEFAULTS: Readonly<Record<string, string>> = { 'cleanup.policy': 'compact' };

/** Partition count of a topic, or undefined if it does not exist. */
async function partitionsOf(admin: Admin, topic: string): Promise<number | undefined> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) return undefined;
  return (await admin.describeTopic(topic)).partitions.length;
}

/**
 * Steps 1 and 2 of `KafkaStreams.start()`:
 *
 * 1. every user source topic must exist (else a `TopologyError` listing the missing ones), and the
 *    source topics of each sub-topology — read together by one task per partition number — must
 *    have the same partition count (else a `TopologyError` naming topics and counts);
 * 2. every repartition topic gets its partition count — `Repartitioned.withNumberOfPartitions` if
 *    set; else, when a sub-topology reads it beside user topics (a join or merge after a key change),
 *    their count, so the two sides are co-partitioned automatically (Kafka's co-partition enforcer);
 *    else the largest partition count among the source topics of the sub-topology that writes it,
 *    resolved upstream first, and raised to the largest count of any repartition topic read beside
 *    it — and is created if missing (an existing one with a different count is a `TopologyError`, as
 *    in Kafka); then step 1's co-partitioning check runs again with the repartition topics included
 *    (a user-fixed count that disagrees is a `TopologyError`); then the changelog topic of every logged store,
 *    `<applicationId>-<store>-changelog`, is created with one partition per task of its
 *    sub-topology (compacted).
 *
 * Returns the partition count of every source topic.
 * @example
 * const counts = await prepareTopics(broker.admin(), TopologyMetadata.of(topology, 'app'), console);
 */
export async function prepareTopics(admin: Admin, meta: TopologyMetadata, logger: StreamsLogger): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  // Step 1
  const missing: string[] = [];
  for (const topic of meta.userSourceTopics) {
    const n = await partitionsOf(admin, topic);
    if (n === undefined) missing.push(topic);
    else counts.set(topic, n);
  }
  if (missing.length > 0) {
    throw new TopologyError(`source topic(s) ${missing.map((t) => `"${t}"`).join(', ')} do not exist; create them before start()`);
  }
  checkCopartitioned(meta, counts);

  // Step 2: fixed counts, then counts forced by user topics read beside a repartition topic, then the
  // rest in dependency order (a writer reading another repartition topic goes after it).
  const wanted = new Map<string, number>();
  for (const spec of meta.repartitionTopics) if (spec.numberOfPartitions !== undefined) wanted.set(spec.name, spec.numberOfPartitions);
  for (const [topic, n] of copartitionedWithUserTopics(meta, counts)) if (!wanted.has(topic)) wanted.set(topic, n);
  for (let round = 0; round <= meta.repartitionTopics.length; round++) {
    for (const spec of meta.repartitionTopics) {
      if (wanted.has(spec.name)) continue;
      const writers = meta.subtopologies.filter((s) => s.sinkTopics.includes(spec.name));
      const inputs = writers.flatMap((w) => w.sourceTopics);
      const known = inputs.map((t) => counts.get(t) ?? wanted.get(t));
      if (writers.length > 0 && known.every((n) => n !== undefined)) wanted.set(spec.name, Math.max(...(known as number[])));
    }
  }
  alignRepartitionOnlyGroups(meta, wanted);
  for (const spec of meta.repartitionTopics) {
    let n = wanted.get(spec.name);
    if (n === undefined) {
      n = Math.max(1, ...counts.values());
      logger.warn(`repartition topic "${spec.name}" has no fixed-topic writer to size it by; using ${n} partitions`);
    }
    const existing = await partitionsOf(admin, spec.name);
    if (existing === undefined) {
      try {
        await admin.createTopics([{ topic: spec.name, partitions: n, config: { ...REPARTITION_TOPIC_DEFAULTS, ...spec.config } }]);
      } catch (e) {
        if (!(e instanceof TopicExistsError)) throw e; // another instance created it first
      }
      counts.set(spec.name, (await partitionsOf(admin, spec.name)) ?? n);
    } else {
      if (existing !== n) {
        throw new TopologyError(`repartition topic "${spec.name}" exists with ${existing} partitions, but the topology needs ${n}; delete it or reset the application`);
      }
      counts.set(spec.name, existing);
    }
  }
  checkCopartitioned(meta, counts);

  // Step 2b: changelog topics of logged stores, one partition per task of the store's sub-topology.
  for (const sub of meta.subtopologies) {
    const n = counts.get(sub.sourceTopics[0]!)!;
    for (const changelog of sub.changelogs) {
      const existing = await partitionsOf(admin, changelog.topic);
      if (existing === undefined) {
        try {
          await admin.createTopics([{ topic: changelog.topic, partitions: n, config: { ...CHANGELOG_TOPIC_DEFAULTS, ...changelog.config } }]);
        } catch (e) {
          if (!(e instanceof TopicExistsError)) throw e;
        }
      } else if (existing !== n) {
        throw new TopologyError(`changelog topic "${changelog.topic}" exists with ${existing} partitions, but store "${changelog.store}" has ${n} tasks; delete it or reset the application`);
      }
    }
  }
  return counts;
}

/** Throws unless the source topics of each sub-topology whose counts are known have equal counts. */
function checkCopartitioned(meta: TopologyMetadata, counts: ReadonlyMap<string, number>): void {
  for (const sub of meta.subtopologies) {
    const known = sub.sourceTopics.filter((t) => counts.has(t));
    if (new Set(known.map((t) => counts.get(t))).size > 1) {
      const detail = known.map((t) => `"${t}" has ${counts.get(t)}`).join(', ');
      throw new TopologyError(`sub-topology ${sub.id} reads co-partitioned topics with different partition counts (${detail}); they must be equal`);
    }
  }
}

/**
 * Repartition topics (without a user-fixed count) read by a sub-topology that also reads user topics:
 * they take the user topics' count, as Kafka sizes the repartition side of a join to the other side.
 */
function copartitionedWithUserTopics(meta: TopologyMetadata, counts: ReadonlyMap<string, number>): Map<string, number> {
  const user = new Set(meta.userSourceTopics);
  const unfixed = new Set(meta.repartitionTopics.filter((r) => r.numberOfPartitions === undefined).map((r) => r.name));
  const forced = new Map<string, number>();
  for (const sub of meta.subtopologies) {
    const external = sub.sourceTopics.filter((t) => user.has(t) && counts.has(t));
    if (external.length === 0) continue;
    const n = Math.max(...external.map((t) => counts.get(t)!)); // step 1 already made them equal
    for (const t of sub.sourceTopics) if (unfixed.has(t)) forced.set(t, n);
  }
  return forced;
}

/**
 * A sub-topology that reads only repartition topics (a join of two re-keyed streams) needs them equal:
 * the unfixed ones are raised to the largest count in the group, as Kafka does.
 */
function alignRepartitionOnlyGroups(meta: TopologyMetadata, wanted: Map<string, number>): void {
  const user = new Set(meta.userSourceTopics);
  const unfixed = new Set(meta.repartitionTopics.filter((r) => r.numberOfPartitions === undefined).map((r) => r.name));
  for (const sub of meta.subtopologies) {
    if (sub.sourceTopics.length < 2 || sub.sourceTopics.some((t) => user.has(t))) continue;
    const known = sub.sourceTopics.map((t) => wanted.get(t)).filter((n): n is number => n !== undefined);
    if (known.length === 0) continue;
    const fixedCounts = sub.sourceTopics.filter((t) => !unfixed.has(t)).map((t) => wanted.get(t)!);
    // A user-fixed count wins (a disagreement among fixed ones is reported by the co-partitioning check).
    const n = fixedCounts.length > 0 ? Math.max(...fixedCounts) : Math.max(...known);
    for (const t of sub.sourceTopics) if (unfixed.has(t)) wanted.set(t, n);
  }
}
