import { RecordDeserializationError } from '../../core/errors.js';
import type { ConsumedRecord } from '../../core/record.js';
import type { DeserializationExceptionHandler } from '../deserialization-exception-handler.js';
import type { RecordCollector } from '../record-collector.js';

/**
 * Asks the handler what to do with a record whose key or value could not be deserialized: sends
 * its dead-letter records, then throws a `RecordDeserializationError` (FAIL) or returns (CONTINUE:
 * the caller skips and counts the record).
 * @example
 * handleDeserializationFailure(handler, collector, '0_0', 'src', consumed, error); // throws on FAIL
 */
export function handleDeserializationFailure(
  handler: DeserializationExceptionHandler,
  collector: RecordCollector,
  taskId: string,
  sourceNodeName: string,
  consumed: ConsumedRecord,
  thrown: unknown,
): void {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  const context = { taskId, sourceNodeName, topic: consumed.topic, partition: consumed.partition, offset: consumed.offset };
  const response = handler.handle(context, consumed, error);
  for (const r of response.deadLetterRecords ?? []) collector.send(r.topic, r.key, r.value, r.timestamp, r.headers);
  if (response.result === 'FAIL') {
    throw new RecordDeserializationError(`source "${sourceNodeName}"`, consumed.topic, consumed.partition, consumed.offset, {
      cause: error,
    });
  }
}
