import type { Serde } from '../../serdes/serde.js';
import type { Processor } from '../processor.js';
import type { RecordContext, StreamPartitioner, TimestampExtractor, TopicNameExtractor } from '../node-options.js';
import type { Record } from '../record.js';
import { NodeContext, type RuntimeNode } from './node-context.js';
import type { ProcessorDefinition } from './node-definitions.js';
import type { TaskState } from './task-state.js';

/** A running source node: deserialization happens in the executor; this forwards to the children. */
export class SourceNode implements RuntimeNode {
  readonly children: RuntimeNode[] = [];
  readonly childByName = new Map<string, RuntimeNode>();
  constructor(
    readonly name: string,
    readonly keySerde: Serde<unknown>,
    readonly valueSerde: Serde<unknown>,
    readonly timestampExtractor: TimestampExtractor | undefined,
  ) {}

  process(record: Record<unknown, unknown>): void {
    const children = this.children;
    for (let i = 0; i < children.length; i++) children[i]!.process(record);
  }
}

/** A running processor node: calls the user's processor, attributing any throw to this node. */
export class ProcessorNode implements RuntimeNode {
  readonly children: RuntimeNode[] = [];
  readonly childByName = new Map<string, RuntimeNode>();
  readonly context: NodeContext;
  processor: Processor<unknown, unknown, unknown, unknown> | undefined;

  constructor(readonly definition: ProcessorDefinition, readonly task: TaskState) {
    this.context = new NodeContext(this, task, definition.stores);
  }

  get name(): string {
    return this.definition.name;
  }

  init(): void {
    try {
      this.processor = this.definition.supplier();
      this.processor.init?.(this.context);
    } catch (e) {
      throw this.task.fail(e, this.definition.name);
    }
  }

  process(record: Record<unknown, unknown>): void {
    try {
      this.processor!.process(record);
    } catch (e) {
      throw this.task.fail(e, this.definition.name);
    }
  }

  close(): void {
    this.processor?.close?.();
  }
}

/** A running sink node: serializes with its serdes and hands the bytes to the task's collector. */
export class SinkNode implements RuntimeNode {
  constructor(
    readonly name: string,
    readonly topic: string | undefined,
    readonly extractor: TopicNameExtractor<unknown, unknown> | undefined,
    readonly keySerde: Serde<unknown>,
    readonly valueSerde: Serde<unknown>,
    readonly partitioner: StreamPartitioner<unknown, unknown> | undefined,
    readonly task: TaskState,
  ) {}

  process(record: Record<unknown, unknown>): void {
    const task = this.task;
    try {
      const topic = this.topic ?? this.extractor!(record.key, record.value, this.#recordContext(record));
      if (task.objectCollector !== undefined) {
        task.objectCollector.collect(topic, record);
        return;
      }
      const key = this.keySerde.serialize(record.key, topic);
      const value = this.valueSerde.serialize(record.value, topic);
      if (this.partitioner === undefined) {
        task.collector.send(topic, key, value, record.timestamp, record.headers);
      } else {
        task.collector.send(topic, key, value, record.timestamp, record.headers, this.partitioner, record.key, record.value);
      }
    } catch (e) {
      throw task.fail(e, this.name);
    }
  }

  #recordContext(record: Record<unknown, unknown>): RecordContext {
    const t = this.task;
    return { topic: t.currentTopic, partition: t.currentPartition, offset: t.currentOffset, timestamp: record.timestamp, headers: record.headers };
  }
}
