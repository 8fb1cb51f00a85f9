import type { Serde } from '../../src/serdes/serde.js';
import { Stores } from '../../state/stores.js';
import type { ValueJoiner } from '../functions.js';
import { ProcessorGraphNode, StateStoreGraphNode, type GraphNode } from '../internal/graph-nodes.js';
import { passThroughProcessor } from '../internal/pass-through.js';
import { outerJoinStoreBuilder } from '../internal/outer-join-store.js';
import { joinTimeTrackers, joinWindowProcessor, streamStreamJoinProcessor } from '../internal/stream-stream-join-processor.js';
import { noteGeneratedStore } from '../internal/table-builders.js';
import { missingSerde } from '../internal/timestamped-store.js';
import type { KStream } from '../kstream.js';
import { StreamJoined } from '../stream-joined.js';
import type { JoinWindows } from '../windows/join-windows.js';

/** Node name prefixes of stream–stream joins, as in Kafka. @example builder.newProcessorName(WINDOWED_NAME); // 'KSTREAM-WINDOWED-0000000002' */
export const WINDOWED_NAME = 'KSTREAM-WINDOWED-';
/** @see WINDOWED_NAME @example builder.newProcessorName(JOINTHIS_NAME); */
export const JOINTHIS_NAME = 'KSTREAM-JOINTHIS-';
/** @see WINDOWED_NAME @example builder.newProcessorName(JOINOTHER_NAME); */
export const JOINOTHER_NAME = 'KSTREAM-JOINOTHER-';
/** @see WINDOWED_NAME @example builder.newProcessorName(OUTERTHIS_NAME); */
export const OUTERTHIS_NAME = 'KSTREAM-OUTERTHIS-';
/** @see WINDOWED_NAME @example builder.newProcessorName(OUTEROTHER_NAME); */
export const OUTEROTHER_NAME = 'KSTREAM-OUTEROTHER-';
const OUTERSHARED_NAME = 'KSTREAM-OUTERSHARED-';
const STREAM_MERGE_NAME = 'KSTREAM-MERGE-';

/**
 * Which stream–stream join: inner, left (unmatched left records kept) or outer (unmatched of both).
 * @example
 * const kind: StreamJoinKind = 'left';
 */
export type StreamJoinKind = 'inner' | 'left' | 'outer';

/**
 * Adds the nodes of `KStream.join/leftJoin/outerJoin(otherStream, …)` as Kafka's `KStreamImplJoin`
 * does: both sides repartitioned if required (`<name>-left` / `<name>-right`, or each stream's node
 * name), then `KSTREAM-WINDOWED-` (this), `KSTREAM-WINDOWED-` (other), `KSTREAM-JOINTHIS-` /
 * `KSTREAM-OUTERTHIS-`, `KSTREAM-JOINOTHER-` / `KSTREAM-OUTEROTHER-` and `KSTREAM-MERGE-`; window
 * stores `<joinThis>-store` / `<joinOther>-store` (retention `before + after + grace`, window size
 * `before + after`, duplicates kept) and, for left/outer, the shared store
 * `KSTREAM-OUTERSHARED-<n>-store`. A name given by `StreamJoined` replaces the generated ones
 * (`<name>-this-windowed`, …) without advancing the counter, as Kafka's `suffixWithOrElseGet`.
 * Returns the merge node and the key serde of the result.
 * @example
 * const { node, keySerde } = streamStreamJoinNode(left, right, (l, r) => l + r, JoinWindows.ofTimeDifferenceWithNoGrace(10), undefined, 'inner');
 */
