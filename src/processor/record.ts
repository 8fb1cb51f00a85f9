import { EMPTY_HEADERS, type Headers } from '../core/record.js';

/**
 * A record as processors see it: a typed key and value, a timestamp (epoch ms) and headers.
 *
 * Immutable: `withKey` / `withValue` / `withTimestamp` / `withHeaders` return a new record and leave
 * this one untouched, so a processor may forward the record it received unchanged to several
 * children without copying it. (This is Kafka Streams' `org.apache.kafka.streams.processor.api.Record`;
 * inside tributary's own sources it is imported as `Record` only where the global `Record<K, V>`
 * utility type is not needed.)
 *
 * @example
 * const r = new Record('user-1', { clicks: 1 }, 1_700_000_000_000);
 * const doubled = r.withValue({ clicks: r.value.clicks * 2 }); // r is unchanged
 */
export class Record<K, V> {
  /** A record with the given key, value, timestamp and headers (no headers by default). */
  constructor(
    readonly key: K,
    readonly value: V,
    readonly timestamp: number,
    readonly headers: Headers = EMPTY_HEADERS,
  ) {}

  /** The same record with another key. */
  withKey<K2>(key: K2): Record<K2, V> {
    return new Record(key, this.value, this.timestamp, this.headers);
  }

  /** The same record with another value. */
  withValue<V2>(value: V2): Record<K, V2> {
    return new Record(this.key, value, this.timestamp, this.headers);
  }

  /** The same record with another timestamp. */
  withTimestamp(timestamp: number): Record<K, V> {
    return new Record(this.key, this.value, timestamp, this.headers);
  }

  /** The same record with other headers. */
  withHeaders(headers: Headers): Record<K, V> {
    return new Record(this.key, this.value, this.timestamp, headers);
  }
}
