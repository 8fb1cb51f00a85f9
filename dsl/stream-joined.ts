import type { Serde } from '../src/serdes/serde.js';
import { Named } from './named.js';

/**
 * Options of a stream–stream join (Kafka Streams' `StreamJoined`): the serdes of the key and of both
 * sides' values (for the two join window stores, their changelogs and any repartition topic), a name
 * for the join's processors (`<name>-this-windowed`, `<name>-this-join`, …, `<name>-merge`) and
 * repartition topics (`<name>-left-repartition` / `<name>-right-repartition`), and a base name for
 * the stores (`<storeName>-this-join-store`, `<storeName>-other-join-store`,
 * `<storeName>-left-shared-join-store`). Immutable: each `with…` returns a new `StreamJoined`.
 *
 * @example
 * clicks.join(views, (c, v) => ({ c, v }), JoinWindows.ofTimeDifferenceWithNoGrace(60_000),
 *   StreamJoined.with(Serdes.string(), clickSerde, viewSerde).withName('click-view').withStoreName('click-view-store'));
 */
export class StreamJoined<K, V1, V2> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V1> | undefined,
    readonly otherValueSerde: Serde<V2> | undefined,
    readonly name: string | undefined,
    readonly storeName: string | undefined,
    readonly loggingEnabled: boolean,
    /** @internal Kafka's internal `__emit.interval.ms.kstreams.outer.join.spurious.results.fix__` (default 1000). */
    readonly outerJoinEmitIntervalMs: number,
  ) {}

  /** StreamJoined with the given serdes (undefined ones fall back to the streams' own serdes). */
  static with<K, V1, V2>(keySerde?: Serde<K>, valueSerde?: Serde<V1>, otherValueSerde?: Serde<V2>): StreamJoined<K, V1, V2> {
    return new StreamJoined(keySerde, valueSerde, otherValueSerde, undefined, undefined, true, 1000);
  }

  /** StreamJoined with only a store base name. */
  static as<K, V1, V2>(storeName: string): StreamJoined<K, V1, V2> {
    return StreamJoined.with<K, V1, V2>().withStoreName(storeName);
  }

  /** The base name of the join's processors and repartition topics. */
  withName(name: string): StreamJoined<K, V1, V2> {
    return this.#copy({ name: Named.validate(name) });
  }

  /** The base name of the join's stores (and so of their changelog topics). */
  withStoreName(storeName: string): StreamJoined<K, V1, V2> {
    return this.#copy({ storeName: Named.validate(storeName) });
  }

  withKeySerde(keySerde: Serde<K>): StreamJoined<K, V1, V2> {
    return this.#copy({ keySerde });
  }

  withValueSerde(valueSerde: Serde<V1>): StreamJoined<K, V1, V2> {
    return this.#copy({ valueSerde });
  }

  withOtherValueSerde(otherValueSerde: Serde<V2>): StreamJoined<K, V1, V2> {
    return this.#copy({ otherValueSerde });
  }

  /** The join stores keep no changelog (they are not restored after a failure). */
  withLoggingDisabled(): StreamJoined<K, V1, V2> {
    return this.#copy({ loggingEnabled: false });
  }

  /**
   * @internal How often (wall-clock ms) a left/outer join looks for held records whose window
   * closed; Kafka's internal config, 1000 by default. Tests set 0 to emit on every record.
   */
  withOuterJoinEmitIntervalMs(ms: number): StreamJoined<K, V1, V2> {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`StreamJoined: emit interval must be whole ms >= 0, got ${ms}`);
    return this.#copy({ outerJoinEmitIntervalMs: ms });
  }

  #copy(o: Partial<Omit<StreamJoined<K, V1, V2>, 'with'>>): StreamJoined<K, V1, V2> {
    return new StreamJoined(
      o.keySerde ?? this.keySerde, o.valueSerde ?? this.valueSerde, o.otherValueSerde ?? this.otherValueSerde,
      o.name ?? this.name, o.storeName ?? this.storeName, o.loggingEnabled ?? this.loggingEnabled,
      o.outerJoinEmitIntervalMs ?? this.outerJoinEmitIntervalMs,
    );
  }
}
