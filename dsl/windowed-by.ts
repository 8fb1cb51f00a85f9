import type { KGroupedStream } from './kgrouped-stream.js';
import { SessionWindowedKStream } from './session-windowed-kstream.js';
import { TimeWindowedKStream } from './time-windowed-kstream.js';
import { SessionWindows } from './windows/session-windows.js';
import { SlidingWindows } from './windows/sliding-windows.js';
import { TimeWindows } from './windows/time-windows.js';

/**
 * `KGroupedStream.windowedBy(windows)`: a `TimeWindowedKStream` for `TimeWindows` and
 * `SlidingWindows`, a `SessionWindowedKStream` for `SessionWindows`. Nothing is added to the
 * topology until an aggregation (`count`, `reduce`, `aggregate`) is called.
 * @example
 * windowedBy(grouped, TimeWindows.ofSizeWithNoGrace(60_000)).count();
 */
export function windowedBy<K, V>(grouped: KGroupedStream<K, V>, windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
export function windowedBy<K, V>(grouped: KGroupedStream<K, V>, windows: SessionWindows): SessionWindowedKStream<K, V>;
export function windowedBy<K, V>(
  grouped: KGroupedStream<K, V>,
  windows: TimeWindows | SlidingWindows | SessionWindows,
): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V>;
export function windowedBy<K, V>(
  grouped: KGroupedStream<K, V>,
  windows: TimeWindows | SlidingWindows | SessionWindows,
): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
  if (windows instanceof SessionWindows) return new SessionWindowedKStream(grouped, windows);
  if (windows instanceof TimeWindows || windows instanceof SlidingWindows) return new TimeWindowedKStream(grouped, windows);
  throw new TypeError('windowedBy: expected TimeWindows, SlidingWindows or SessionWindows');
}
