import type { TopicPartition } from '../core/record.js';

/** What one stream thread of an instance runs (see `KafkaStreams.metadataForLocalThreads`). */
export interface ThreadMetadata {
  readonly threadName: string;
  /** 'RUNNING' while its loop runs, 'DEAD' after a fatal error or once stopped. */
  readonly threadState: 'RUNNING' | 'DEAD';
  readonly activeTasks: readonly { readonly taskId: string; readonly topicPartitions: readonly TopicPartition[] }[];
  /** Standby tasks (`numStandbyReplicas`): replicas of other instances' tasks, kept from their changelogs. */
  readonly standbyTasks: readonly { readonly taskId: string; readonly topicPartitions: readonly TopicPartition[] }[];
}

/** Orders task ids `<subtopology>_<partition>` numerically. */
export const compareTaskIds = (a: string, b: string): number => {
  const [sa, pa] = a.split('_').map(Number) as [number, number];
  const [sb, pb] = b.split('_').map(Number) as [number, number];
  return sa - sb || pa - pb;
};
