import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Named } from '../../dsl/named.js';
import { Produced } from '../../dsl/produced.js';
import { Repartitioned } from '../../dsl/repartitioned.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { TopologyError } from '../../src/core/errors.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import { Record } from '../../src/processor/record.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import type { StateStore } from '../../state/state-store.js';
import type { StoreBuilder } from '../../state/store-builder.js';

const S = Serdes.string();
const strings = Consumed.with(S, S);

class MemoryStore implements StateStore {
  readonly seen: string[] = [];
  #open = false;
  constructor(readonly name: string) {}
  init(): void {
    this.#open = true;
  }
  flush(): void {}
  close(): void {
    this.#open = false;
  }
  persistent(): boolean {
    return false;
  }
  isOpen(): boolean {
    return this.#open;
  }
}
const storeBuilder = (name: string): StoreBuilder<MemoryStore> => ({ name, loggingEnabled: false, changelogConfig: {}, build: () => new MemoryStore(name) });

describe('dsl > StreamsBuilder', () => {
  it('advances the counter for user-named nodes too, so later generated names do not shift', () => {
    const named = new StreamsBuilder();
    named.stream('in', strings).filter(() => true, Named.as('keep')).to('out');
    const unnamed = new StreamsBuilder();
    unnamed.stream('in', strings).filter(() => true).to('out');
    expect(named.build().describe().toString()).toContain('Sink: KSTREAM-SINK-0000000002 (topic: out)');
    expect(unnamed.build().describe().toString()).toContain('Sink: KSTREAM-SINK-0000000002 (topic: out)');
  });

  it('ensureExplicitInternalNaming lists every generated repartition topic', () => {
    const builder = new StreamsBuilder();
    const s = builder.stream('in', strings).selectKey((_k, v) => v);
    s.repartition().to('a');
    s.repartition(Repartitioned.as('named')).to('b');
    s.repartition().to('c');
    expect(() => builder.build()).not.toThrow();
    expect(() => builder.build({ ensureExplicitInternalNaming: true })).toThrow(
      /repartition topic "KSTREAM-REPARTITION-0000000002-repartition", repartition topic "KSTREAM-REPARTITION-0000000012-repartition"/,
    );
    const explicit = new StreamsBuilder();
    explicit.stream('in', strings).repartition(Repartitioned.as('x')).to('out');
    expect(() => explicit.build({ ensureExplicitInternalNaming: true })).not.toThrow();
  });

  it('rejects illegal names and a topic read twice', () => {
    expect(() => Named.as('bad name')).toThrow(TopologyError);
    expect(() => Named.as('')).toThrow(TopologyError);
    const builder = new StreamsBuilder();
    builder.stream('in', strings);
    builder.stream('in', strings);
    expect(() => builder.build()).toThrow(/topic "in" is already read by source "KSTREAM-SOURCE-0000000000"/);
  });

  it('connects process() to stores added with addStateStore, and the processor reaches them', () => {
    const builder = new StreamsBuilder();
    builder.addStateStore(storeBuilder('seen'));
    builder
      .stream('in', strings)
      .process(() => {
        let ctx!: ProcessorContext<string, number>;
        return {
          init: (c: ProcessorContext<string, number>) => void (ctx = c),
          process: (r: Record<string, string>) => {
            const store = ctx.getStateStore<MemoryStore>('seen');
            store.seen.push(r.value);
            ctx.forward(new Record(r.key, store.seen.length, r.timestamp));
          },
        };
      }, 'seen')
      .to('out', Produced.with(S, Serdes.int32()));
    const topology = builder.build();
    expect(topology.describe().toString()).toContain('Processor: KSTREAM-PROCESSOR-0000000001 (stores: [seen])');
    const driver = new TopologyTestDriver(topology, {}, 0);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'a', 1);
    input.pipeInput('k', 'b', 2);
    expect(driver.createOutputTopic('out', S, Serdes.int32()).readValuesToList()).toEqual([1, 2]);
  });

  it('fails fast when process() names a store that was never added', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', strings).process(() => ({ process: () => {} }), 'missing');
    expect(() => builder.build()).toThrow(/uses state store "missing", which is not added/);
  });

  it('writes to the topic a TopicNameExtractor picks per record', () => {
    const builder = new StreamsBuilder();
    builder.stream('in', strings).to(function byFirstLetter(_k, v) {
      return `out-${v[0]}`;
    });
    const topology = builder.build();
    expect(topology.describe().toString()).toContain('Sink: KSTREAM-SINK-0000000001 (extractor class: byFirstLetter)');
    const driver = new TopologyTestDriver(topology, {}, 0);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'apple', 1);
    input.pipeInput('k', 'banana', 2);
    expect(driver.createOutputTopic('out-a', S, S).readValuesToList()).toEqual(['apple']);
    expect(driver.createOutputTopic('out-b', S, S).readValuesToList()).toEqual(['banana']);
  });

  it('repartitionIfRequired inserts <name>-repartition only after a key change, for grouping and joins', () => {
    const builder = new StreamsBuilder();
    const source = builder.stream('in', strings);
    expect(source.repartitionIfRequired('unused', { userNamed: true })).toBe(source);
    const rekeyed = source.selectKey((_k, v) => v);
    const repartitioned = rekeyed.repartitionIfRequired('counts', { userNamed: true });
    expect(repartitioned).not.toBe(rekeyed);
    expect(repartitioned.repartitionRequired).toBe(false);
    expect(repartitioned.repartitionIfRequired('again', { userNamed: true })).toBe(repartitioned);
    repartitioned.to('out');
    const text = builder.build().describe().toString();
    expect(text).toContain('Processor: counts-repartition-filter (stores: [])');
    expect(text).toContain('Sink: counts-repartition-sink (topic: counts-repartition)');
    expect(text).toContain('Source: counts-repartition-source (topics: [counts-repartition])');
    expect(text).toContain('Sink: KSTREAM-SINK-0000000005 (topic: out)');
    expect(() => builder.build({ ensureExplicitInternalNaming: true })).not.toThrow();

    const generated = new StreamsBuilder();
    generated.stream('in', strings).selectKey((_k, v) => v).repartitionIfRequired('KSTREAM-AGGREGATE-STATE-STORE-0000000002', { userNamed: false }).to('out');
    const generatedText = generated.build().describe().toString();
    expect(generatedText).toContain('Sink: KSTREAM-SINK-0000000002 (topic: KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition)');
    expect(generatedText).toContain('Source: KSTREAM-SOURCE-0000000004 (topics: [KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition])');
    expect(() => generated.build({ ensureExplicitInternalNaming: true })).toThrow(/KSTREAM-AGGREGATE-STATE-STORE-0000000002-repartition/);
  });

  it('marks key-changing operations as requiring a repartition, and keeps the flag through the others', () => {
    const builder = new StreamsBuilder();
    const s = builder.stream('in', strings);
    expect(s.repartitionRequired).toBe(false);
    expect(s.filter(() => true).mapValues((v) => v).flatMapValues((v) => [v]).peek(() => {}).repartitionRequired).toBe(false);
    expect(s.map((k, v) => ({ key: v, value: k })).repartitionRequired).toBe(true);
    expect(s.flatMap((k, v) => [{ key: v, value: k }]).repartitionRequired).toBe(true);
    expect(s.process(() => ({ process: () => {} })).repartitionRequired).toBe(true);
    const rekeyed = s.selectKey((_k, v) => v);
    expect(rekeyed.filter(() => true).mapValues((v) => v.length).repartitionRequired).toBe(true);
    expect(rekeyed.merge(s).repartitionRequired).toBe(true);
    expect(rekeyed.repartition().repartitionRequired).toBe(false);
  });
});
