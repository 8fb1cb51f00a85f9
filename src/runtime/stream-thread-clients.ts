import type { ClientFactory } from '../client/client-factory.js';
import type { Admin, Consumer, Producer } from '../core/client.js';
import type { Topology } from '../processor/topology.js';
import { EOS_TRANSACTION_TIMEOUT_MS, EosProducer } from './eos-producer.js';
import { RuntimeRecordCollector } from './runtime-record-collector.js';
import { StandbyTasks } from './standby-tasks.js';
import { StreamsPartitionAssignor } from './streams-partition-assignor.js';
import type { ResolvedStreamsConfig } from './streams-config.js';
import { StreamThread, type StreamThreadEvents } from './stream-thread.js';
import { TaskManager } from './task-manager.js';
import type { TaskStateManager } from './task-state-manager.js';
import type { TopologyMetadata } from './topology-metadata.js';

/** A stream thread with the clients it owns. */
export interface RunningThread {
  readonly consumer: Consumer;
  readonly producer: Producer;
  readonly tasks: TaskManager;
  /** The standby tasks this thread keeps (see `StandbyTasks`). */
  readonly standbys: StandbyTasks;
  readonly thread: StreamThread;
  readonly collector: RuntimeRecordCollector;
  /** Under `exactly_once_v2`: the transactional producer (`initTransactions()` before subscribing). */
  readonly eos: EosProducer | undefined;
  /** The processing loop once started (resolved until then). */
  loop: Promise<void>;
}

/**
 * Steps 3 and 4 of `KafkaStreams.start()` (also used to replace a thread that died): one consumer
 * in the application's group — no auto-commit, `autoOffsetReset: 'earliest'` (Kafka Streams'
 * default), the streams assignor (`StreamsPartitionAssignor`: whole tasks, so co-partitioned topics
 * line up; sticky; actives where standby state is warm; `numStandbyReplicas` standbys) — the
 * standby tasks it assigns, and one producer shared by all tasks through a record collector. The
 * caller subscribes with `thread.listener` and starts the loop.
 * @example
 * const running = createStreamThread(broker, broker.admin(), topology, meta, config, events);
 * await running.consumer.subscribe(meta.allSourceTopics, running.thread.listener);
 * running.loop = running.thread.run();
 */
export function createStreamThread(
  clients: ClientFactory,
  admin: Admin,
  topology: Topology,
  meta: TopologyMetadata,
  config: ResolvedStreamsConfig,
  events: StreamThreadEvents,
  state?: TaskStateManager,
): RunningThread {
  // Step 3
  const standbys = new StandbyTasks(topology, meta, config);
  standbys.bind(clients, admin);
  const assignor = new StreamsPartitionAssignor(meta, config.numStandbyReplicas, () => standbys.offsetSums(), config.logger);
  const consumer = clients.consumer({
    groupId: config.applicationId,
    clientId: `${config.applicationId}-consumer`,
    autoCommit: false,
    autoOffsetReset: 'earliest',
    assignor,
    maxPollRecords: config.maxPollRecords,
    // Under EOS, input (and repartition topics) must not show records of open or aborted transactions.
    isolationLevel: config.transactionalId === undefined ? 'read_uncommitted' : 'read_committed',
  });
  // Step 4: under EOS one transactional producer per instance (KIP-447), the caller runs initTransactions().
  const txnId = config.transactionalId;
  const eos =
    txnId === undefined
      ? undefined
      : new EosProducer(clients.producer({ clientId: `${config.applicationId}-producer`, transactionalId: txnId, transactionTimeoutMs: EOS_TRANSACTION_TIMEOUT_MS }), txnId);
  const plain = eos ?? clients.producer({ clientId: `${config.applicationId}-producer` });
  // With stores, the producer reports acknowledged changelog offsets for the tasks' checkpoints.
  const producer = state === undefined ? plain : state.trackProducer(plain);
  const collector = new RuntimeRecordCollector(producer, admin);
  const tasks = new TaskManager(topology, meta, config, collector, config.clock, state);
  const thread = new StreamThread(consumer, collector, tasks, config, config.clock, events, admin, eos, {
    tasks: standbys,
    assigned: () => assignor.assignment.standby,
  });
  return { consumer, producer, tasks, standbys, thread, collector, eos, loop: Promise.resolve() };
}

/**
 * Stops a stream thread and releases its clients:
 * 1. stop the loop after the iteration in flight;
 * 2. if `commit`: flush the producer and commit what was processed;
 * 3. leave the group (the revoke closes the tasks; it commits only if `commit`);
 * 4. close any task left and the standby tasks (checkpointing them), then the producer.
 * Failures of steps 3 and 4 are logged; a failed commit (step 2) is thrown after everything is released.
 * @example
 * await releaseStreamThread(running, true, console);
 */
export async function releaseStreamThread(running: RunningThread, commit: boolean, logger: ResolvedStreamsConfig['logger']): Promise<void> {
  // Step 1
  running.thread.stop();
  await running.loop;
  running.thread.commitOnRevoke = commit;
  try {
    // Step 2
    if (commit) await running.thread.commit();
  } finally {
    // Step 3 (an uncommitted EOS interval is aborted first, so the revoke's task close checkpoints nothing of it)
    if (!commit) await running.thread.abortTransaction();
    await running.consumer.close().catch((e: unknown) => logger.warn('closing the consumer failed', e));
    // Step 4
    await running.tasks.revokeAll().catch((e: unknown) => logger.warn('closing a task failed', e));
    await running.standbys.close().catch((e: unknown) => logger.warn('closing a standby task failed', e));
    await running.producer.close().catch((e: unknown) => logger.warn('closing the producer failed', e));
  }
}
