/**
 * tributary — Kafka Streams for TypeScript. The library's public entry point: every public name is
 * listed here explicitly, grouped by what it is for, so each addition shows in a diff.
 */

// ---- Built-in broker and clients
export { Broker } from './broker/broker.js';
export type { BrokerOptions, InMemoryBrokerOptions } from './broker/broker.js';
export type {
  Admin,
  AssignmentStrategy,
  AutoOffsetReset,
  Consumer,
  ConsumerOptions,
  GroupDescription,
  GroupMetadata,
  IsolationLevel,
  OffsetResetSpec,
  PartitionDescription,
  Producer,
  ProducerOptions,
  RebalanceListener,
  TopicDescription,
  TopicSpec,
} from './core/client.js';
export type { ConsumedRecord, Headers, ProducedRecord, RecordMetadata, TopicPartition, TopicPartitionOffset } from './core/record.js';

// ---- Serdes
export { Serdes } from './serdes/serdes.js';
export type { Serde } from './serdes/serde.js';
export type { Window, Windowed } from './core/windowed.js';

// ---- Shared kernel
export type { Change } from './core/change.js';
export { ManualClock, systemClock } from './core/clock.js';
export type { Clock } from './core/clock.js';

// ---- Errors
export {
  BrokerError,
  ClosedError,
  CommitFailedError,
  ConcurrentTransactionsError,
  CorruptRecordError,
  DataDirLockedError,
  DuplicateSequenceError,
  GroupIdNotFoundError,
  IllegalGenerationError,
  InconsistentGroupProtocolError,
  InvalidConfigError,
  InvalidPartitionsError,
  InvalidProducerEpochError,
  InvalidProducerIdMappingError,
  InvalidRecordError,
  InvalidTopicError,
  InvalidTxnStateError,
  NoOffsetForPartitionError,
  NonEmptyGroupError,
  OffsetOutOfRangeError,
  OutOfOrderSequenceError,
  PartitionNotFoundError,
  ProducerFencedError,
  RebalanceInProgressError,
  RecordTooLargeError,
  SerializationError,
  StoreNotOpenError,
  TaskCorruptedError,
  TaskMigratedError,
  TopicExistsError,
  TopicNotFoundError,
  TopologyError,
  TributaryError,
  UnknownMemberIdError,
  brokerErrorsByKafkaCode,
} from './core/errors.js';
