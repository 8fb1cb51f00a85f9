import type { Serde } from '../../src/serdes/serde.js';
import type { ValueJoiner } from '../functions.js';
import { ProcessorGraphNode, type GraphNode } from '../internal/graph-nodes.js';
import { joinableTableStore } from '../internal/joinable-table.js';
import { streamTableJoinProcessor } from '../internal/stream-table-join-processor.js';
import type { Joined } from '../joined.js';
import type { KStream } from '../kstream.js';
import type { KTable } from '../ktable.js';

/** Node name prefixes of stream–table joins. @example builder.newProcessorName(STREAM_TABLE_JOIN_NAME); // 'KSTREAM-JOIN-0000000004' */
export const STREAM_TABLE_JOIN_NAME = 'KSTREAM-JOIN-';
/** @see STREAM_TABLE_JOIN_NAME @example builder.newProcessorName(STREAM_TABLE_LEFTJOIN_NAME); */
export const STREAM_TABLE_LEFTJOIN_NAME = 'KSTREAM-LEFTJOIN-';

/**
 * Adds the nodes of `KStream.join/leftJoin(table, joiner, joined?)` as Kafka's `KStreamImpl` does:
 * the stream repartitioned first if required (topic `<joined name or stream node name>-repartition`),
 * then one `KSTREAM-JOIN-` / `KSTREAM-LEFTJOIN-` processor (or the `Joined` name, which does not
 * advance the counter) connected to the table's store; the table is materialized if it was not.
 * @example
 * const { node } = streamTableJoinNode(payments, accounts, (p, a) => ({ p, a }), undefined, false);
 */
export function streamTableJoinNode<K, V, VT, R>(
  stream: KStream<K, V>,
  table: KTable<K, VT>,
  joiner: ValueJoiner<V, VT, R, K> | ValueJoiner<V, VT | null, R, K>,
  joined: Joined<K, V, VT> | undefined,
  leftJoin: boolean,
): { node: GraphNode; keySerde: Serde<K> | undefined } {
  if (table.builder !== stream.builder) throw new TypeError('join: the stream and the table must come from the same StreamsBuilder');
  const name = joined?.name;
  const keySerde = joined?.keySerde ?? stream.keySerde;
  const source = stream.repartitionIfRequired(name ?? stream.node.name, { keySerde, valueSerde: joined?.valueSerde, userNamed: name !== undefined });
  const storeName = joinableTableStore(table as KTable<unknown, unknown>);
  const b = stream.builder;
  const nodeName = name ?? b.newProcessorName(leftJoin ? STREAM_TABLE_LEFTJOIN_NAME : STREAM_TABLE_JOIN_NAME);
  const supplier = streamTableJoinProcessor<K, V, VT, R>(storeName, joiner as (v: V, t: VT | null, k: K) => R, leftJoin);
  const node = b.addNode(new ProcessorGraphNode(nodeName, [source.node], supplier as never, [storeName]));
  return { node, keySerde };
}
