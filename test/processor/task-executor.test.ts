import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { StreamsProcessingError, TopologyError } from '../../src/core/errors.js';
import type { ConsumedRecord } from '../../src/core/record.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessingRecordMetadata, ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import type { RecordCollector } from '../../src/processor/record-collector.js';
import { TaskExecutor } from '../../src/processor/task-executor.js';
import { Topology } from '../../src/processor/topology.js';
import { Serdes } from '../../src/serdes/serdes.js';

const S = Serdes.string();
const io = { keySerde: S, valueSerde: S };
const consumed = (topic: string, offset: number, value: string, timestamp = offset): ConsumedRecord => ({
  topic,
  partition: 0,
  offset,
  timestamp,
  key: Buffer.from('k'),
  value: Buffer.from(value),
  headers: {},
});

function collecting() {
  const sent: { topic: string; value: string | null; timestamp: number; partition?: number }[] = [];
  const collector: RecordCollector = {
    send(topic, _key, value, timestamp, _headers, partitioner, key, v) {
      sent.push({ topic, value: value?.toString() ?? null, timestamp, ...(partitioner ? { partition: partitioner(topic, key, v, 4) } : {}) });
    },
  };
  return { sent, collector };
}

/** Routes by first letter to the child named after it, through forward(record, childName). */
class Router implements Processor<string, string, string, string> {
  ctx!: ProcessorContext<string, string>;
  init(ctx: ProcessorContext<string, string>) {
    this.ctx = ctx;
  }
  process(r: Record<string, string>) {
    this.ctx.forward(r, r.value[0] === 'a' ? 'to-a' : 'to-b');
  }
}

