import type { StreamsProcessingError } from '../core/errors.js';

/** What to do after user code threw while processing a record. */
export type ProcessingHandlerResponse = 'FAIL' | 'CONTINUE';

/**
 * Decides the fate of a record whose processing threw (Kafka's `ProcessingExceptionHandler`, KIP-1033).
 * `FAIL` (the default without a handler) moves the application to ERROR with the error; `CONTINUE`
 * logs nothing by itself and moves on to the next record — whatever the record already forwarded
 * before the throw stays forwarded.
 * @example
 * const skipBadOrders: ProcessingExceptionHandler = {
 *   handle: (error) => (error.topic === 'orders' ? 'CONTINUE' : 'FAIL'),
 * };
 */
export interface ProcessingExceptionHandler {
  handle(error: StreamsProcessingError): ProcessingHandlerResponse;
}

/**
 * The built-in processing exception handlers.
 * @example
 * new KafkaStreams(topology, { applicationId: 'app', broker, processingExceptionHandler: ProcessingExceptionHandlers.logAndContinue() });
 */
export const ProcessingExceptionHandlers = {
  /** The default: fail, so the app goes to ERROR. */
  logAndFail(logger: { warn(message: string, error?: unknown): void } = console): ProcessingExceptionHandler {
    return {
      handle(error) {
        logger.warn(`${error.message}; failing`, error.cause);
        return 'FAIL';
      },
    };
  },
  /** Log and skip the rest of the failed record. */
  logAndContinue(logger: { warn(message: string, error?: unknown): void } = console): ProcessingExceptionHandler {
    return {
      handle(error) {
        logger.warn(`${error.message}; skipping the record`, error.cause);
        return 'CONTINUE';
      },
    };
  },
} as const;
