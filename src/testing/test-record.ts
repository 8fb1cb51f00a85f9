import type { Headers } from '../core/record.js';

/**
 * A record read from (or piped into) a test topic: key, value, timestamp (epoch ms), headers.
 * @example
 * const r: TestRecord<string, number> = { key: 'a', value: 1, timestamp: 0, headers: {} };
 */
export interface TestRecord<K, V> {
  readonly key: K | null;
  readonly value: V | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/**
 * Turns string header values into bytes (test inputs may use either).
 * @example
 * toHeaders({ trace: 'abc' }); // { trace: <Buffer 61 62 63> }
 */
export function toHeaders(headers: Readonly<Record<string, Buffer | string>> | undefined): Headers {
  if (headers === undefined) return {};
  const out: Headers = {};
  for (const [k, v] of Object.entries(headers)) out[k] = typeof v === 'string' ? Buffer.from(v) : v;
  return out;
}
