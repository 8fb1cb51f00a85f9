import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientFactory } from '../client/client-factory.js';
import { systemClock, type Clock } from '../core/clock.js';
import { StreamsConfigError } from '../core/errors.js';
import {
  DeserializationExceptionHandlers,
  type DeserializationExceptionHandler,
  type StreamsLogger,
} from '../processor/deserialization-exception-handler.js';
import type { Serde } from '../serdes/serde.js';
import type { ProcessingExceptionHandler } from './processing-exception-handler.js';

/**
 * Configuration of a {@link KafkaStreams} application; the names mirror Kafka Streams' settings
 * (`application.id` → `applicationId`, ...).
 * @example
 * const config: StreamsConfig = { applicationId: 'page-views', broker, commitIntervalMs: 1000 };
 */
export interface StreamsConfig {
  /** Names the consumer group and prefixes internal topics (`<applicationId>-<name>-repartition`). */
  readonly applicationId: string;
  /** Where the clients come from: the embedded `Broker` (or any `ClientFactory`). */
  readonly broker?: ClientFactory;
  /** A real Kafka cluster: not supported by this build yet (throws a `StreamsConfigError`). */
  readonly bootstrapServers?: string;
  /** Local state; without `broker`, a durable embedded broker is opened under `<stateDir>/broker`. Default `<tmpdir>/tributary`. */
  readonly stateDir?: string;
  /**
   * `at_least_once` (default) or `exactly_once_v2` (KIP-447): one transactional producer per
   * instance, offsets committed inside its transactions, `read_committed` consumers (see `EosProducer`).
   */
  readonly processingGuarantee?: 'at_least_once' | 'exactly_once_v2';
  /**
   * This instance's stable name. Under `exactly_once_v2` its transactional id is
   * `<applicationId>-<instanceId>`: restarting with the same `instanceId` fences the previous
   * incarnation and aborts its open transaction at once. Default: `clientId`, else a random id per
   * `KafkaStreams` object (a crashed instance's open transaction then blocks `read_committed` readers
   * until the 10 s transaction timeout).
   */
  readonly instanceId?: string;
  /** Kafka's `client.id`; the fallback for `instanceId`. */
  readonly clientId?: string;
  /** How often processed offsets are committed (default 100 ms under `exactly_once_v2`, 30 000 ms otherwise). */
  readonly commitIntervalMs?: number;
  /** Budget of the record caches of stateful stores (accepted; stores come with the next issue). */
  readonly cacheMaxBytes?: number;
  /**
   * Standby replicas per stateful task (default 0): other instances of the application keep a copy
   * of the task's persistent logged stores from their changelogs, so a task that moves there (its
   * instance failed or left) replays only the changelog tail. A standby never runs beside its active
   * task; with too few instances a task gets fewer. Stateless tasks have none; interactive queries
   * never read standbys. See `StandbyTasks` and `StreamsPartitionAssignor`.
   */
  readonly numStandbyReplicas?: number;
  readonly defaultKeySerde?: Serde<unknown>;
  readonly defaultValueSerde?: Serde<unknown>;
  /** `'logAndFail'` (default), `'logAndContinue'`, or a handler such as `DeserializationExceptionHandlers.deadLetterQueue(topic)`. */
  readonly deserializationExceptionHandler?: 'logAndFail' | 'logAndContinue' | DeserializationExceptionHandler;
  /** What to do when user code throws while processing a record; default: fail (the app goes to ERROR). */
  readonly processingExceptionHandler?: ProcessingExceptionHandler;
  /** Records one poll returns at most (default 1000). */
  readonly maxPollRecords?: number;
  /** Wall clock for commits and wall-clock punctuation (tests pass a `ManualClock`). */
  readonly clock?: Clock;
  /** Receives warnings (default `console.warn`). */
  readonly logger?: StreamsLogger;
}

/** A config with every default applied and every value checked. */
export interface ResolvedStreamsConfig {
  readonly applicationId: string;
  readonly processingGuarantee: 'at_least_once' | 'exactly_once_v2';
  /** Under `exactly_once_v2`: `<applicationId>-<instanceId>`; undefined otherwise. */
  readonly transactionalId: string | undefined;
  readonly broker: ClientFactory | undefined;
  readonly stateDir: string;
  readonly commitIntervalMs: number;
  readonly cacheMaxBytes: number;
  readonly numStandbyReplicas: number;
  readonly defaultKeySerde: Serde<unknown> | undefined;
  readonly defaultValueSerde: Serde<unknown> | undefined;
  readonly deserializationExceptionHandler: DeserializationExceptionHandler;
  readonly processingExceptionHandler: ProcessingExceptionHandler | undefined;
  readonly maxPollRecords: number;
  readonly clock: Clock;
  readonly logger: StreamsLogger;
}

const LEGAL_ID = /^[a-zA-Z0-9._-]+$/;
/** Kafka's topic-name limit minus room for `-<name>-repartition` suffixes is not fixed; keep ids modest. */
const MAX_ID_LENGTH = 200;
const consoleLogger: StreamsLogger = { warn: (message, error) => (error === undefined ? console.warn(message) : console.warn(message, error)) };

