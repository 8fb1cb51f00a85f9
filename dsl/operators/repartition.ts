import type { StreamPartitioner } from '../../src/processor/node-options.js';
import type { Serde } from '../../src/serdes/serde.js';
import { RepartitionGraphNode, type GraphNode } from '../internal/graph-nodes.js';
import type { InternalStreamsBuilder } from '../internal/internal-streams-builder.js';
import { filterProcessor } from './filter.js';
import { FILTER_NAME } from './filter.js';
import { SINK_NAME } from './to.js';

/**
 * Node name prefix of `repartition()` (its name is the base of the topic name when unnamed).
 * @example
 * builder.newProcessorName(REPARTITION_NAME); // 'KSTREAM-REPARTITION-0000000002'
 */
export const REPARTITION_NAME = 'KSTREAM-REPARTITION-';
/**
 * Node name prefix of source nodes.
 * @example
 * builder.newProcessorName(SOURCE_NAME); // 'KSTREAM-SOURCE-0000000000'
 */
export const SOURCE_NAME = 'KSTREAM-SOURCE-';
/**
 * Suffix of repartition topics.
 * @example
 * 'counts' + REPARTITION_TOPIC_SUFFIX; // 'counts-repartition'
 */
export const REPARTITION_TOPIC_SUFFIX = '-repartition';

/**
 * What a repartition needs.
 * @example
 * const spec: RepartitionSpec = { baseName: 'by-user', userNamed: true, numberOfPartitions: 4 };
 */
export interface RepartitionSpec {
  /** Base of the topic name: the topic is `<baseName>-repartition` (`<applicationId>-` is added at run time). */
  readonly baseName: string;
  /** True if the user chose `baseName` (it then names the nodes too, and counts as explicit naming). */
  readonly userNamed: boolean;
  readonly keySerde?: Serde<unknown> | undefined;
  readonly valueSerde?: Serde<unknown> | undefined;
  readonly numberOfPartitions?: number | undefined;
  readonly partitioner?: StreamPartitioner<unknown, unknown> | undefined;
}

const notNullKey = (key: unknown) => key !== null && key !== undefined;

/**
 * Adds a repartition after `parent`, as Kafka does: a filter dropping null keys, a sink to the
 * internal topic `<baseName>-repartition`, and a source reading it back (starting a new
 * sub-topology). Three counter values are always used (sink, filter, source), as in Kafka; when
 * the user named the repartition the nodes are `<topic>-filter`, `<topic>-sink`, `<topic>-source`.
 * @example
 * const node = repartitionNode(builder, stream.node, { baseName: 'by-user', userNamed: true });
 */
export function repartitionNode(builder: InternalStreamsBuilder, parent: GraphNode, spec: RepartitionSpec): RepartitionGraphNode {
  const topic = spec.baseName.endsWith(REPARTITION_TOPIC_SUFFIX) ? spec.baseName : spec.baseName + REPARTITION_TOPIC_SUFFIX;
  if (!spec.userNamed) builder.addImplicitInternalName('repartition topic', topic);
  const generatedSink = builder.newProcessorName(SINK_NAME);
  const generatedFilter = builder.newProcessorName(FILTER_NAME);
  const generatedSource = builder.newProcessorName(SOURCE_NAME);
  const generated = /^KSTREAM.*-\d{10}$/.test(spec.baseName);
  const sinkName = generated ? generatedSink : `${topic}-sink`;
  const filterName = generated ? generatedFilter : `${topic}-filter`;
  const sourceName = generated ? generatedSource : `${topic}-source`;
  const serdes = { keySerde: spec.keySerde, valueSerde: spec.valueSerde };
  return builder.addNode(
    new RepartitionGraphNode(
      parent,
      filterName,
      sinkName,
      sourceName,
      topic,
      filterProcessor(notNullKey, false),
      { ...serdes, partitioner: spec.partitioner },
      serdes,
      spec.numberOfPartitions === undefined ? {} : { numberOfPartitions: spec.numberOfPartitions },
    ),
  );
}
