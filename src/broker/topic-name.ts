import { InvalidTopicError } from '../core/errors.js';

const LEGAL = /^[a-zA-Z0-9._-]+$/;
/** Kafka's limit: 249 characters (255 minus room for a partition suffix in directory names). */
export const MAX_TOPIC_NAME_LENGTH = 249;

/** Throws InvalidTopicError unless `name` satisfies Kafka's topic-name rules. */
export function validateTopicName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new InvalidTopicError(`topic name must be a string, got ${typeof name}`);
  if (name.length === 0) throw new InvalidTopicError('topic name is empty');
  if (name === '.' || name === '..') throw new InvalidTopicError(`topic name cannot be "${name}"`);
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    throw new InvalidTopicError(`topic name "${name.slice(0, 40)}…" is ${name.length} characters; the limit is ${MAX_TOPIC_NAME_LENGTH}`);
  }
  if (!LEGAL.test(name)) {
    throw new InvalidTopicError(`topic name "${name}" has characters outside [a-zA-Z0-9._-]`);
  }
}
