import { join } from 'node:path';
import { TaskStateDb } from '../../state/task-state-db.js';
import { StateDirLockedError } from '../core/errors.js';
import type { ResolvedStreamsConfig } from './streams-config.js';

/** How long to wait for a task directory's lock that another owner in this process still holds. */
const LOCK_WAIT_MS = 10_000;
const LOCK_RETRY_MS = 100;

/**
 * Opens the LevelDB of task `taskId` under `<stateDir>/<applicationId>/<taskId>/`, waiting (up to 10 s)
 * while another owner in this process still holds its lock — an active task closing while its standby
 * opens, or the reverse, during one rebalance. `role` names the owner in lock errors ("task",
 * "standby task").
 * @example
 * const db = await openTaskDb(config, '0_1', 'standby task');
 */
export async function openTaskDb(config: ResolvedStreamsConfig, taskId: string, role: string): Promise<TaskStateDb> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      return await TaskStateDb.open({
        dir: join(config.stateDir, config.applicationId, taskId),
        owner: `${role} ${taskId} of ${config.applicationId}`,
        onWarning: (m) => config.logger.warn(m),
      });
    } catch (e) {
      if (!(e instanceof StateDirLockedError) || Date.now() >= deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
    }
  }
}
