import type { StateStore } from '../../../state/state-store.js';
import { TopologyError } from '../../core/errors.js';
import type { Cancellable, ProcessingRecordMetadata, ProcessorContext, PunctuationType, Punctuator } from '../processor-context.js';
import type { Record } from '../record.js';
import type { TaskState } from './task-state.js';

/** A node of a running task: what `forward` calls. */
export interface RuntimeNode {
  readonly name: string;
  process(record: Record<unknown, unknown>): void;
}

/** The parts of a node its context needs (children are filled in after all nodes exist). */
export interface ForwardingNode {
  readonly name: string;
  readonly children: RuntimeNode[];
  readonly childByName: Map<string, RuntimeNode>;
}

/** The `ProcessorContext` of one processor node in one task. */
export class NodeContext implements ProcessorContext<unknown, unknown> {
  readonly #node: ForwardingNode;
  readonly #task: TaskState;
  readonly #stores: ReadonlySet<string>;

  constructor(node: ForwardingNode, task: TaskState, storeNames: readonly string[]) {
    this.#node = node;
    this.#task = task;
    this.#stores = new Set(storeNames);
  }

  get applicationId(): string {
    return this.#task.applicationId;
  }

  get taskId(): string {
    return this.#task.taskId;
  }

  forward(record: Record<unknown, unknown>, childName?: string): void {
    if (childName === undefined) {
      const children = this.#node.children;
      for (let i = 0; i < children.length; i++) children[i]!.process(record);
      return;
    }
    const child = this.#node.childByName.get(childName);
    if (child === undefined) {
      throw new TopologyError(`processor "${this.#node.name}" has no child named "${childName}"`);
    }
    child.process(record);
  }

  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.#task.schedule(this.#node.name, intervalMs, type, punctuator);
  }

  getStateStore<S extends StateStore = StateStore>(name: string): S {
    const store = this.#stores.has(name) ? this.#task.store(name) : undefined;
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

  currentStreamTimeMs(): number {
    return this.#task.streamTimeMs;
  }

  currentSystemTimeMs(): number {
    return this.#task.wallClockMs();
  }
}
