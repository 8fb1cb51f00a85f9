import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { Materialized } from '../../../dsl/materialized.js';
import { Named } from '../../../dsl/named.js';
import { Produced } from '../../../dsl/produced.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { StreamsProcessingError, TopologyError } from '../../../src/core/errors.js';
import type { Processor } from '../../../src/processor/processor.js';
import type { ProcessorContext } from '../../../src/processor/processor-context.js';
import type { Record } from '../../../src/processor/record.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';
import type { KeyValueStore } from '../../../state/key-value-store.js';
import { Stores } from '../../../state/stores.js';
import { Topology } from '../../../src/processor/topology.js';

const S = Serdes.string();

/** Stream values are `<lookup key>|<payload>`; a value without `|` selects a null lookup key. */
const selectLookup = (_k: string | null, v: string): string | null => (v.includes('|') ? v.split('|')[0]! : null);

function build(left: boolean, storeName?: string) {
  const b = new StreamsBuilder();
  const stream = b.stream('orders', Consumed.with(S, S));
  const products = b.globalTable('products', Consumed.with(S, S), storeName === undefined ? undefined : Materialized.as<string, string>(storeName));
  const joiner = (v: string, p: string | null, k: string | null) => `${k}:${v}+${p}`;
  (left ? stream.leftJoin(products, selectLookup, joiner) : stream.join(products, selectLookup, joiner)).to('out', Produced.with(S, S));
  return b;
}

type In = readonly ['S' | 'G', string | null, string | null, number];

function run(left: boolean, inputs: readonly In[]) {
  const driver = new TopologyTestDriver(build(left, 'products-store').build(), { applicationId: 'app' }, 0);
  const topics = { S: driver.createInputTopic('orders', S, S), G: driver.createInputTopic('products', S, S) };
  const out = driver.createOutputTopic('out', S, S);
  const perInput = inputs.map(([side, k, v, ts]) => {
    topics[side].pipeInput(k as string, v as string, ts);
    return out.readRecordsToList().map((r) => `${r.key}=${r.value}@${r.timestamp}`);
  });
  return { driver, perInput };
}

// One table: stream records (S) look up product p1; global table records (G) update it.
const TABLE: { input: In; inner: string[]; left: string[]; why: string }[] = [
  { input: ['S', 'o1', 'p1|a', 1], inner: [], left: ['o1=o1:p1|a+null@1'], why: 'missing key: inner drops, left joins null' },
  { input: ['G', 'p1', 'red', 2], inner: [], left: [], why: 'a table update never emits' },
  { input: ['S', 'o2', 'p1|b', 3], inner: ['o2=o2:p1|b+red@3'], left: ['o2=o2:p1|b+red@3'], why: 'match; stream key and timestamp kept' },
  { input: ['G', 'p1', 'blue', 4], inner: [], left: [], why: 'update after a stream record: no retroactive output' },
  { input: ['S', 'o3', 'p1|c', 5], inner: ['o3=o3:p1|c+blue@5'], left: ['o3=o3:p1|c+blue@5'], why: 'the update is seen by later records' },
  { input: ['G', 'p1', null, 6], inner: [], left: [], why: 'a tombstone deletes and does not emit' },
  { input: ['S', 'o4', 'p1|d', 7], inner: [], left: ['o4=o4:p1|d+null@7'], why: 'after the tombstone the key is missing' },
  { input: ['S', 'o5', 'nokey', 8], inner: [], left: ['o5=o5:nokey+null@8'], why: 'null selected key: inner drops, left joins null (KIP-962)' },
  { input: ['S', 'o6', null, 9], inner: [], left: [], why: 'a null stream value is dropped by both' },
  { input: ['G', 'p2', 'green', 10], inner: [], left: [], why: 'another key' },
  { input: ['S', null, 'p2|e', 11], inner: ['null=null:p2|e+green@11'], left: ['null=null:p2|e+green@11'], why: 'a null stream key still joins (the selector decides)' },
  { input: ['G', null, 'ignored', 12], inner: [], left: [], why: 'a global record with a null key is dropped' },
  { input: ['S', 'o7', 'p3|f', 13], inner: [], left: ['o7=o7:p3|f+null@13'], why: 'an unknown key' },
];

