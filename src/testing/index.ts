/**
 * `tributary/testing`: run topologies synchronously without a broker, and property-test them.
 */

// Driver
export { TopologyTestDriver } from './topology-test-driver.js';
export { TestInputTopic } from './test-input-topic.js';
export type { TestInputTopicOptions, TestInputRecord } from './test-input-topic.js';
export { TestOutputTopic } from './test-output-topic.js';
export type { TestRecord } from './test-record.js';
export { DEFAULT_DRIVER_APPLICATION_ID } from './driver-config.js';

// Property testing
export { keyedRecords, maxLatenessMs } from './arbitraries.js';
export type { FastCheckModule, KeyedRecordsOptions, TimedRecord } from './arbitraries.js';
export { runTopology } from './run-topology.js';
export type { RunTopologyInput, RunTopologyOptions, RunTopologySerdes } from './run-topology.js';
