import { SerializationError } from '../core/errors.js';
import type { Serde } from './serde.js';

/** JSON text in UTF-8. Undecodable bytes throw a SerializationError; so does a value JSON cannot represent. */
export function jsonSerde<T>(): Serde<T> {
  return {
    serialize(value, topic) {
      if (value === null || value === undefined) return null;
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (cause) {
        throw new SerializationError('json', `cannot serialize value: ${(cause as Error).message}`, { topic, cause });
      }
      if (text === undefined) throw new SerializationError('json', `cannot serialize a ${typeof value}`, { topic });
      return Buffer.from(text, 'utf8');
    },
    deserialize(data, topic) {
      if (data === null || data === undefined) return null;
      try {
        return JSON.parse(data.toString('utf8')) as T;
      } catch (cause) {
        const preview = data.subarray(0, 32).toString('hex');
        throw new SerializationError('json', `invalid JSON (${data.length} bytes, starting ${preview})`, { topic, cause });
      }
    },
  };
}