describe('processor > TaskExecutor', () => {
  it('forwards to a named child only, and rejects an unknown child name with a TopologyError', () => {
    const t = new Topology()
      .addSource('src', ['in'], io)
      .addProcessor('router', () => new Router(), 'src')
      .addSink('to-a', 'a', io, 'router')
      .addSink('to-b', 'b', io, 'router');
    const { sent, collector } = collecting();
    const task = new TaskExecutor(t, { subtopologyId: 0, partition: 0, applicationId: 'app', collector });
    task.init();
    task.process(consumed('in', 0, 'apple'));
    task.process(consumed('in', 1, 'berry'));
    expect(sent.map((s) => [s.topic, s.value])).toEqual([['a', 'apple'], ['b', 'berry']]);

    const bad = new Topology().addSource('src', ['in'], io).addProcessor('p', () => {
      let ctx!: ProcessorContext<string, string>;
      return { init: (c: ProcessorContext<string, string>) => void (ctx = c), process: (r: Record<string, string>) => ctx.forward(r, 'nobody') };
    }, 'src');
    const badTask = new TaskExecutor(bad, { subtopologyId: 0, partition: 0, applicationId: 'app', collector });
    badTask.init();
    const err = (() => {
      try {
        badTask.process(consumed('in', 7, 'x'));
      } catch (e) {
        return e as StreamsProcessingError;
      }
    })();
    expect(err).toBeInstanceOf(StreamsProcessingError);
    expect(err!.cause).toBeInstanceOf(TopologyError);
    expect(err!.message).toContain('has no child named "nobody"');
    expect(err).toMatchObject({ processorName: 'p', offset: 7 });
  });

  it('getStateStore of an unconnected store throws a TopologyError naming processor and store', () => {
    let message = '';
    const t = new Topology().addSource('src', ['in'], io).addProcessor('lookup', () => ({
      init(ctx: ProcessorContext) {
        try {
          ctx.getStateStore('profiles');
        } catch (e) {
          message = e instanceof TopologyError ? e.message : 'wrong type';
        }
      },
      process() {},
    }), 'src');
    new TaskExecutor(t, { subtopologyId: 0, partition: 0, applicationId: 'app', collector: collecting().collector }).init();
    expect(message).toContain('processor "lookup"');
    expect(message).toContain('state store "profiles"');
  });

  it('exposes record metadata while processing and null inside punctuators; cancel stops a punctuator', () => {
    const metadata: (ProcessingRecordMetadata | null)[] = [];
    const clock = new ManualClock(100);
    let fired = 0;
    const t = new Topology().addSource('src', ['in'], io).addProcessor('p', () => {
      let ctx!: ProcessorContext;
      return {
        init(c: ProcessorContext) {
          ctx = c;
          const handle = c.schedule(10, 'WALL_CLOCK_TIME', () => {
            metadata.push(ctx.recordMetadata());
            if (++fired === 2) handle.cancel();
          });
        },
        process() {
          metadata.push(ctx.recordMetadata());
          expect(ctx.taskId).toBe('0_3');
          expect(ctx.currentSystemTimeMs()).toBe(clock.now());
        },
      };
    }, 'src');
    const task = new TaskExecutor(t, { subtopologyId: 0, partition: 3, applicationId: 'app', collector: collecting().collector, clock });
    task.init();
    task.process({ ...consumed('in', 41, 'v'), partition: 3 });
    for (let i = 0; i < 5; i++) {
      clock.advance(10);
      task.punctuateWallClock();
    }
    expect(metadata).toEqual([{ topic: 'in', partition: 3, offset: 41 }, null, null]);
    expect(task.metrics).toEqual({ processed: 1, skipped: 0, punctuations: 2, dropped: 0 });
  });

  it('tracks stream time as the max timestamp seen, and uses a timestamp extractor when given', () => {
    const t = new Topology()
      .addSource('src', ['in'], { ...io, timestampExtractor: (r) => Number(r.value!.toString()) })
      .addSink('out', 'out', io, 'src');
    const { sent, collector } = collecting();
    const task = new TaskExecutor(t, { subtopologyId: 0, partition: 0, applicationId: 'app', collector });
    task.init();
    expect(task.streamTimeMs).toBe(-1);
    task.process(consumed('in', 0, '50', 1));
    task.process(consumed('in', 1, '20', 2));
    expect(task.streamTimeMs).toBe(50);
    expect(sent.map((s) => s.timestamp)).toEqual([50, 20]);
    expect(() => task.process(consumed('in', 2, '-5'))).toThrow(StreamsProcessingError);
  });

  it('passes a sink partitioner and the objects to the collector; decorates internal topics', () => {
    const t = new Topology()
      .addInternalTopic('rep')
      .addSource('src', ['in'], io)
      .addSink('sink', 'rep', { ...io, partitioner: (_t: string, _k: string, v: string, n: number) => v.length % n }, 'src');
    const { sent, collector } = collecting();
    const task = new TaskExecutor(t, { subtopologyId: 0, partition: 0, applicationId: 'app', collector });
    task.init();
    task.process(consumed('in', 0, 'abcde'));
    expect(sent).toEqual([{ topic: 'app-rep', value: 'abcde', timestamp: 0, partition: 1 }]);
  });

  it('pushes objects through without serdes when given an object collector (benchmark path)', () => {
    const t = new Topology()
      .addSource('src', ['in'])
      .addProcessor('double', () => {
        let ctx!: ProcessorContext<string, number>;
        return { init: (c: ProcessorContext<string, number>) => void (ctx = c), process: (r: Record<string, number>) => ctx.forward(r.withValue(r.value * 2)) };
      }, 'src')
      .addSink('sink', 'out', {}, 'double');
    const out: [string, unknown][] = [];
    const task = new TaskExecutor(t, {
      subtopologyId: 0,
      partition: 0,
      applicationId: 'app',
      collector: { send: () => expect.unreachable('no bytes expected') },
      objectCollector: { collect: (topic, r) => void out.push([topic, r.value]) },
    });
    task.init();
    task.pushRecord('in', new Record('k', 21, 5));
    expect(out).toEqual([['out', 42]]);
    expect(task.streamTimeMs).toBe(5);
    expect(() => task.pushRecord('nope', new Record('k', 1, 1))).toThrow(/does not read topic "nope"/);
  });

  it('refuses records before init and after close; closes processors', () => {
    let closed = 0;
    const t = new Topology().addSource('src', ['in'], io).addProcessor('p', () => ({ process() {}, close: () => void closed++ }), 'src');
    const task = new TaskExecutor(t, { subtopologyId: 0, partition: 0, applicationId: 'app', collector: collecting().collector });
    expect(() => task.process(consumed('in', 0, 'x'))).toThrow(/not initialized/);
    task.init();
    void task.close();
    expect(closed).toBe(1);
    expect(() => task.process(consumed('in', 0, 'x'))).toThrow(/closed/);
  });

  it('processNext takes the buffered head with the smallest timestamp across topics', () => {
    const t = new Topology().addSource('src', ['left', 'right'], io).addSink('out', 'out', io, 'src');
    const { sent, collector } = collecting();
    const task = new TaskExecutor(t, { subtopologyId: 0, partition: 0, applicationId: 'app', collector });
    task.init();
    task.addRecords([consumed('left', 0, 'L5', 5), consumed('left', 1, 'L1', 1), consumed('right', 0, 'R3', 3), consumed('right', 1, 'R9', 9)]);
    expect(task.bufferedRecords).toBe(4);
    while (task.processNext());
    // Heads compete by timestamp; within a topic the order stays FIFO (L1 waits behind L5).
    expect(sent.map((s) => s.value)).toEqual(['R3', 'L5', 'L1', 'R9']);
    expect(task.streamTimeMs).toBe(9);
    expect(task.bufferedRecords).toBe(0);
    expect(task.processNext()).toBe(false);
    expect(() => task.addRecords([consumed('elsewhere', 0, 'x')])).toThrow(/does not read topic "elsewhere"/);
  });

  it('flushes every store of the task, synchronously when the stores are synchronous', () => {
    const flushed: string[] = [];
    const storeBuilder = (name: string) => ({
      name,
      loggingEnabled: false,
      changelogConfig: {},
      build: () => ({ name, init() {}, flush: () => void flushed.push(name), close() {}, persistent: () => false, isOpen: () => true }),
    });
    const t = new Topology()
      .addSource('src', ['in'], io)
      .addProcessor('p', () => ({ process() {} }), 'src')
      .addStateStore(storeBuilder('one'), 'p')
      .addStateStore(storeBuilder('two'), 'p');
    const task = new TaskExecutor(t, { subtopologyId: 0, partition: 0, applicationId: 'app', collector: collecting().collector });
    task.init();
    expect(task.flushStores()).toBeUndefined();
    expect(flushed).toEqual(['one', 'two']);
  });
});