describe('dsl > KStream–GlobalKTable joins', () => {
  for (const kind of ['inner', 'left'] as const) {
    it(`${kind} join: ${TABLE.length} steps of missing keys, updates, tombstones and null keys/values`, () => {
      const { perInput } = run(kind === 'left', TABLE.map((t) => t.input));
      perInput.forEach((got, i) => expect(got, `step ${i}: ${TABLE[i]!.why}`).toEqual(TABLE[i]![kind]));
    });
  }

  it('counts the records it drops (null values; null lookup keys in the inner join; null-key table records)', () => {
    const inner = run(false, TABLE.map((t) => t.input)).driver.metrics()['dropped-records-total'];
    const left = run(true, TABLE.map((t) => t.input)).driver.metrics()['dropped-records-total'];
    // inner: o5 (null lookup), o6 (null value), the null-key global record; left: o6 and the global record.
    expect(inner).toBe(3);
    expect(left).toBe(2);
  });

  it('serves the global store through getKeyValueStore and getTimestampedKeyValueStore', () => {
    const { driver } = run(false, [['G', 'p1', 'red', 5], ['G', 'p2', 'blue', 6], ['G', 'p1', null, 7]]);
    expect(driver.getKeyValueStore<string, string>('products-store').all()).toEqual([{ key: 'p2', value: 'blue' }]);
    expect(driver.getTimestampedKeyValueStore<string, string>('products-store').get('p2')).toEqual({ value: 'blue', timestamp: 6 });
  });

  it('a topology writing to the global topic updates the global store too', () => {
    const b = new StreamsBuilder();
    b.stream('raw-products', Consumed.with(S, S)).mapValues((v) => v.toUpperCase()).to('products', Produced.with(S, S));
    const products = b.globalTable('products', Consumed.with(S, S), Materialized.as<string, string>('p'));
    b.stream('orders', Consumed.with(S, S)).join(products, (_k, v) => v, (v, p) => `${v}:${p}`).to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    driver.createInputTopic('raw-products', S, S).pipeInput('p1', 'red', 1);
    driver.createInputTopic('orders', S, S).pipeInput('o1', 'p1', 2);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'o1', value: 'p1:RED' }]);
    expect(driver.getKeyValueStore('p').get('p1')).toBe('RED');
  });

  it('keeps a pending key change: a later aggregation still repartitions', () => {
    const b = new StreamsBuilder();
    const g = b.globalTable('g', Consumed.with(S, S));
    b.stream('s', Consumed.with(S, S))
      .selectKey((_k, v) => v)
      .join(g, (k) => k, (v, gv) => `${v}${gv}`)
      .groupByKey()
      .count();
    expect(b.build().describe().toString()).toContain('-repartition');
  });

  it('a processor may read a global store without connecting it, but not write it', () => {
    class Writer implements Processor<string, string, string, string> {
      #store!: KeyValueStore<string, unknown>;
      init(ctx: ProcessorContext<string, string>) {
        this.#store = ctx.getStateStore('g-store');
      }
      process(r: Record<string, string>) {
        expect(this.#store.get('p1')).toEqual({ value: 'red', timestamp: 1 });
        this.#store.put(r.key, null);
      }
    }
    const b = new StreamsBuilder();
    b.globalTable('g', Consumed.with(S, S), Materialized.as<string, string>('g-store'));
    b.stream('s', Consumed.with(S, S)).process(() => new Writer());
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    driver.createInputTopic('g', S, S).pipeInput('p1', 'red', 1);
    const error = (() => {
      try {
        driver.createInputTopic('s', S, S).pipeInput('p1', 'x', 2);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StreamsProcessingError);
    expect((error as Error & { cause: unknown }).cause).toBeInstanceOf(TopologyError);
    expect(String((error as { cause: Error }).cause.message)).toMatch(/global store "g-store" is read-only/);
    expect(driver.getKeyValueStore('g-store').get('p1')).toBe('red');
  });

  it('rejects a key selector or joiner that is not a function, and a global table of another builder', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('s');
    const g = b.globalTable<string, string>('g');
    expect(() => s.join(g, 'x' as never, (v) => v)).toThrow(TypeError);
    expect(() => s.leftJoin(g, (k) => k, 1 as never)).toThrow(TypeError);
    const other = new StreamsBuilder().globalTable<string, string>('g');
    expect(() => s.join(other, (k) => k, (v) => v)).toThrow(/same StreamsBuilder/);
  });

  it('property: the joined output equals a Map model where each stream record sees the table as of its arrival', () => {
    const key = fc.constantFrom('p0', 'p1', 'p2', 'p3');
    const step = fc.oneof(
      fc.tuple(fc.constant('G' as const), key, fc.option(fc.string({ maxLength: 3 }), { nil: null })),
      fc.tuple(fc.constant('S' as const), fc.option(key, { nil: null }), fc.option(fc.string({ maxLength: 3 }), { nil: null })),
    );
    fc.assert(
      fc.property(fc.boolean(), fc.array(step, { maxLength: 60 }), (left, steps) => {
        const b = new StreamsBuilder();
        const g = b.globalTable('g', Consumed.with(S, S), Materialized.as<string, string>('g'));
        const s = b.stream('s', Consumed.with(S, S));
        // The stream key is the lookup key: a null key selects a null lookup key.
        const joiner = (v: string, gv: string | null) => `${v}/${gv}`;
        (left ? s.leftJoin(g, (k) => k, joiner) : s.join(g, (k) => k, joiner)).to('out', Produced.with(S, S));
        const driver = new TopologyTestDriver(b.build(), {}, 0);
        const gIn = driver.createInputTopic('g', S, S);
        const sIn = driver.createInputTopic('s', S, S);
        const model = new Map<string, string>();
        const expected: { key: string | null; value: string }[] = [];
        steps.forEach(([side, k, v], i) => {
          if (side === 'G') {
            gIn.pipeInput(k, v as string, i);
            if (v === null) model.delete(k);
            else model.set(k, v);
            return;
          }
          sIn.pipeInput(k as string, v as string, i);
          if (v === null) return;
          const row = k === null ? undefined : model.get(k);
          if (row !== undefined || left) expected.push({ key: k, value: `${v}/${row ?? null}` });
        });
        expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual(expected);
        expect(new Map(driver.getKeyValueStore<string, string>('g').all().map((e) => [e.key, e.value]))).toEqual(model);
        driver.close();
      }),
    );
  });
});