export function streamStreamJoinNode<K, V1, V2, R>(
  thisStream: KStream<K, V1>,
  otherStream: KStream<K, V2>,
  joiner: ValueJoiner<V1, V2, R, K> | ValueJoiner<V1, V2 | null, R, K> | ValueJoiner<V1 | null, V2 | null, R, K>,
  windows: JoinWindows,
  streamJoined: StreamJoined<K, V1, V2> | undefined,
  kind: StreamJoinKind,
): { node: GraphNode; keySerde: Serde<K> | undefined } {
  if (otherStream.builder !== thisStream.builder) throw new TypeError('join: both streams must come from the same StreamsBuilder');
  const sj = streamJoined ?? StreamJoined.with<K, V1, V2>();
  const b = thisStream.builder;
  const name = sj.name;
  const keySerde = sj.keySerde ?? thisStream.keySerde ?? otherStream.keySerde;
  const left = thisStream.repartitionIfRequired(name === undefined ? thisStream.node.name : `${name}-left`, {
    keySerde, valueSerde: sj.valueSerde, userNamed: name !== undefined,
  });
  const right = otherStream.repartitionIfRequired(name === undefined ? otherStream.node.name : `${name}-right`, {
    keySerde, valueSerde: sj.otherValueSerde, userNamed: name !== undefined,
  });
  const leftOuter = kind !== 'inner';
  const rightOuter = kind === 'outer';
  const named = (suffix: string, prefix: string) => (name === undefined ? b.newProcessorName(prefix) : name + suffix);
  const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
  const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
  const thisWindowedName = named('-this-windowed', WINDOWED_NAME);
  const otherWindowedName = named('-other-windowed', WINDOWED_NAME);
  const thisPrefix = rightOuter ? OUTERTHIS_NAME : JOINTHIS_NAME;
  const joinThisGenerated = b.newProcessorName(thisPrefix);
  const joinOtherGenerated = b.newProcessorName(leftOuter ? OUTEROTHER_NAME : JOINOTHER_NAME);
  const joinThisName = name === undefined ? joinThisGenerated : name + thisSuffix;
  const joinOtherName = name === undefined ? joinOtherGenerated : name + otherSuffix;
  const mergeName = named('-merge', STREAM_MERGE_NAME);

  const base = sj.storeName;
  const thisStore = `${base === undefined ? joinThisGenerated : base + thisSuffix}-store`;
  const otherStore = `${base === undefined ? joinOtherGenerated : base + otherSuffix}-store`;
  const ks = keySerde ?? missingSerde<K>(thisStore, 'key');
  const vs1 = sj.valueSerde ?? thisStream.valueSerde ?? missingSerde<V1>(thisStore, 'value');
  const vs2 = sj.otherValueSerde ?? otherStream.valueSerde ?? missingSerde<V2>(otherStore, 'value');
  // Our window stores need a size > 0 (Kafka allows 0); the join only reads window starts, so 1 is harmless.
  const size = Math.max(1, windows.size());
  const retention = Math.max(size, windows.size() + windows.gracePeriodMs());
  const windowStore = <V>(storeName: string, vs: Serde<V>) => {
    const builder = Stores.windowStoreBuilder(Stores.persistentWindowStore(storeName, retention, size, true), ks, vs).withCachingDisabled();
    return sj.loggingEnabled ? builder.withLoggingEnabled() : builder.withLoggingDisabled();
  };
  b.addNode(new StateStoreGraphNode(windowStore(thisStore, vs1)));
  b.addNode(new StateStoreGraphNode(windowStore(otherStore, vs2)));
  let outerStore: string | undefined;
  if (leftOuter) {
    const suffix = rightOuter ? '-outer-shared-join' : '-left-shared-join';
    outerStore = `${base === undefined ? OUTERSHARED_NAME + joinThisGenerated.slice(thisPrefix.length) : base + suffix}-store`;
    b.addNode(new StateStoreGraphNode(outerJoinStoreBuilder(outerStore, ks, vs1 as Serde<unknown>, vs2 as Serde<unknown>, sj.loggingEnabled)));
  }
  if (base === undefined) for (const s of [thisStore, otherStore, outerStore]) if (s !== undefined) noteGeneratedStore(b, s, sj.loggingEnabled);

  const userJoiner = joiner as (l: unknown, r: unknown, k: K) => R;
  const trackers = joinTimeTrackers();
  const common = {
    outerStoreName: outerStore, windowsBeforeMs: windows.beforeMs, windowsAfterMs: windows.afterMs,
    graceMs: windows.gracePeriodMs(), emitIntervalMs: sj.outerJoinEmitIntervalMs, leftJoiner: userJoiner, trackers,
  };
  const thisWindowed = b.addNode(new ProcessorGraphNode(thisWindowedName, [left.node], joinWindowProcessor(thisStore, retention) as never, [thisStore]));
  const otherWindowed = b.addNode(new ProcessorGraphNode(otherWindowedName, [right.node], joinWindowProcessor(otherStore, retention) as never, [otherStore]));
  const joinThis = streamStreamJoinProcessor<K, V1, V2, R>({
    ...common, otherStoreName: otherStore, leftSide: true, outer: leftOuter,
    joinBeforeMs: windows.beforeMs, joinAfterMs: windows.afterMs, join: (v, o, k) => userJoiner(v, o, k),
  });
  const joinOther = streamStreamJoinProcessor<K, V2, V1, R>({
    ...common, otherStoreName: thisStore, leftSide: false, outer: rightOuter,
    joinBeforeMs: windows.afterMs, joinAfterMs: windows.beforeMs, join: (v, o, k) => userJoiner(o, v, k),
  });
  const thisJoinNode = b.addNode(new ProcessorGraphNode(joinThisName, [thisWindowed], joinThis as never, [otherStore, ...(outerStore ? [outerStore] : [])]));
  const otherJoinNode = b.addNode(new ProcessorGraphNode(joinOtherName, [otherWindowed], joinOther as never, [thisStore, ...(outerStore ? [outerStore] : [])]));
  const merge = b.addNode(new ProcessorGraphNode(mergeName, [thisJoinNode, otherJoinNode], passThroughProcessor()));
  return { node: merge, keySerde };
}
