/**
 * Topic-level configuration: the keys the built-in broker knows, their validation and their defaults.
 *
 * A topic stores only the keys set explicitly (its *overrides*); the effective configuration is the
 * overrides over the broker's defaults, so changing a broker default changes every topic that did not
 * set the key, as in Kafka.
 */
import { InvalidConfigError } from '../core/errors.js';
import { BATCH_HEADER_SIZE } from './log/record-batch-codec.js';

/** Segment size bounds: one batch header must fit, and the durable log addresses at most 1 GiB per segment. */
export const MIN_SEGMENT_BYTES = BATCH_HEADER_SIZE;
/** Largest `segment.bytes` (1 GiB): also the broker default, as in Kafka. */
export const MAX_SEGMENT_BYTES = 1 << 30;

/** The topic config keys this broker accepts. Any other key is an InvalidConfigError. */
export const TOPIC_CONFIG_KEYS = [
  'cleanup.policy',
  'retention.ms',
  'retention.bytes',
  'segment.bytes',
  'max.message.bytes',
  'delete.retention.ms',
  'min.compaction.lag.ms',
  'message.timestamp.type',
] as const;

/** One of {@link TOPIC_CONFIG_KEYS}. */
export type TopicConfigKey = (typeof TOPIC_CONFIG_KEYS)[number];

/** Broker-wide values that act as topic defaults. */
export interface TopicConfigDefaults {
  maxMessageBytes: number;
  segmentBytes: number;
}

/** Kafka's defaults for the keys the broker does not take from its own options. */
const FIXED_DEFAULTS: Readonly<Record<Exclude<TopicConfigKey, 'max.message.bytes' | 'segment.bytes'>, string>> = {
  'cleanup.policy': 'delete',
  'retention.ms': '604800000',
  'retention.bytes': '-1',
  'delete.retention.ms': '86400000',
  'min.compaction.lag.ms': '0',
  'message.timestamp.type': 'CreateTime',
};

const CLEANUP_POLICIES = new Set(['delete', 'compact', 'compact,delete', 'delete,compact']);
const TIMESTAMP_TYPES = new Set(['CreateTime', 'LogAppendTime']);

/** Range of each numeric key (Kafka's lower bounds; -1 means "unlimited"). */
const INTEGER_RANGES: Readonly<Partial<Record<TopicConfigKey, [min: number, max: number]>>> = {
  'retention.ms': [-1, Number.MAX_SAFE_INTEGER],
  'retention.bytes': [-1, Number.MAX_SAFE_INTEGER],
  'segment.bytes': [MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES],
  'max.message.bytes': [0, Number.MAX_SAFE_INTEGER],
  'delete.retention.ms': [0, Number.MAX_SAFE_INTEGER],
  'min.compaction.lag.ms': [0, Number.MAX_SAFE_INTEGER],
};

/**
 * Checks a topic's requested configuration and returns a normalised copy of it.
 * Throws InvalidConfigError naming the topic, the key and the value on an unknown key or a bad value.
 */
export function validateTopicConfig(topic: string, config: unknown): Record<string, string> {
  if (config === undefined) return {};
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new InvalidConfigError(`topic "${topic}": config must be an object of string values`);
  }
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(config)) {
    if (!(TOPIC_CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new InvalidConfigError(
        `topic "${topic}": unknown config "${key}"; known keys are ${TOPIC_CONFIG_KEYS.join(', ')}`,
      );
    }
    if (typeof raw !== 'string') {
      throw new InvalidConfigError(`topic "${topic}": config "${key}" must be a string, got ${typeof raw}`);
    }
    out[key] = checkValue(topic, key as TopicConfigKey, raw.trim());
  }
  return out;
}

function checkValue(topic: string, key: TopicConfigKey, value: string): string {
  const bad = (expected: string) =>
    new InvalidConfigError(`topic "${topic}": config "${key}" = "${value}" is invalid; expected ${expected}`);
  if (key === 'cleanup.policy') {
    const normalised = value.replace(/\s+/g, '');
    if (!CLEANUP_POLICIES.has(normalised)) throw bad('delete, compact or compact,delete');
    return normalised;
  }
  if (key === 'message.timestamp.type') {
    if (!TIMESTAMP_TYPES.has(value)) throw bad('CreateTime or LogAppendTime');
    return value;
  }
  const [min, max] = INTEGER_RANGES[key]!;
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
  if (!/^-?\d+$/.test(value)) throw bad(expected);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw bad(expected);
  return String(n);
}

/** The full configuration of a topic: its overrides over the broker's defaults, every known key present. */
export function effectiveTopicConfig(
  overrides: Readonly<Record<string, string>>,
  defaults: TopicConfigDefaults,
): Record<string, string> {
  return {
    ...FIXED_DEFAULTS,
    'max.message.bytes': String(defaults.maxMessageBytes),
    'segment.bytes': String(defaults.segmentBytes),
    ...overrides,
  };
}