describe('dsl > globalTable describe()', () => {
  it("prints the global store as Kafka does: its own sub-topology that generates no tasks, Kafka's generated names", () => {
    const b = new StreamsBuilder();
    b.globalTable('demo-global-table');
    expect(b.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0 for global store (will not generate tasks)\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [demo-global-table])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [demo-global-table-STATE-STORE-0000000000])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n',
    );
  });

  it('numbers global and stream sub-topologies together; the join lists no store', () => {
    // Kafka's weather example: a global table first, then a stream left-joined to it.
    const b = new StreamsBuilder();
    const stations = b.globalTable('weather-stations', Consumed.with(S, S));
    b.stream('temperature.values', Consumed.with(S, S))
      .leftJoin(stations, (k) => k, (v, st) => `${v}${st}`)
      .to('out', Produced.with(S, S));
    const topology = b.build();
    expect(topology.describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0 for global store (will not generate tasks)\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [weather-stations])\n' +
        '      --> KTABLE-SOURCE-0000000002\n' +
        '    Processor: KTABLE-SOURCE-0000000002 (stores: [weather-stations-STATE-STORE-0000000000])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000001\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000003 (topics: [temperature.values])\n' +
        '      --> KSTREAM-LEFTJOIN-0000000004\n' +
        '    Processor: KSTREAM-LEFTJOIN-0000000004 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000005\n' +
        '      <-- KSTREAM-SOURCE-0000000003\n' +
        '    Sink: KSTREAM-SINK-0000000005 (topic: out)\n' +
        '      <-- KSTREAM-LEFTJOIN-0000000004\n\n',
    );
    expect(topology.subtopologies().map((s) => [s.id, s.global])).toEqual([[0, true], [1, false]]);
  });

  it('names nodes after Consumed and Named, and the store after Materialized', () => {
    const b = new StreamsBuilder();
    const g = b.globalTable('g', Consumed.as<string, string>('rates'), Materialized.as<string, string>('rates-store'));
    b.stream<string, string>('s').join(g, (k) => k, (v) => v, Named.as('enrich'));
    const text = b.build().describe().toString();
    expect(text).toContain('Source: rates-table-source (topics: [g])');
    expect(text).toContain('Processor: rates (stores: [rates-store])');
    expect(text).toContain('Processor: enrich (stores: [])');
    expect(g.queryableStoreName).toBe('rates-store');
    expect(new StreamsBuilder().globalTable('x').queryableStoreName).toBeUndefined();
  });

  it('ensureExplicitInternalNaming flags a generated global store name', () => {
    const b = new StreamsBuilder();
    b.globalTable('g');
    expect(() => b.build({ ensureExplicitInternalNaming: true })).toThrow(/state store "g-STATE-STORE-0000000000"/);
    const named = new StreamsBuilder();
    named.globalTable('g', undefined, Materialized.as('g-store'));
    expect(() => named.build({ ensureExplicitInternalNaming: true })).not.toThrow();
  });
});

