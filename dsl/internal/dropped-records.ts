/**
 * Task-level `dropped-records` counters of the DSL's windowed processors (records with a null key,
 * or too late for a window: one count per expired window, as Kafka's sensor). Keyed by
 * `<applicationId>/<taskId>`; the runtime's metrics and tests read them with {@link droppedRecords}.
 * @example
 * recordDropped(context.applicationId, context.taskId); droppedRecords('app', '0_0'); // 1
 */
const counters = new Map<string, number>();

export function recordDropped(applicationId: string, taskId: string, n = 1): void {
  const key = `${applicationId}/${taskId}`;
  counters.set(key, (counters.get(key) ?? 0) + n);
}

/**
 * Records dropped so far by windowed processors of this task.
 * @example
 * expect(droppedRecords(driver.applicationId, '0_0')).toBe(1);
 */
export function droppedRecords(applicationId: string, taskId: string): number {
  return counters.get(`${applicationId}/${taskId}`) ?? 0;
}

/**
 * Resets the counter of a task (test drivers reuse application and task ids).
 * @example
 * resetDroppedRecords('app', '0_0');
 */
export function resetDroppedRecords(applicationId: string, taskId: string): void {
  counters.delete(`${applicationId}/${taskId}`);
}
