import { TopologyError } from '../src/core/errors.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { SessionWindows } from './windows/session-windows.js';
import type { SlidingWindows } from './windows/sliding-windows.js';
import type { TimeWindows } from './windows/time-windows.js';

/**
 * `KGroupedStream.windowedBy(windows)`: the windowed view of a grouped stream. Placeholder owned by
 * the windowing work, which replaces this function (and the return type) with the
 * `TimeWindowedKStream` / `SessionWindowedKStream` factories.
 * @example
 * grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(60_000)); // throws until windowing lands
 */
export function windowedBy<K, V>(_grouped: KGroupedStream<K, V>, _windows: TimeWindows | SlidingWindows | SessionWindows): never {
  throw new TopologyError('windowedBy(...) lands with the windowing work (dsl/windowed-by.ts)');
}
