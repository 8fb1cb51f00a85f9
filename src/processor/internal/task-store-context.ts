import type { StoreContext } from '../../../state/store-context.js';
import type { TaskStateDb } from '../../../state/task-state-db.js';
import type { ThreadCache } from '../../../state/thread-cache.js';
import { EMPTY_HEADERS } from '../../core/record.js';
import type { Serde } from '../../serdes/serde.js';
import type { RecordCollector } from '../record-collector.js';

/**
 * The name of a store's changelog topic: `<applicationId>-<store>-changelog`.
 * @example
 * changelogTopic('app', 'counts'); // 'app-counts-changelog'
 */
export function changelogTopic(applicationId: string, store: string): string {
  return `${applicationId}-${store}-changelog`;
}

/**
 * The {@link StoreContext} a task gives its stores:
 * - `timestamp()` is the timestamp of the record being processed, or the time a punctuator fires
 *   at (read through `now`, so it is always current);
 * - `logChange` sends the raw change to `<applicationId>-<store>-changelog` through the task's
 *   record collector, on the task's own partition (a changelog has one partition per task);
 * - `stateDb` and `cache` are passed through when the runtime has them, and so are the default serdes.
 * @example
 * const ctx = new TaskStoreContext({ applicationId: 'app', taskId: '0_1', partition: 1, stateDir: undefined }, collector, () => ts);
 */
export class TaskStoreContext implements StoreContext {
  readonly applicationId: string;
  readonly taskId: string;
  readonly partition: number;
  readonly stateDir: string | undefined;
  readonly stateDb: TaskStateDb | undefined;
  readonly cache: ThreadCache | undefined;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly #collector: RecordCollector;
  readonly #now: () => number;
  readonly #topics = new Map<string, string>();
  readonly #partitioner: () => number;

  constructor(
    identity: { applicationId: string; taskId: string; partition: number; stateDir: string | undefined },
    collector: RecordCollector,
    now: () => number,
    extras: {
      stateDb?: TaskStateDb | undefined;
      cache?: ThreadCache | undefined;
      defaultKeySerde?: Serde<unknown> | undefined;
      defaultValueSerde?: Serde<unknown> | undefined;
    } = {},
  ) {
    this.applicationId = identity.applicationId;
    this.taskId = identity.taskId;
    this.partition = identity.partition;
    this.stateDir = identity.stateDir;
    this.stateDb = extras.stateDb;
    this.cache = extras.cache;
    this.defaultKeySerde = extras.defaultKeySerde;
    this.defaultValueSerde = extras.defaultValueSerde;
    this.#collector = collector;
    this.#now = now;
    const partition = identity.partition;
    this.#partitioner = () => partition;
  }

  timestamp(): number {
    return this.#now();
  }

  logChange(store: string, key: Buffer, value: Buffer | null, timestamp: number): void {
    let topic = this.#topics.get(store);
    if (topic === undefined) {
      topic = changelogTopic(this.applicationId, store);
      this.#topics.set(store, topic);
    }
    const collector = this.#collector;
    // A changelog record per flushed update: straight to the task's partition when the collector can.
    if (collector.sendToPartition !== undefined) collector.sendToPartition(topic, this.partition, key, value, timestamp, EMPTY_HEADERS);
    else collector.send(topic, key, value, timestamp, EMPTY_HEADERS, this.#partitioner);
  }
}
