import type { Serde } from '../serdes/serde.js';
import type { TestRecord } from './test-record.js';
import type { CapturedRecord, TopologyTestDriver } from './topology-test-driver.js';

/**
 * Reads what a topology wrote to one topic under a {@link TopologyTestDriver} (Kafka's
 * `TestOutputTopic`). Reading consumes: each record is returned once, in write order. Reading an
 * empty topic with `readRecord` / `readValue` / `readKeyValue` throws.
 *
 * @example
 * const out = driver.createOutputTopic('counts', Serdes.string(), Serdes.long());
 * out.readKeyValue();          // { key: 'a', value: 1 }
 * out.readRecordsToList();     // the rest, with timestamps and headers
 * out.isEmpty();               // true
 */
export class TestOutputTopic<K, V> {
  /** @internal Made by `TopologyTestDriver.createOutputTopic`. */
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {}

  /** The next record: key, value, timestamp, headers. */
  readRecord(): TestRecord<K, V> {
    const queue = this.driver.captured(this.topic);
    const next = queue.shift();
    if (next === undefined) throw new RangeError(`Empty topic: ${this.topic}`);
    return this.#decode(next);
  }

  /** The next record's value. */
  readValue(): V | null {
    return this.readRecord().value;
  }

  /** The next record's key and value. */
  readKeyValue(): { key: K | null; value: V | null } {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  /** Every remaining record. */
  readRecordsToList(): TestRecord<K, V>[] {
    const queue = this.driver.captured(this.topic);
    return queue.splice(0, queue.length).map((r) => this.#decode(r));
  }

  /** Every remaining value. */
  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** Every remaining key-value pair. */
  readKeyValuesToList(): { key: K | null; value: V | null }[] {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }));
  }

  /** The last value per key of the remaining records (later records replace earlier ones). Null keys throw. */
  readKeyValuesToMap(): Map<K, V | null> {
    const map = new Map<K, V | null>();
    for (const r of this.readRecordsToList()) {
      if (r.key === null) throw new TypeError(`readKeyValuesToMap: topic ${this.topic} has a record with a null key`);
      map.set(r.key, r.value);
    }
    return map;
  }

  /** True if no record is left to read. */
  isEmpty(): boolean {
    return this.driver.captured(this.topic).length === 0;
  }

  /** How many records are left to read. */
  getQueueSize(): number {
    return this.driver.captured(this.topic).length;
  }

  #decode(r: CapturedRecord): TestRecord<K, V> {
    return {
      key: this.keySerde.deserialize(r.key, this.topic),
      value: this.valueSerde.deserialize(r.value, this.topic),
      timestamp: r.timestamp,
      headers: r.headers,
    };
  }
}
