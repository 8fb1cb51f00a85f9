import type { TopicNameExtractor } from '../../src/processor/node-options.js';
import { SinkGraphNode, type GraphNode } from '../internal/graph-nodes.js';
import type { InternalStreamsBuilder } from '../internal/internal-streams-builder.js';
import { Named } from '../named.js';
import type { Produced } from '../produced.js';
import type { Serde } from '../../src/serdes/serde.js';

/**
 * Node name prefix of sink nodes.
 * @example
 * builder.newProcessorName(SINK_NAME); // 'KSTREAM-SINK-0000000004'
 */
export const SINK_NAME = 'KSTREAM-SINK-';

/**
 * Adds the sink behind `KStream.to`: writes to a fixed topic or to the topic a
 * {@link TopicNameExtractor} picks per record. Serdes: `produced`'s, else the stream's known ones,
 * else the application's defaults.
 * @example
 * sinkNode(builder, stream.node, 'output', Produced.with(Serdes.string(), Serdes.string()), undefined, undefined);
 */
export function sinkNode<K, V>(
  builder: InternalStreamsBuilder,
  parent: GraphNode,
  topic: string | TopicNameExtractor<K, V>,
  produced: Produced<K, V> | undefined,
  streamKeySerde: Serde<K> | undefined,
  streamValueSerde: Serde<V> | undefined,
): GraphNode {
  if (typeof topic === 'string') Named.validate(topic);
  else if (typeof topic !== 'function') throw new TypeError('to: topic must be a string or a function (key, value, context) => topic');
  const name = builder.nameOf(produced?.name, SINK_NAME);
  return builder.addNode(
    new SinkGraphNode(name, parent, topic as string | TopicNameExtractor<unknown, unknown>, {
      keySerde: (produced?.keySerde ?? streamKeySerde) as Serde<unknown> | undefined,
      valueSerde: (produced?.valueSerde ?? streamValueSerde) as Serde<unknown> | undefined,
      partitioner: produced?.partitioner as never,
    }),
  );
}
