import type { Serde } from '../../serdes/serde.js';
import type { Processor } from '../processor.js';
import type { RecordContext, StreamPartitioner, TimestampExtractor, TopicNameExtractor } from '../node-options.js';
import type { Record } from '../record.js';
import type { ObjectCollector } from '../record-collector.js';
import { forwardToAll, NodeContext, type RuntimeNode } from './node-context.js';
import type { ProcessorDefinition } from './node-definitions.js';
import type { TaskState } from './task-state.js';

/**
 * A running source node: deserialization happens in the executor; this forwards to the children.
 * @example
 * new SourceNode('src', Serdes.string(), Serdes.string(), undefined, task).process(record);
 */
export class SourceNode implements RuntimeNode {
  readonly children: RuntimeNode[] = [];
  readonly childNames: string[] = [];
  readonly childByName = new Map<string, RuntimeNode>();
  constructor(
    readonly name: string,
    readonly keySerde: Serde<unknown>,
    readonly valueSerde: Serde<unknown>,
    readonly timestampExtractor: TimestampExtractor | undefined,
    readonly task: TaskState,
  ) {}

  process(record: Record<unknown, unknown>): void {
    const children = this.children;
    if (children.length === 1) {
      try {
        children[0]!.process(record);
      } catch (e) {
        throw this.task.fail(e, this.childNames[0]!);
      }
    } else {
      forwardToAll(this.task, children, this.childNames, record);
    }
  }

}

/**
 * A running processor node: owns the user's processor instance (made from the supplier at once)
 * and its context. Parents call the processor directly; errors are attributed by the parent's
 * forward loop.
 * @example
 * const node = new ProcessorNode(definition, task); node.init();
 */
export class ProcessorNode {
  readonly children: RuntimeNode[] = [];
  readonly childNames: string[] = [];
  readonly childByName = new Map<string, RuntimeNode>();
  readonly context: NodeContext;
  readonly processor: Processor<unknown, unknown, unknown, unknown>;

  constructor(readonly definition: ProcessorDefinition, readonly task: TaskState) {
    this.context = new NodeContext(this, task, definition.stores);
    let processor: Processor<unknown, unknown, unknown, unknown>;
    try {
      processor = definition.supplier();
    } catch (e) {
      throw task.fail(e, definition.name);
    }
    if (processor === null || typeof processor !== 'object' || typeof processor.process !== 'function') {
      throw task.fail(new TypeError('the supplier did not return a Processor (an object with process(record))'), definition.name);
    }
    this.processor = processor;
  }

  get name(): string {
    return this.definition.name;
  }

  init(): void {
    try {
      this.processor.init?.(this.context);
    } catch (e) {
      throw this.task.fail(e, this.definition.name);
    }
  }

  close(): void {
    this.processor.close?.();
  }
}

/**
 * A running sink node: serializes with its serdes and hands the bytes to the task's collector.
 * @example
 * new SinkNode('sink', 'out', undefined, keySerde, valueSerde, undefined, task).process(record);
 */
export class SinkNode implements RuntimeNode {
  constructor(
    readonly name: string,
    readonly topic: string | undefined,
    readonly extractor: TopicNameExtractor<unknown, unknown> | undefined,
    readonly keySerde: Serde<unknown>,
    readonly valueSerde: Serde<unknown>,
    readonly partitioner: StreamPartitioner<unknown, unknown> | undefined,
    readonly task: TaskState,
  ) {
    this.#objectCollector = task.objectCollector;
  }

  readonly #objectCollector: ObjectCollector | undefined;

  process(record: Record<unknown, unknown>): void {
    const topic = this.topic ?? this.#extractTopic(record);
    const objects = this.#objectCollector;
    if (objects !== undefined) objects.collect(topic, record);
    else this.#send(topic, record);
  }

  #send(topic: string, record: Record<unknown, unknown>): void {
    const key = this.keySerde.serialize(record.key, topic);
    const value = this.valueSerde.serialize(record.value, topic);
    if (this.partitioner === undefined) {
      this.task.collector.send(topic, key, value, record.timestamp, record.headers);
    } else {
      this.task.collector.send(topic, key, value, record.timestamp, record.headers, this.partitioner, record.key, record.value);
    }
  }

  #extractTopic(record: Record<unknown, unknown>): string {
    return this.extractor!(record.key, record.value, this.#recordContext(record));
  }


  #recordContext(record: Record<unknown, unknown>): RecordContext {
    const t = this.task;
    return { topic: t.currentTopic, partition: t.currentPartition, offset: t.currentOffset, timestamp: record.timestamp, headers: record.headers };
  }
}
