import type { Producer } from '../core/client.js';
import type { ProducedRecord, RecordMetadata } from '../core/record.js';

/**
 * The key of a changelog partition in a task's checkpoint (`TaskStateDb.commit`): `<topic>-<partition>`.
 * @example
 * checkpointKey('app-counts-changelog', 2); // 'app-counts-changelog-2'
 */
export function checkpointKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * Remembers, per changelog partition, the offset after the last record the broker acknowledged —
 * the changelog end offset a task's checkpoint records at commit (Kafka's `RecordCollector.offsets()`).
 *
 * `wrap(producer)` returns a producer that delegates everything and, when a `send` resolves, records
 * the offsets of the records of the tracked (changelog) topics. Only acknowledged sends count, so a
 * checkpoint never claims a changelog record that is not durable.
 * @example
 * const offsets = new ChangelogOffsets(['app-counts-changelog']);
 * const producer = offsets.wrap(broker.producer());
 * await producer.send([{ topic: 'app-counts-changelog', partition: 1, key: 'a', value: '1' }]);
 * offsets.get('app-counts-changelog', 1); // 1 (if the record landed at offset 0)
 */
export class ChangelogOffsets {
  /** Per tracked topic, the next offset per partition (-1: none acknowledged yet). */
  readonly #next = new Map<string, number[]>();

  constructor(topics: Iterable<string>) {
    for (const t of topics) this.#next.set(t, []);
  }

  /** The offset after the last acknowledged record of a changelog partition, if this instance wrote one. */
  get(topic: string, partition: number): number | undefined {
    const next = this.#next.get(topic)?.[partition];
    return next === undefined || next < 0 ? undefined : next;
  }

  /** Forgets a partition (its task moved away; a later owner's writes are not ours). */
  forget(topic: string, partition: number): void {
    const perPartition = this.#next.get(topic);
    if (perPartition !== undefined && partition < perPartition.length) perPartition[partition] = -1;
  }

  /** A producer that records the acknowledged offsets of changelog records. */
  wrap(producer: Producer): Producer {
    if (this.#next.size === 0) return producer;
    // Runs once per sent record (every sink and changelog record of an instance): no string keys,
    // one map lookup per run of records of the same topic.
    const record = (results: RecordMetadata[]) => {
      let lastTopic: string | undefined;
      let perPartition: number[] | undefined;
      for (let i = 0; i < results.length; i++) {
        const r = results[i]!;
        if (r.topic !== lastTopic) {
          lastTopic = r.topic;
          perPartition = this.#next.get(lastTopic);
        }
        if (perPartition === undefined) continue;
        const p = r.partition;
        while (perPartition.length <= p) perPartition.push(-1);
        if (r.offset + 1 > perPartition[p]!) perPartition[p] = r.offset + 1;
      }
      return results;
    };
    return {
      send: (records: ProducedRecord[]) => producer.send(records).then(record),
      initTransactions: () => producer.initTransactions(),
      beginTransaction: () => producer.beginTransaction(),
      sendOffsetsToTransaction: (offsets, groupId, groupMetadata) => producer.sendOffsetsToTransaction(offsets, groupId, groupMetadata),
      commitTransaction: () => producer.commitTransaction(),
      abortTransaction: () => producer.abortTransaction(),
      close: () => producer.close(),
    };
  }
}
