/**
 * The narrow view of its task that a state store receives at `init`. The runtime and the test driver
 * build it; a store never sees the task, the topology or the broker.
 * @example
 * init(context: StateStoreContext) { this.dir = `${context.stateDir}/${context.taskId}/${this.name}`; }
 */
export interface StateStoreContext {
  /** The application id (prefix of changelog topics: `<applicationId>-<store>-changelog`). */
  readonly applicationId: string;
  /** The owning task, `<subtopology>_<partition>`, e.g. `0_3`. */
  readonly taskId: string;
  /** The partition number of the owning task (the changelog partition it writes). */
  readonly partition: number;
  /** The state directory, when the application has one (persistent stores live under it). */
  readonly stateDir: string | undefined;
}

/**
 * A named piece of task-local state that processors connect to by name.
 *
 * Lifecycle: built by a {@link StoreBuilder}, `init` once per task (possibly asynchronously, e.g. to
 * open LevelDB), used by processors through `ProcessorContext.getStateStore(name)`, `flush`ed at
 * every commit, `close`d when the task closes. Using a store that is not open throws
 * `StoreNotOpenError`. `root` is the outermost layer of a wrapped store (metered → caching →
 * change-logging → inner): inner layers register the root so processors see the full stack.
 *
 * @example
 * class CountingStore implements StateStore {
 *   private open = false;
 *   constructor(readonly name: string) {}
 *   init(): void { this.open = true; }
 *   flush(): void {}
 *   close(): void { this.open = false; }
 *   persistent(): boolean { return false; }
 *   isOpen(): boolean { return this.open; }
 * }
 */
export interface StateStore {
  /** The store's name, unique within a topology. */
  readonly name: string;
  /** Opens the store for one task. */
  init(context: StateStoreContext, root: StateStore): void | Promise<void>;
  /** Writes buffered data through (called at commit). */
  flush(): void | Promise<void>;
  /** Flushes and releases resources; the store is unusable afterwards. */
  close(): void | Promise<void>;
  /** True if the store keeps its data on disk. */
  persistent(): boolean;
  /** True between a successful `init` and `close`. */
  isOpen(): boolean;
}
