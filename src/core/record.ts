/** Record shapes shared by the broker, the clients and the streams runtime. */

/** Headers as a consumer sees them: name to bytes. */
export type Headers = Record<string, Buffer>;

/** A topic and a partition number. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A topic, a partition and an offset (a position, or a committed offset = next offset to read). */
export interface TopicPartitionOffset extends TopicPartition {
  offset: number;
}

/** What a producer sends. A string key or value is encoded as UTF-8. */
export interface ProducedRecord {
  topic: string;
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  timestamp?: number;
  headers?: Record<string, Buffer | string>;
}

/** What a consumer receives. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Headers;
}

/** Where a sent record landed. */
export type RecordMetadata = TopicPartitionOffset;

/** A shared, frozen empty headers object so records without headers allocate nothing. */
export const EMPTY_HEADERS: Headers = Object.freeze({}) as Headers;
