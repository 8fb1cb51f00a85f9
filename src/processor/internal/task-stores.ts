import type { StateStore, StateStoreContext } from '../../../state/state-store.js';

/**
 * Opens a task's stores, each registering itself as its own root (wrapping layers come with the
 * store builders); returns the promises of the stores that open asynchronously.
 * @example
 * const pending = initStores(graph.stores.values(), { applicationId: 'app', taskId: '0_0', partition: 0, stateDir: undefined });
 * await Promise.all(pending);
 */
export function initStores(stores: Iterable<StateStore>, context: StateStoreContext): Promise<void>[] {
  const pending: Promise<void>[] = [];
  for (const store of stores) {
    const r = store.init(context, store);
    if (r instanceof Promise) pending.push(r);
  }
  return pending;
}

/**
 * Closes a task's stores; returns a promise only if some store closes asynchronously.
 * @example
 * await closeStores(graph.stores.values());
 */
export function closeStores(stores: Iterable<StateStore>): void | Promise<void> {
  const pending: Promise<void>[] = [];
  for (const store of stores) {
    const r = store.close();
    if (r instanceof Promise) pending.push(r);
  }
  if (pending.length > 0) return Promise.all(pending).then(() => undefined);
}

/**
 * Flushes a task's stores in order (at commit, and per record under the test driver); returns a
 * promise only if some store flushes asynchronously.
 * @example
 * await flushStores(graph.stores.values());
 */
export function flushStores(stores: Iterable<StateStore>): void | Promise<void> {
  const pending: Promise<void>[] = [];
  for (const store of stores) {
    const r = store.flush();
    if (r instanceof Promise) pending.push(r);
  }
  if (pending.length > 0) return Promise.all(pending).then(() => undefined);
}
