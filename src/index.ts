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

// ---- Streams runtime
export { KafkaStreams } from './runtime/kafka-streams.js';
export type { StreamsUncaughtExceptionResponse } from './runtime/kafka-streams.js';
export type { KafkaStreamsState } from './runtime/kafka-streams-state.js';
export type { StreamsConfig } from './runtime/streams-config.js';
export { ProcessingExceptionHandlers } from './runtime/processing-exception-handler.js';
export type { ProcessingExceptionHandler, ProcessingHandlerResponse } from './runtime/processing-exception-handler.js';
export type { ThreadMetadata } from './runtime/thread-metadata.js';
export { QueryableStoreTypes } from './runtime/interactive-queries.js';
export type { QueryableStoreType } from './runtime/interactive-queries.js';
export type { TaskRestoreProgress } from './runtime/task-state-manager.js';

// ---- DSL
export { StreamsBuilder } from '../dsl/streams-builder.js';
export { KStream } from '../dsl/kstream.js';
export { KTable } from '../dsl/ktable.js';
export { GlobalKTable } from '../dsl/global-ktable.js';
export { KGroupedStream } from '../dsl/kgrouped-stream.js';
export { KGroupedTable } from '../dsl/kgrouped-table.js';
export { CogroupedKStream } from '../dsl/cogrouped-kstream.js';
export { BranchedKStream } from '../dsl/branched-kstream.js';
export { TimeWindowedKStream } from '../dsl/time-windowed-kstream.js';
export { SessionWindowedKStream } from '../dsl/session-windowed-kstream.js';
export type { Merger } from '../dsl/session-windowed-kstream.js';
export { TimeWindows } from '../dsl/windows/time-windows.js';
export { SlidingWindows } from '../dsl/windows/sliding-windows.js';
export { SessionWindows } from '../dsl/windows/session-windows.js';
export { JoinWindows } from '../dsl/windows/join-windows.js';
export { DEFAULT_EMIT_INTERVAL_MS, EmitStrategy } from '../dsl/emit-strategy.js';
export { BufferConfig, Suppressed } from '../dsl/suppressed.js';
export { Joined } from '../dsl/joined.js';
export { StreamJoined } from '../dsl/stream-joined.js';
export { TableJoined } from '../dsl/table-joined.js';
export { Branched } from '../dsl/branched.js';
export { Consumed } from '../dsl/consumed.js';
export { Produced } from '../dsl/produced.js';
export { Grouped } from '../dsl/grouped.js';
export { Named } from '../dsl/named.js';
export { Repartitioned } from '../dsl/repartitioned.js';
export { KeyValue } from '../dsl/key-value.js';
export type {
  Aggregator,
  ForeachAction,
  ForeignKeyExtractor,
  Initializer,
  KeyValueMapper,
  Predicate,
  Reducer,
  ValueJoiner,
  ValueMapper,
} from '../dsl/functions.js';
export type { BuildConfig } from '../dsl/streams-builder.js';

// ---- State stores
export { Materialized } from '../dsl/materialized.js';
export type { MaterializedSupplier } from '../dsl/materialized.js';
export { Stores } from '../state/stores.js';
export { KeyValueStoreBuilder } from '../state/key-value-store-builder.js';
export type { KeyValueBytesStoreSupplier } from '../state/key-value-store-builder.js';
export { WindowStoreBuilder } from '../state/window-store-builder.js';
export type { WindowBytesStoreSupplier } from '../state/window-store-builder.js';
export { SessionStoreBuilder } from '../state/session-store-builder.js';
export type { SessionBytesStoreSupplier } from '../state/session-store-builder.js';
export type { KeyValueStore } from '../state/key-value-store.js';
export type { ReadOnlyKeyValueStore } from '../state/read-only-key-value-store.js';
export type { WindowStore } from '../state/window-store.js';
export type { ReadOnlyWindowStore, WindowEntry } from '../state/read-only-window-store.js';
export type { SessionStore } from '../state/session-store.js';
export type { ReadOnlySessionStore } from '../state/read-only-session-store.js';
export type { KeyValueEntry } from '../state/key-value-entry.js';
export type { FlushListener } from '../state/metered-key-value-store.js';
export type { WindowFlushListener } from '../state/metered-window-store.js';
export type { SessionFlushListener } from '../state/metered-session-store.js';

// ---- Processor API
export { Topology } from './processor/topology.js';
export { TopologyDescription } from './processor/topology-description.js';
export type { NodeDescription, SubtopologyDescription } from './processor/topology-description.js';
export { Record } from './processor/record.js';
export { ValueAndTimestampSerde } from './processor/value-and-timestamp.js';
export type { ValueAndTimestamp } from './processor/value-and-timestamp.js';
export type { Processor, ProcessorSupplier } from './processor/processor.js';
export type { Cancellable, ProcessingRecordMetadata, ProcessorContext, PunctuationType, Punctuator } from './processor/processor-context.js';
export type {
  InternalTopicOptions,
  RecordContext,
  SinkOptions,
  SourceOptions,
  StreamPartitioner,
  TimestampExtractor,
  TopicNameExtractor,
} from './processor/node-options.js';
export type { StateStore, StateStoreContext } from '../state/state-store.js';
export type { StoreBuilder } from '../state/store-builder.js';
export { DEAD_LETTER_HEADERS, DeserializationExceptionHandlers } from './processor/deserialization-exception-handler.js';
export type {
  DeadLetterRecord,
  DeserializationErrorContext,
  DeserializationExceptionHandler,
  DeserializationHandlerResponse,
  StreamsLogger,
} from './processor/deserialization-exception-handler.js';

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
  IllegalStateError,
  NoOffsetForPartitionError,
  NonEmptyGroupError,
  OffsetOutOfRangeError,
  OutOfOrderSequenceError,
  PartitionNotFoundError,
  ProducerFencedError,
  RebalanceInProgressError,
  RecordDeserializationError,
  RecordTooLargeError,
  SerializationError,
  StateDirLockedError,
  StreamsConfigError,
  InvalidStateStoreError,
  StoreNotOpenError,
  StreamsProcessingError,
  TaskCorruptedError,
  TaskMigratedError,
  TopicExistsError,
  TopicNotFoundError,
  TopologyError,
  TributaryError,
  UnknownMemberIdError,
  brokerErrorsByKafkaCode,
} from './core/errors.js';
