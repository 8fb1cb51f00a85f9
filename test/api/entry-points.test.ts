/**
 * The public surface, pinned: every name each entry point exports. An addition or a removal must show
 * up here in the diff (STYLE.md), and the names API.md promises must never disappear.
 */
import { describe, expect, it } from 'vitest';
import * as main from '../../src/index.js';
import * as testing from '../../src/testing/index.js';

const mainNames = [
  'Branched', 'BranchedKStream', 'Broker', 'BrokerError', 'ClosedError', 'CommitFailedError', 'ConcurrentTransactionsError',
  'Consumed', 'CorruptRecordError', 'DEAD_LETTER_HEADERS', 'DataDirLockedError', 'DeserializationExceptionHandlers',
  'DuplicateSequenceError', 'GroupIdNotFoundError', 'Grouped', 'IllegalGenerationError', 'IllegalStateError',
  'InconsistentGroupProtocolError', 'InvalidConfigError', 'InvalidPartitionsError', 'InvalidProducerEpochError',
  'InvalidProducerIdMappingError', 'InvalidRecordError', 'InvalidStateStoreError', 'InvalidTopicError', 'InvalidTxnStateError',
  'KafkaStreams', 'ProcessingExceptionHandlers', 'QueryableStoreTypes', 'Joined', 'StreamJoined', 'TableJoined', 'TimeWindowedKStream', 'SessionWindowedKStream', 'TimeWindows',
  'SlidingWindows', 'SessionWindows', 'JoinWindows', 'DEFAULT_EMIT_INTERVAL_MS', 'EmitStrategy', 'BufferConfig', 'Suppressed',
  'CogroupedKStream', 'GlobalKTable', 'KGroupedStream', 'KGroupedTable', 'KTable', 'ValueAndTimestampSerde',
  'KStream', 'KeyValue', 'KeyValueStoreBuilder', 'Materialized', 'SessionStoreBuilder', 'Stores', 'WindowStoreBuilder', 'ManualClock', 'Named', 'NoOffsetForPartitionError', 'NonEmptyGroupError', 'OffsetOutOfRangeError',
  'OutOfOrderSequenceError', 'PartitionNotFoundError', 'Produced', 'ProducerFencedError', 'RebalanceInProgressError', 'Record',
  'RecordDeserializationError', 'RecordTooLargeError', 'Repartitioned', 'Serdes', 'SerializationError', 'StateDirLockedError',
  'StoreNotOpenError', 'StreamsBuilder', 'StreamsConfigError', 'StreamsProcessingError', 'TaskCorruptedError', 'TaskMigratedError',
  'TopicExistsError', 'TopicNotFoundError', 'Topology', 'TopologyDescription', 'TopologyError', 'TributaryError',
  'UnknownMemberIdError', 'brokerErrorsByKafkaCode', 'systemClock',
];

const testingNames = [
  'DEFAULT_DRIVER_APPLICATION_ID', 'TestInputTopic', 'TestOutputTopic', 'TopologyTestDriver', 'keyedRecords', 'maxLatenessMs',
  'runTopology',
];

/** Names API.md promises (the ones implemented so far; the list only grows). */
const promisedByApiMd = ['Broker', 'Serdes', 'StreamsBuilder', 'Topology', 'Consumed', 'Produced', 'Grouped', 'KeyValue', 'Materialized', 'KafkaStreams', 'QueryableStoreTypes', 'Joined', 'StreamJoined', 'TimeWindows', 'SlidingWindows',
  'SessionWindows', 'JoinWindows', 'Suppressed', 'BufferConfig', 'EmitStrategy', 'GlobalKTable'];

describe('api > entry points', () => {
  it("'tributary' exports exactly the listed names", () => {
    expect(Object.keys(main).sort()).toEqual([...mainNames].sort());
  });

  it("'tributary/testing' exports exactly the listed names", () => {
    expect(Object.keys(testing).sort()).toEqual([...testingNames].sort());
  });

  it('keeps every name API.md promises', () => {
    for (const name of promisedByApiMd) expect(Object.keys(main)).toContain(name);
    expect(Object.keys(testing)).toContain('TopologyTestDriver');
  });

  it('exposes Serdes with the methods API.md lists', () => {
    for (const m of ['string', 'json', 'int32', 'int64', 'long', 'double', 'bytes', 'windowed', 'sessionWindowed']) {
      expect(typeof (main.Serdes as Record<string, unknown>)[m]).toBe('function');
    }
  });
});
