import type { KeyValueMapper, ValueJoiner } from '../functions.js';
import type { GlobalKTable } from '../global-ktable.js';
import { globalStreamJoinProcessor } from '../internal/global-stream-join-processor.js';
import { ProcessorGraphNode, type GraphNode } from '../internal/graph-nodes.js';
import type { KStream } from '../kstream.js';
import { Named } from '../named.js';
import { STREAM_TABLE_JOIN_NAME, STREAM_TABLE_LEFTJOIN_NAME } from './stream-table-join.js';

/**
 * Adds the node of `KStream.join/leftJoin(globalTable, keySelector, joiner, named?)` as Kafka's
 * `KStreamImpl.globalTableJoin` does: one `KSTREAM-JOIN-` / `KSTREAM-LEFTJOIN-` processor (or the
 * `Named` name, which does not advance the counter) after the stream, with no store connected (`stores: []` in `describe()`: global
 * stores are read by name) and no repartition, whatever the stream's key history.
 * @example
 * const node = streamGlobalTableJoinNode(orders, products, (_k, o) => o.productId, (o, p) => ({ o, p }), undefined, false);
 */
export function streamGlobalTableJoinNode<K, V, GK, GV, R>(
  stream: KStream<K, V>,
  table: GlobalKTable<GK, GV>,
  keySelector: KeyValueMapper<K, V, GK | null>,
  joiner: ValueJoiner<V, GV, R, K> | ValueJoiner<V, GV | null, R, K>,
  named: Named | undefined,
  leftJoin: boolean,
): GraphNode {
  if (table.builder !== stream.builder) throw new TypeError('join: the stream and the global table must come from the same StreamsBuilder');
  if (typeof keySelector !== 'function') throw new TypeError('join(globalTable, keySelector, joiner): keySelector must be a function');
  if (typeof joiner !== 'function') throw new TypeError('join(globalTable, keySelector, joiner): joiner must be a function');
  if (named !== undefined && !(named instanceof Named)) throw new TypeError('named must be a Named (Named.as(name))');
  const b = stream.builder;
  // As Kafka's `orElseGenerateWithPrefix` (and the stream–table join): a given name takes no counter value.
  const name = named?.name ?? b.newProcessorName(leftJoin ? STREAM_TABLE_LEFTJOIN_NAME : STREAM_TABLE_JOIN_NAME);
  const supplier = globalStreamJoinProcessor<K, V, GK, GV, R>(table.storeName, keySelector, joiner as (v: V, t: GV | null, k: K) => R, leftJoin);
  return b.addNode(new ProcessorGraphNode(name, [stream.node], supplier as never));
}
