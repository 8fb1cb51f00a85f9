import type { StateStore } from '../../../state/state-store.js';
import { TopologyError } from '../../core/errors.js';
import type { Cancellable, ProcessingRecordMetadata, ProcessorContext, PunctuationType, Punctuator } from '../processor-context.js';
import type { Record } from '../record.js';
import type { TaskState } from './task-state.js';

/**
 * What `forward` calls: the user's processor instance itself for processor nodes (one call level
 * less per node), the sink node for sinks.
 * @example
 * const sink: RuntimeNode = { process: (r) => console.log(r.value) };
 */
export interface RuntimeNode {
  process(record: Record<unknown, unknown>): void;
}

/**
 * The parts of a node its context needs (children are filled in after all nodes exist).
 * @example
 * const node: ForwardingNode = { name: 'p', children: [], childNames: [], childByName: new Map() };
 */
export interface ForwardingNode {
  readonly name: string;
  readonly children: RuntimeNode[];
  /** `childNames[i]` names `children[i]`: errors thrown below a child are attributed to it. */
  readonly childNames: string[];
  readonly childByName: Map<string, RuntimeNode>;
}

/**
 * Calls every child; a throw is attributed to the child it came from (deeper ones keep theirs).
 * @example
 * forwardToAll(task, node.children, node.childNames, record);
 */
export function forwardToAll(task: TaskState, children: RuntimeNode[], childNames: string[], record: Record<unknown, unknown>): void {
  for (let i = 0; i < children.length; i++) {
    try {
      children[i]!.process(record);
    } catch (e) {
      throw task.fail(e, childNames[i]!);
    }
  }
}

/**
 * The `ProcessorContext` of one processor node in one task.
 * @example
 * const ctx = new NodeContext(node, task, ['counts']); ctx.forward(record);
 */
export class NodeContext implements ProcessorContext<unknown, unknown> {
  readonly #node: ForwardingNode;
  readonly #children: RuntimeNode[];
  readonly #childNames: string[];
  readonly #task: TaskState;
  readonly #stores: ReadonlySet<string>;

  constructor(node: ForwardingNode, task: TaskState, storeNames: readonly string[]) {
    this.#node = node;
    // The node's array itself (filled in later): one load per forward instead of two.
    this.#children = node.children;
    this.#childNames = node.childNames;
    this.#task = task;
    this.#stores = new Set(storeNames);
  }

  get applicationId(): string {
    return this.#task.applicationId;
  }

  get taskId(): string {
    return this.#task.taskId;
  }

  // Kept small on purpose: V8 inlines it along the whole chain only while the cumulative bytecode
  // of the chain stays under its budget, so rare paths live in separate methods.
  forward(record: Record<unknown, unknown>, childName?: string): void {
    const children = this.#children;
    if (childName === undefined && children.length === 1) {
      try {
        children[0]!.process(record);
      } catch (e) {
        throw this.#fail(e, 0);
      }
    } else {
      this.#forwardSlow(record, childName);
    }
  }

  #forwardSlow(record: Record<unknown, unknown>, childName: string | undefined): void {
    if (childName === undefined) {
      forwardToAll(this.#task, this.#children, this.#childNames, record);
      return;
    }
    const child = this.#node.childByName.get(childName);
    if (child === undefined) {
      throw new TopologyError(`processor "${this.#node.name}" has no child named "${childName}"`);
    }
    try {
      child.process(record);
    } catch (e) {
      throw this.#task.fail(e, childName);
    }
  }

  #fail(error: unknown, childIndex: number): Error {
    return this.#task.fail(error, this.#childNames[childIndex]!);
  }


  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.#task.schedule(this.#node.name, intervalMs, type, punctuator);
  }

  getStateStore<S extends StateStore = StateStore>(name: string): S {
    // Global stores need no connection (Kafka: every processor may read them, read-only).
    const store = this.#stores.has(name) ? this.#task.store(name) : this.#task.globalStore(name);
    if (store === undefined) {
      throw new TopologyError(
        `processor "${this.#node.name}" has no access to state store "${name}": ` +
          `add the store to the topology and connect it to this processor`,
      );
    }
    return store as S;
  }

  recordMetadata(): ProcessingRecordMetadata | null {
    const t = this.#task;
    return t.currentTopic === null ? null : { topic: t.currentTopic, partition: t.currentPartition, offset: t.currentOffset };
  }

  recordDropped(): void {
    this.#task.recordDropped();
  }

  currentStreamTimeMs(): number {
    return this.#task.streamTimeMs;
  }

  currentSystemTimeMs(): number {
    return this.#task.wallClockMs();
  }
}
