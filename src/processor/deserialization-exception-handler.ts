import type { ConsumedRecord, Headers } from '../core/record.js';

/**
 * Where a record that failed to deserialize came from.
 * @example
 * handle: (ctx) => (console.warn(`bad record at ${ctx.topic}-${ctx.partition}@${ctx.offset}`), { result: 'CONTINUE' })
 */
export interface DeserializationErrorContext {
  readonly taskId: string;
  readonly sourceNodeName: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * A record to write to a dead-letter topic: the original bytes plus error headers.
 * @example
 * const r: DeadLetterRecord = { topic: 'dlq', key: null, value: raw, timestamp: 0, headers: {} };
 */
export interface DeadLetterRecord {
  readonly topic: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * What to do with a record that failed to deserialize.
 * @example
 * const skip: DeserializationHandlerResponse = { result: 'CONTINUE' };
 */
export interface DeserializationHandlerResponse {
  /** `FAIL` stops the task with a `RecordDeserializationError`; `CONTINUE` skips the record (counted). */
  readonly result: 'FAIL' | 'CONTINUE';
  /** Records the task sends (through its record collector) before failing or skipping. */
  readonly deadLetterRecords?: readonly DeadLetterRecord[];
}

/**
 * Receives warnings; defaults to `console.warn`.
 * @example
 * const quiet: StreamsLogger = { warn: () => {} };
 */
export interface StreamsLogger {
  warn(message: string, error?: unknown): void;
}

/**
 * Decides the fate of a consumed record whose key or value the source's serde cannot read
 * (Kafka's `DeserializationExceptionHandler`). See {@link DeserializationExceptionHandlers}.
 * @example
 * const failOnPoison: DeserializationExceptionHandler = {
 *   handle: (ctx, _record, error) => ({ result: ctx.topic === 'payments' ? 'FAIL' : 'CONTINUE' }),
 * };
 */
export interface DeserializationExceptionHandler {
  handle(context: DeserializationErrorContext, record: ConsumedRecord, error: Error): DeserializationHandlerResponse;
}

/**
 * Header names of dead-letter records (those of Kafka's KIP-1034).
 * @example
 * const why = dlqRecord.headers[DEAD_LETTER_HEADERS.message]?.toString();
 */
export const DEAD_LETTER_HEADERS = {
  exception: '__streams.errors.exception',
  message: '__streams.errors.message',
  stacktrace: '__streams.errors.stacktrace',
  topic: '__streams.errors.topic',
  partition: '__streams.errors.partition',
  offset: '__streams.errors.offset',
} as const;

const consoleLogger: StreamsLogger = { warn: (message, error) => console.warn(message, error) };
const describe = (ctx: DeserializationErrorContext) =>
  `deserialization failed for record ${ctx.topic}-${ctx.partition}@${ctx.offset} in task ${ctx.taskId} (source "${ctx.sourceNodeName}")`;

/**
 * The built-in deserialization exception handlers.
 *
 * - `logAndFail()` (the default): log, then fail the task with a `RecordDeserializationError`.
 * - `logAndContinue()`: log, skip the record, count it in the task's `skippedRecords`.
 * - `deadLetterQueue(topic)`: send the ORIGINAL key/value bytes, timestamp and headers to `topic`
 *   with the error in `__streams.errors.*` headers, then skip the record (counted).
 *
 * @example
 * new TopologyTestDriver(topology, { deserializationExceptionHandler: DeserializationExceptionHandlers.deadLetterQueue('dlq') });
 */
export const DeserializationExceptionHandlers = {
  logAndFail(logger: StreamsLogger = consoleLogger): DeserializationExceptionHandler {
    return {
      handle(ctx, _record, error) {
        logger.warn(`${describe(ctx)}; failing the task`, error);
        return { result: 'FAIL' };
      },
    };
  },
  logAndContinue(logger: StreamsLogger = consoleLogger): DeserializationExceptionHandler {
    return {
      handle(ctx, _record, error) {
        logger.warn(`${describe(ctx)}; skipping it`, error);
        return { result: 'CONTINUE' };
      },
    };
  },
  deadLetterQueue(topic: string, logger?: StreamsLogger): DeserializationExceptionHandler {
    if (typeof topic !== 'string' || topic.length === 0) throw new TypeError('deadLetterQueue: topic must be a non-empty string');
    return {
      handle(ctx, record, error) {
        logger?.warn(`${describe(ctx)}; sending it to dead-letter topic "${topic}"`, error);
        const headers: Headers = {
          ...record.headers,
          [DEAD_LETTER_HEADERS.exception]: Buffer.from(error.name),
          [DEAD_LETTER_HEADERS.message]: Buffer.from(error.message),
          [DEAD_LETTER_HEADERS.stacktrace]: Buffer.from(error.stack ?? ''),
          [DEAD_LETTER_HEADERS.topic]: Buffer.from(ctx.topic),
          [DEAD_LETTER_HEADERS.partition]: Buffer.from(String(ctx.partition)),
          [DEAD_LETTER_HEADERS.offset]: Buffer.from(String(ctx.offset)),
        };
        return {
          result: 'CONTINUE',
          deadLetterRecords: [{ topic, key: record.key, value: record.value, timestamp: record.timestamp, headers }],
        };
      },
    };
  },
} as const;
