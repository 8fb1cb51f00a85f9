import type { StateStore } from './state-store.js';

/**
 * Builds one instance of a state store per task. A topology holds builders, not stores: every task
 * that runs the sub-topology owning the store gets its own instance from `build()`.
 *
 * `loggingEnabled` says whether the store is backed by a changelog topic
 * (`<applicationId>-<name>-changelog`) and `changelogConfig` carries that topic's configs
 * (e.g. `{ 'cleanup.policy': 'compact' }`).
 *
 * @example
 * const builder: StoreBuilder<CountingStore> = {
 *   name: 'counts',
 *   loggingEnabled: true,
 *   changelogConfig: {},
 *   build: () => new CountingStore('counts'),
 * };
 * topology.addStateStore(builder, 'my-processor');
 */
export interface StoreBuilder<S extends StateStore = StateStore> {
  /** The name of the stores it builds. */
  readonly name: string;
  /** True if the stores are backed by a changelog topic. */
  readonly loggingEnabled: boolean;
  /** Configs of the changelog topic (ignored when logging is disabled). */
  readonly changelogConfig: Readonly<Record<string, string>>;
  /** A new, not yet initialized store instance. */
  build(): S;
}