function nonNegativeInt(config: StreamsConfig, name: 'commitIntervalMs' | 'cacheMaxBytes' | 'numStandbyReplicas' | 'maxPollRecords', fallback: number, min = 0): number {
  const value = config[name];
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) throw new StreamsConfigError(name, `must be an integer >= ${min}, got ${String(value)}`);
  return value;
}

function isSerde(x: unknown): boolean {
  return typeof x === 'object' && x !== null && typeof (x as Serde<unknown>).serialize === 'function' && typeof (x as Serde<unknown>).deserialize === 'function';
}

/**
 * Checks a {@link StreamsConfig} and fills in Kafka Streams' defaults. Throws `StreamsConfigError`
 * naming the setting for anything wrong or not supported yet.
 * @example
 * const resolved = resolveStreamsConfig({ applicationId: 'app', broker });
 */
export function resolveStreamsConfig(config: StreamsConfig): ResolvedStreamsConfig {
  if (config === null || typeof config !== 'object') throw new TypeError('KafkaStreams: config must be an object');
  const id = config.applicationId;
  if (typeof id !== 'string' || id.length === 0) throw new StreamsConfigError('applicationId', 'is required (a non-empty string)');
  if (!LEGAL_ID.test(id) || id === '.' || id === '..' || id.length > MAX_ID_LENGTH) {
    throw new StreamsConfigError('applicationId', `"${id}" must be 1-${MAX_ID_LENGTH} characters of [a-zA-Z0-9._-] (it prefixes topic names)`);
  }
  if (config.bootstrapServers !== undefined) {
    throw new StreamsConfigError('bootstrapServers', 'running against a real Kafka cluster is not supported yet; pass { broker } (the embedded Broker)');
  }
  const guarantee = config.processingGuarantee ?? 'at_least_once';
  if (guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') throw new StreamsConfigError('processingGuarantee', `must be 'at_least_once' or 'exactly_once_v2', got ${String(guarantee)}`);
  const broker = config.broker;
  if (broker !== undefined && (typeof broker !== 'object' || broker === null || typeof broker.consumer !== 'function' || typeof broker.producer !== 'function' || typeof broker.admin !== 'function')) {
    throw new StreamsConfigError('broker', 'must be a Broker (or another ClientFactory with producer(), consumer() and admin())');
  }
  const stateDir = config.stateDir ?? join(tmpdir(), 'tributary');
  if (typeof stateDir !== 'string' || stateDir.length === 0) throw new StreamsConfigError('stateDir', 'must be a non-empty path');
  const numStandbyReplicas = nonNegativeInt(config, 'numStandbyReplicas', 0);
  for (const name of ['defaultKeySerde', 'defaultValueSerde'] as const) {
    if (config[name] !== undefined && !isSerde(config[name])) throw new StreamsConfigError(name, 'must be a Serde (serialize and deserialize)');
  }
  const logger = config.logger ?? consoleLogger;
  const setting = config.deserializationExceptionHandler;
  let handler: DeserializationExceptionHandler;
  if (setting === undefined || setting === 'logAndFail') handler = DeserializationExceptionHandlers.logAndFail(logger);
  else if (setting === 'logAndContinue') handler = DeserializationExceptionHandlers.logAndContinue(logger);
  else if (typeof setting === 'object' && setting !== null && typeof setting.handle === 'function') handler = setting;
  else throw new StreamsConfigError('deserializationExceptionHandler', `must be 'logAndFail', 'logAndContinue' or a handler, got ${String(setting)}`);
  const processing = config.processingExceptionHandler;
  if (processing !== undefined && (typeof processing !== 'object' || processing === null || typeof processing.handle !== 'function')) {
    throw new StreamsConfigError('processingExceptionHandler', 'must be an object with handle(context, error)');
  }
  const eos = guarantee === 'exactly_once_v2';
  return {
    applicationId: id,
    processingGuarantee: guarantee,
    transactionalId: eos ? `${id}-${instanceIdOf(config)}` : undefined,
    broker,
    stateDir,
    commitIntervalMs: nonNegativeInt(config, 'commitIntervalMs', eos ? 100 : 30_000),
    cacheMaxBytes: nonNegativeInt(config, 'cacheMaxBytes', 10 * 1024 * 1024),
    numStandbyReplicas,
    defaultKeySerde: config.defaultKeySerde,
    defaultValueSerde: config.defaultValueSerde,
    deserializationExceptionHandler: handler,
    processingExceptionHandler: processing,
    maxPollRecords: nonNegativeInt(config, 'maxPollRecords', 1000, 1),
    clock: config.clock ?? systemClock,
    logger,
  };
}

/** `instanceId`, else `clientId`, else a random id (see `StreamsConfig.instanceId`). */
function instanceIdOf(config: StreamsConfig): string {
  for (const name of ['instanceId', 'clientId'] as const) {
    const value = config[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !LEGAL_ID.test(value) || value.length > MAX_ID_LENGTH) {
      throw new StreamsConfigError(name, `must be 1-${MAX_ID_LENGTH} characters of [a-zA-Z0-9._-], got ${JSON.stringify(value)}`);
    }
    return value;
  }
  return randomUUID();
}
