import type { Headers } from '../core/record.js';
import type { Serde } from '../serdes/serde.js';
import { toHeaders } from './test-record.js';
import type { TopologyTestDriver } from './topology-test-driver.js';

/**
 * Timestamps of records piped without one: start at `startTimestampMs`, then add `autoAdvanceMs` after each.
 * @example
 * driver.createInputTopic('in', keySerde, valueSerde, { startTimestampMs: 0, autoAdvanceMs: 1000 });
 */
export interface TestInputTopicOptions {
  /** Timestamp of the first record piped without one; default: the driver's wall clock at creation. */
  readonly startTimestampMs?: number;
  /** Added to the next automatic timestamp after each record piped without one; default 0. */
  readonly autoAdvanceMs?: number;
}

/**
 * A record to pipe: key and timestamp optional.
 * @example
 * input.pipeRecordList([{ key: 'a', value: 'x', timestamp: 5, headers: { trace: 't1' } }, { value: 'y' }]);
 */
export interface TestInputRecord<K, V> {
  readonly key?: K | null;
  readonly value: V | null;
  readonly timestamp?: number;
  readonly headers?: Readonly<Record<string, Buffer | string>>;
}

/**
 * Pipes records into one input topic of a {@link TopologyTestDriver} (Kafka's `TestInputTopic`).
 * Each call processes the record(s) completely before returning.
 *
 * Records piped without a timestamp get the topic's current time, which then advances by
 * `autoAdvanceMs` (as Kafka's `createInputTopic(topic, k, v, startTimestamp, autoAdvance)`).
 *
 * @example
 * const input = driver.createInputTopic('words', Serdes.string(), Serdes.string(), { startTimestampMs: 0, autoAdvanceMs: 10 });
 * input.pipeInput('a', 'hello');          // timestamp 0
 * input.pipeInput('b', 'world');          // timestamp 10
 * input.pipeInput('c', 'explicit', 500);  // timestamp 500
 * input.pipeValueList(['x', 'y']);        // null keys, timestamps 20 and 30
 */
export class TestInputTopic<K, V> {
  #currentTime: number;
  readonly #advance: number;

  /** @internal Made by `TopologyTestDriver.createInputTopic`. */
  constructor(
    private readonly driver: TopologyTestDriver,
    readonly topic: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    options: TestInputTopicOptions,
    wallClockMs: number,
  ) {
    this.#currentTime = options.startTimestampMs ?? wallClockMs;
    this.#advance = options.autoAdvanceMs ?? 0;
    if (!(this.#advance >= 0)) throw new RangeError(`autoAdvanceMs must be >= 0, got ${this.#advance}`);
  }

  /** Pipes a value with a null key and an automatic timestamp. */
  pipeInput(value: V | null): void;
  /** Pipes a key and a value, with an explicit or automatic timestamp. */
  pipeInput(key: K | null, value: V | null, timestampMs?: number, headers?: Readonly<Record<string, Buffer | string>>): void;
  pipeInput(...args: unknown[]): void {
    if (args.length === 1) this.#pipe(null, args[0] as V | null, undefined, {});
    else this.#pipe(args[0] as K | null, args[1] as V | null, args[2] as number | undefined, toHeaders(args[3] as never));
  }

  /** Pipes key-value pairs in order, with automatic timestamps. */
  pipeKeyValueList(list: readonly { readonly key: K | null; readonly value: V | null }[]): void {
    for (const kv of list) this.#pipe(kv.key, kv.value, undefined, {});
  }

  /** Pipes values with null keys in order, with automatic timestamps. */
  pipeValueList(values: readonly (V | null)[]): void {
    for (const v of values) this.#pipe(null, v, undefined, {});
  }

  /** Pipes records in order; missing keys are null, missing timestamps automatic. */
  pipeRecordList(records: readonly TestInputRecord<K, V>[]): void {
    for (const r of records) this.#pipe(r.key ?? null, r.value, r.timestamp, toHeaders(r.headers));
  }

  /** Moves the automatic timestamp forward. */
  advanceTime(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advanceTime: ms must be >= 0, got ${ms}`);
    this.#currentTime += ms;
  }

  #pipe(key: K | null, value: V | null, timestampMs: number | undefined, headers: Headers): void {
    let timestamp = timestampMs;
    if (timestamp === undefined) {
      timestamp = this.#currentTime;
      this.#currentTime += this.#advance;
    }
    const keyBytes = this.keySerde.serialize(key, this.topic);
    const valueBytes = this.valueSerde.serialize(value, this.topic);
    this.driver.pipe(this.topic, keyBytes, valueBytes, timestamp, headers);
  }
}
