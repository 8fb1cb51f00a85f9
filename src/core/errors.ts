/**
 * One error hierarchy for the whole project.
 *
 * `TributaryError` carries a stable `code`, a `retriable` flag and a `cause`. Subclasses are grouped by
 * what the caller does next: fix the topology (`TopologyError`), drop tasks and rejoin
 * (`TaskMigratedError`), restore (`TaskCorruptedError`), or react to a broker condition (`BrokerError`
 * subclasses, one per Kafka error code, listed in `brokerErrorsByKafkaCode`). Bad arguments are
 * programmer errors and stay plain `TypeError` / `RangeError`.
 */

export interface TributaryErrorOptions {
  cause?: unknown;
}

/** Root of every error tributary throws on purpose. */
export class TributaryError extends Error {
  override name = 'TributaryError';
  /** Stable, machine-readable code (`TOPIC_NOT_FOUND`, `PRODUCER_FENCED`, ...). */
  readonly code: string;
  /** True when the same call may succeed if retried unchanged. */
  readonly retriable: boolean;

  constructor(code: string, message: string, options: TributaryErrorOptions & { retriable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

// ---------------------------------------------------------------------------------------------
// Streams-level errors

/** The topology is wrong: fix the code. */
export class TopologyError extends TributaryError {
  override name = 'TopologyError';
  constructor(message: string, options: TributaryErrorOptions = {}) {
    super('TOPOLOGY', message, options);
  }
}

/** This instance lost ownership of a task (fenced or rebalanced away): drop its tasks and rejoin. */
export class TaskMigratedError extends TributaryError {
  override name = 'TaskMigratedError';
  constructor(message: string, options: TributaryErrorOptions = {}) {
    super('TASK_MIGRATED', message, { ...options, retriable: true });
  }
}

/** A task's local state cannot be trusted: wipe it and restore from the changelog. */
export class TaskCorruptedError extends TributaryError {
  override name = 'TaskCorruptedError';
  constructor(message: string, options: TributaryErrorOptions = {}) {
    super('TASK_CORRUPTED', message, { ...options, retriable: true });
  }
}

/** A state store was used while closed, or before it was opened. */
export class StoreNotOpenError extends TributaryError {
  override name = 'StoreNotOpenError';
  constructor(readonly store: string, options: TributaryErrorOptions = {}) {
    super('STORE_NOT_OPEN', `state store "${store}" is not open`, options);
  }
}

/** Bytes could not be turned into a value (or a value into bytes) by a serde. */
export class SerializationError extends TributaryError {
  override name = 'SerializationError';
  constructor(readonly serde: string, message: string, options: TributaryErrorOptions & { topic?: string } = {}) {
    super('SERIALIZATION', `${serde} serde: ${message}${options.topic ? ` (topic "${options.topic}")` : ''}`, options);
    this.topic = options.topic;
  }
  readonly topic: string | undefined;
}

/** A handle (broker, producer, consumer, store) was used after `close()`. */
export class ClosedError extends TributaryError {
  override name = 'ClosedError';
  constructor(what: string) {
    super('CLOSED', `${what} is closed`);
  }
}

/**
 * A call that the object's current state does not allow (Kafka's IllegalStateException): `assign()`
 * after `subscribe()`, `seek()` on an unassigned partition, an illegal group-state transition.
 */
export class IllegalStateError extends TributaryError {
  override name = 'IllegalStateError';
  constructor(message: string, options: TributaryErrorOptions = {}) {
    super('ILLEGAL_STATE', message, options);
  }
}

/** Another process (or another Broker in this one) already holds the data directory. */
export class DataDirLockedError extends TributaryError {
  override name = 'DataDirLockedError';
  constructor(readonly dataDir: string, holder: string) {
    super('DATA_DIR_LOCKED', `data directory ${dataDir} is locked by ${holder}; close that broker first or use another dataDir`);
  }
}

// ---------------------------------------------------------------------------------------------
// Broker errors: one class per Kafka error code, so the wire protocol can translate both ways.

/** A condition the broker reports, with Kafka's numeric error code. */
export class BrokerError extends TributaryError {
  override name = 'BrokerError';
  constructor(
    code: string,
    readonly kafkaCode: number,
    message: string,
    options: TributaryErrorOptions & { retriable?: boolean } = {},
  ) {
    super(code, message, options);
  }
}

function brokerError(name: string, code: string, kafkaCode: number, retriable = false) {
  const cls = class extends BrokerError {
    override name = name;
    constructor(message: string, options: TributaryErrorOptions = {}) {
      super(code, kafkaCode, message, { ...options, retriable });
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}

export const OffsetOutOfRangeError = brokerError('OffsetOutOfRangeError', 'OFFSET_OUT_OF_RANGE', 1);
export const CorruptRecordError = brokerError('CorruptRecordError', 'CORRUPT_MESSAGE', 2);
export const TopicNotFoundError = brokerError('TopicNotFoundError', 'UNKNOWN_TOPIC_OR_PARTITION', 3);
export const PartitionNotFoundError = brokerError('PartitionNotFoundError', 'UNKNOWN_PARTITION', 3);
export const RecordTooLargeError = brokerError('RecordTooLargeError', 'MESSAGE_TOO_LARGE', 10);
export const InvalidTopicError = brokerError('InvalidTopicError', 'INVALID_TOPIC_EXCEPTION', 17);
export const IllegalGenerationError = brokerError('IllegalGenerationError', 'ILLEGAL_GENERATION', 22, true);
export const InconsistentGroupProtocolError = brokerError('InconsistentGroupProtocolError', 'INCONSISTENT_GROUP_PROTOCOL', 23);
export const UnknownMemberIdError = brokerError('UnknownMemberIdError', 'UNKNOWN_MEMBER_ID', 25, true);
export const RebalanceInProgressError = brokerError('RebalanceInProgressError', 'REBALANCE_IN_PROGRESS', 27, true);
export const TopicExistsError = brokerError('TopicExistsError', 'TOPIC_ALREADY_EXISTS', 36);
export const InvalidPartitionsError = brokerError('InvalidPartitionsError', 'INVALID_PARTITIONS', 37);
export const InvalidConfigError = brokerError('InvalidConfigError', 'INVALID_CONFIG', 40);
export const OutOfOrderSequenceError = brokerError('OutOfOrderSequenceError', 'OUT_OF_ORDER_SEQUENCE_NUMBER', 45);
export const DuplicateSequenceError = brokerError('DuplicateSequenceError', 'DUPLICATE_SEQUENCE_NUMBER', 46);
export const InvalidProducerEpochError = brokerError('InvalidProducerEpochError', 'INVALID_PRODUCER_EPOCH', 47);
export const InvalidTxnStateError = brokerError('InvalidTxnStateError', 'INVALID_TXN_STATE', 48);
export const InvalidProducerIdMappingError = brokerError('InvalidProducerIdMappingError', 'INVALID_PRODUCER_ID_MAPPING', 49);
export const ConcurrentTransactionsError = brokerError('ConcurrentTransactionsError', 'CONCURRENT_TRANSACTIONS', 51, true);
export const NonEmptyGroupError = brokerError('NonEmptyGroupError', 'NON_EMPTY_GROUP', 68);
export const GroupIdNotFoundError = brokerError('GroupIdNotFoundError', 'GROUP_ID_NOT_FOUND', 69);
export const InvalidRecordError = brokerError('InvalidRecordError', 'INVALID_RECORD', 87);
export const ProducerFencedError = brokerError('ProducerFencedError', 'PRODUCER_FENCED', 90);

/** Client-side: the group rebalanced (or this member was evicted) before the commit landed. */
export const CommitFailedError = brokerError('CommitFailedError', 'COMMIT_FAILED', 22);
/** Client-side: `autoOffsetReset: 'none'` and no committed offset exists for a partition. */
export const NoOffsetForPartitionError = brokerError('NoOffsetForPartitionError', 'NO_OFFSET_FOR_PARTITION', 1);

export type BrokerErrorClass = ReturnType<typeof brokerError>;

/** Kafka's numeric error codes to the class that represents each (first class wins for shared codes). */
export const brokerErrorsByKafkaCode: ReadonlyMap<number, BrokerErrorClass> = new Map<number, BrokerErrorClass>(
  [
    OffsetOutOfRangeError, CorruptRecordError, TopicNotFoundError, RecordTooLargeError, InvalidTopicError,
    IllegalGenerationError, InconsistentGroupProtocolError, UnknownMemberIdError, RebalanceInProgressError,
    TopicExistsError, InvalidPartitionsError, InvalidConfigError, OutOfOrderSequenceError, DuplicateSequenceError,
    InvalidProducerEpochError, InvalidTxnStateError, InvalidProducerIdMappingError, ConcurrentTransactionsError,
    NonEmptyGroupError, GroupIdNotFoundError, InvalidRecordError, ProducerFencedError,
  ].map((cls) => [new cls('').kafkaCode, cls] as const).reverse(),
);

// ---------------------------------------------------------------------------------------------
// Processing errors

/**
 * User code (a processor, a predicate, a mapper, a sink's serde) threw while a task processed a record.
 * Carries where it happened — topic, partition, offset of the input record (`-1` / `null` during a
 * punctuation), the processor node's name and the task — and the original error as `cause`.
 * @example
 * try { driver.createInputTopic('in', k, v).pipeInput('a', 'b'); }
 * catch (e) { if (e instanceof StreamsProcessingError) console.error(e.processorName, e.offset, e.cause); }
 */
export class StreamsProcessingError extends TributaryError {
  override name = 'StreamsProcessingError';
  constructor(
    readonly processorName: string,
    readonly taskId: string,
    readonly topic: string | null,
    readonly partition: number,
    readonly offset: number,
    options: TributaryErrorOptions = {},
  ) {
    const where = topic === null ? 'during a punctuation' : `for record ${topic}-${partition}@${offset}`;
    const why = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super('STREAMS_PROCESSING', `processor "${processorName}" in task ${taskId} failed ${where}: ${why}`, options);
  }
}

/**
 * A consumed record's key or value could not be deserialized and the deserialization exception
 * handler chose to fail (the default, log-and-fail). Names the topic, partition and offset.
 * @example
 * catch (e) { if (e instanceof RecordDeserializationError) skipTo(e.topic, e.partition, e.offset + 1); }
 */
export class RecordDeserializationError extends SerializationError {
  override name = 'RecordDeserializationError';
  constructor(
    serde: string,
    topic: string,
    readonly partition: number,
    readonly offset: number,
    options: TributaryErrorOptions = {},
  ) {
    const why = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(serde, `cannot deserialize record ${topic}-${partition}@${offset}: ${why}`, { ...options, topic });
  }
}

// ---------------------------------------------------------------------------------------------
// State errors

/**
 * A task's state directory (or one of its stores) is already held, by another task of this process
 * or by another process: wait for the other owner to close it (as after a rebalance) and retry.
 */
export class StateDirLockedError extends TributaryError {
  override name = 'StateDirLockedError';
  constructor(readonly stateDir: string, holder: string, options: TributaryErrorOptions = {}) {
    super('STATE_DIR_LOCKED', `state directory ${stateDir} is locked by ${holder}; close that task first`, { ...options, retriable: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Runtime (KafkaStreams) errors

/**
 * A `KafkaStreams` config value is missing, malformed, or asks for something this build cannot do
 * yet (a real cluster through `bootstrapServers`, `exactly_once_v2` without the transactional broker).
 * @example
 * try { new KafkaStreams(topology, { applicationId: 'bad id!' }); } catch (e) { if (e instanceof StreamsConfigError) console.error(e.setting); }
 */
export class StreamsConfigError extends TributaryError {
  override name = 'StreamsConfigError';
  constructor(readonly setting: string, message: string, options: TributaryErrorOptions = {}) {
    super('STREAMS_CONFIG', `config "${setting}": ${message}`, options);
  }
}

/**
 * A store cannot be queried now (Kafka's InvalidStateStoreException): it does not exist, is not
 * local, the app is not running, or interactive queries are not available yet. Names the store.
 */
export class InvalidStateStoreError extends TributaryError {
  override name = 'InvalidStateStoreError';
  constructor(readonly store: string, message: string, options: TributaryErrorOptions & { retriable?: boolean } = {}) {
    super('INVALID_STATE_STORE', `state store "${store}": ${message}`, options);
  }
}