describe('processor > Topology.addGlobalStore', () => {
  const store = (name: string) => Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), S, S);

  class Upper implements Processor<string, string, void, void> {
    #store!: KeyValueStore<string, string>;
    init(ctx: ProcessorContext<void, void>) {
      this.#store = ctx.getStateStore('rates');
    }
    process(r: Record<string, string>) {
      this.#store.put(r.key, r.value.toUpperCase());
    }
  }

  class Lookup implements Processor<string, string, string, string> {
    #ctx!: ProcessorContext<string, string>;
    init(ctx: ProcessorContext<string, string>) {
      this.#ctx = ctx;
    }
    process(r: Record<string, string>) {
      this.#ctx.forward(r.withValue(String(this.#ctx.getStateStore<KeyValueStore<string, string>>('rates').get(r.value))));
    }
  }

  it('runs a custom global processor that writes its own store; other processors read it by name', () => {
    const topology = new Topology()
      .addGlobalStore(store('rates').withLoggingDisabled(), 'rates-source', { keySerde: S, valueSerde: S }, 'rates', 'rates-updater', () => new Upper())
      .addSource('in', ['in'], { keySerde: S, valueSerde: S })
      .addProcessor('lookup', () => new Lookup(), 'in')
      .addSink('out', 'out', { keySerde: S, valueSerde: S }, 'lookup');
    // Ids follow Kafka: sorted source names first ('in' < 'rates-source'), global stores included.
    expect(topology.describe().toString()).toContain('Sub-topology: 1 for global store (will not generate tasks)\n    Source: rates-source (topics: [rates])');
    const driver = new TopologyTestDriver(topology, {}, 0);
    driver.createInputTopic('rates', S, S).pipeInput('eur', 'one', 1);
    driver.createInputTopic('in', S, S).pipeKeyValueList([{ key: 'a', value: 'eur' }, { key: 'b', value: 'usd' }]);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'a', value: 'ONE' }, { key: 'b', value: 'null' }]);
  });

  it('refuses a logged store, a second reader of the topic, and connecting a processor to a global store', () => {
    expect(() => new Topology().addGlobalStore(store('g'), 's', {}, 't', 'p', () => new Upper())).toThrow(/must have logging disabled: its source topic "t"/);
    const t = new Topology().addSource('s1', ['t']);
    expect(() => t.addGlobalStore(store('g').withLoggingDisabled(), 's2', {}, 't', 'p', () => new Upper())).toThrow(TopologyError);
    expect([...t.nodes().keys()]).toEqual(['s1']);
    const g = new Topology()
      .addGlobalStore(store('g').withLoggingDisabled(), 's', {}, 'gt', 'p', () => new Upper())
      .addSource('in', ['in'])
      .addProcessor('user', () => new Upper(), 'in');
    expect(() => g.connectProcessorAndStateStores('user', 'g')).toThrow(/cannot connect global store "g"/);
    expect(g.subtopologies().map((s) => [s.id, s.global])).toEqual([[0, false], [1, true]]);
  });
});
