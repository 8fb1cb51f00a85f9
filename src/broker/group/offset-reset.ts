import type { OffsetResetSpec } from '../../core/client.js';
import { NoOffsetForPartitionError } from '../../core/errors.js';
import type { BrokerCore } from '../broker-core.js';
import type { OffsetCommit } from './offset-store.js';

/**
 * The offsets `resetOffsets` writes, one per partition of `topic` (Kafka's `kafka-consumer-groups
 * --reset-offsets`):
 * - `earliest` → log-start offset; `latest` → high watermark;
 * - `offset` → that offset, clamped into [log start, high watermark];
 * - `shiftBy` → committed offset + n, clamped the same way (a partition with no committed offset is a
 *   NoOffsetForPartitionError: there is nothing to shift);
 * - `timestamp` → the first offset whose timestamp is >= it, or the high watermark when none is.
 *
 * @example
 * resetTargets(core, 'orders', { shiftBy: -10 }, (p) => store.get('billing', 'orders', p), 'billing');
 */
export function resetTargets(
  core: BrokerCore,
  topic: string,
  to: OffsetResetSpec,
  committed: (partition: number) => number | undefined,
  groupId: string,
): OffsetCommit[] {
  const n = core.partitionCount(topic);
  const out: OffsetCommit[] = [];
  for (let partition = 0; partition < n; partition++) {
    const log = core.getLog(topic, partition);
    const lo = log.logStartOffset;
    const hi = log.logEndOffset;
    const clamp = (x: number): number => Math.min(hi, Math.max(lo, x));
    let offset: number;
    if ('earliest' in to) offset = lo;
    else if ('latest' in to) offset = hi;
    else if ('offset' in to) offset = clamp(integer(to.offset, 'offset'));
    else if ('shiftBy' in to) {
      const current = committed(partition);
      if (current === undefined) {
        throw new NoOffsetForPartitionError(
          `cannot shift group "${groupId}" on ${topic}-${partition}: it has no committed offset there; reset to earliest, latest or an offset first`,
        );
      }
      offset = clamp(current + integer(to.shiftBy, 'shiftBy'));
    } else if ('timestamp' in to) offset = log.offsetForTimestamp(integer(to.timestamp, 'timestamp')) ?? hi;
    else throw new TypeError(`resetOffsets: unknown reset spec ${JSON.stringify(to)}`);
    out.push({ topic, partition, offset });
  }
  return out;
}

function integer(x: number, what: string): number {
  if (!Number.isSafeInteger(x)) throw new RangeError(`resetOffsets: ${what} must be an integer, got ${x}`);
  return x;
}
