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
  readonly #topics: ReadonlySet<string>;
  readonly #next = new Map<string, number>();

  constructor(topics: Iterable<string>) {
    this.#topics = new Set(topics);
  }

  /** The offset after the last acknowledged record of a changelog partition, if this instance wrote one. */
  get(topic: string, partition: number): number | undefined {
    return this.#next.get(checkpointKey(topic, partition));
  }

  /** Forgets a partition (its task moved away; a later owner's writes are not ours). */
  forget(topic: string, partition: number): void {
    this.#next.delete(checkpointKey(topic, partition));
  }

  /** A producer that records the acknowledged offsets of changelog records. */
  wrap(producer: Producer): Producer {
    if (this.#topics.size === 0) return producer;
    const record = (results: RecordMetadata[]) => {
      for (let i = 0; i < results.length; i++) {
        const r = results[i]!;
        if (!this.#topics.has(r.topic)) continue;
        const key = checkpointKey(r.topic, r.partition);
        const next = r.offset + 1;
        if (next > (this.#next.get(key) ?? -1)) this.#next.set(key, next);
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
