import { TopologyError } from '../core/errors.js';
import {
  DeserializationExceptionHandlers,
  type DeserializationExceptionHandler,
  type StreamsLogger,
} from '../processor/deserialization-exception-handler.js';
import type { Serde } from '../serdes/serde.js';

/**
 * The driver's config, resolved from a loose `Record<string, unknown>`.
 * @example
 * const { applicationId, handler } = readDriverConfig({ 'application.id': 'app' });
 */
export interface DriverConfig {
  readonly applicationId: string;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly handler: DeserializationExceptionHandler;
}

/**
 * Kafka's TopologyTestDriver uses this id when the config has none.
 * @example
 * new TopologyTestDriver(topology).applicationId === DEFAULT_DRIVER_APPLICATION_ID; // true
 */
export const DEFAULT_DRIVER_APPLICATION_ID = 'dummy-topology-test-driver-app-id';

const pick = (config: Record<string, unknown>, ...names: string[]) => {
  for (const n of names) if (config[n] !== undefined) return config[n];
  return undefined;
};

function isSerde(x: unknown): x is Serde<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as Serde<unknown>).serialize === 'function';
}

/**
 * Reads the driver config: camelCase names as in `KafkaStreams`' config, or Kafka's dotted names.
 * Throws a `TopologyError` for a value of the wrong kind.
 * @example
 * readDriverConfig({ 'application.id': 'app', deserializationExceptionHandler: 'logAndContinue' });
 */
export function readDriverConfig(config: Record<string, unknown>): DriverConfig {
  const applicationId = pick(config, 'applicationId', 'application.id') ?? DEFAULT_DRIVER_APPLICATION_ID;
  if (typeof applicationId !== 'string' || applicationId.length === 0) throw new TopologyError('applicationId must be a non-empty string');
  const keySerde = pick(config, 'defaultKeySerde', 'default.key.serde');
  const valueSerde = pick(config, 'defaultValueSerde', 'default.value.serde');
  if (keySerde !== undefined && !isSerde(keySerde)) throw new TopologyError('defaultKeySerde must be a Serde');
  if (valueSerde !== undefined && !isSerde(valueSerde)) throw new TopologyError('defaultValueSerde must be a Serde');
  const logger = config.logger as StreamsLogger | undefined;
  const dlq = pick(config, 'deadLetterQueueTopic', 'errors.dead.letter.queue.topic.name');
  const setting = pick(config, 'deserializationExceptionHandler', 'default.deserialization.exception.handler');
  let handler: DeserializationExceptionHandler;
  if (setting === undefined && typeof dlq === 'string') handler = DeserializationExceptionHandlers.deadLetterQueue(dlq, logger);
  else if (setting === undefined || setting === 'logAndFail') handler = DeserializationExceptionHandlers.logAndFail(logger);
  else if (setting === 'logAndContinue') handler = DeserializationExceptionHandlers.logAndContinue(logger);
  else if (typeof setting === 'object' && setting !== null && typeof (setting as DeserializationExceptionHandler).handle === 'function') {
    handler = setting as DeserializationExceptionHandler;
  } else {
    throw new TopologyError(`deserializationExceptionHandler must be 'logAndFail', 'logAndContinue' or a handler, got ${String(setting)}`);
  }
  return { applicationId, defaultKeySerde: keySerde, defaultValueSerde: valueSerde, handler };
}
