import { describe, expect, expectTypeOf, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { Materialized } from '../../../dsl/materialized.js';
import { Named } from '../../../dsl/named.js';
import { Produced } from '../../../dsl/produced.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { TableJoined } from '../../../dsl/table-joined.js';
import type { KTable } from '../../../dsl/ktable.js';
import { responseResolverProcessor } from '../../../dsl/internal/fk-response-resolver-processor.js';
import { valueHash } from '../../../dsl/internal/fk-value-hash.js';
import { TopologyError } from '../../../src/core/errors.js';
import type { ProcessorContext } from '../../../src/processor/processor-context.js';
import { Record as StreamRecord } from '../../../src/processor/record.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
/** Left values are `name|fk`; without a `|` the foreign key is null. */
const fkOf = (value: string): string | null => (value.includes('|') ? value.split('|')[1]! : null);
const joiner = (l: string, r: string | null) => `${l}+${r}`;
type Kind = 'join' | 'leftJoin';

function build(kind: Kind, options?: { tableJoined?: TableJoined<string, string> | Named; store?: string }) {
  const b = new StreamsBuilder();
  const left = b.table('left', Consumed.with(S, S));
  const right = b.table('right', Consumed.with(S, S));
  const materialized = options?.store === undefined ? undefined : Materialized.as<string, string>(options.store).withValueSerde(S);
  const result =
    kind === 'join'
      ? options?.tableJoined === undefined
        ? left.join(right, fkOf, joiner, materialized)
        : left.join(right, fkOf, joiner, options.tableJoined, materialized)
      : options?.tableJoined === undefined
        ? left.leftJoin(right, fkOf, joiner, materialized)
        : left.leftJoin(right, fkOf, joiner, options.tableJoined, materialized);
  result.toStream().to('out', Produced.with(S, S));
  return b;
}

type Step = readonly ['L' | 'R', string, string | null, number];

function run(kind: Kind, steps: readonly Step[], store?: string) {
  const driver = new TopologyTestDriver(build(kind, { store }).build(), { applicationId: 'app' }, 0);
  const inputs = { L: driver.createInputTopic('left', S, S), R: driver.createInputTopic('right', S, S) };
  const out = driver.createOutputTopic('out', S, S);
  const perStep = steps.map(([side, key, value, ts]) => {
    inputs[side].pipeInput(key, value as string, ts);
    return out.readRecordsToList().map((r) => `${r.key}=${r.value}@${r.timestamp}`);
  });
  return { driver, perStep };
}

// One scenario, the expected output of each step for the inner and the left join (Kafka's
// SubscriptionSendProcessorSupplier / ResponseJoinProcessorSupplier rules; tombstones as null).
const SCENARIO: readonly { step: Step; why: string; inner: string[]; left: string[] }[] = [
  { step: ['L', 'a', 'A|x', 1], why: 'left row, no right row yet', inner: [], left: ['a=A|x+null@1'] },
  { step: ['R', 'x', 'X1', 2], why: 'right row arrives', inner: ['a=A|x+X1@2'], left: ['a=A|x+X1@2'] },
  { step: ['L', 'b', 'B|x', 3], why: 'second left row on the same FK', inner: ['b=B|x+X1@3'], left: ['b=B|x+X1@3'] },
  { step: ['R', 'x', 'X2', 4], why: 'right update re-emits every subscriber', inner: ['a=A|x+X2@4', 'b=B|x+X2@4'], left: ['a=A|x+X2@4', 'b=B|x+X2@4'] },
  { step: ['L', 'a', 'A2|x', 5], why: 'left update, same FK', inner: ['a=A2|x+X2@5'], left: ['a=A2|x+X2@5'] },
  { step: ['L', 'a', 'A3|y', 6], why: 'FK changes to one without a match', inner: ['a=null@6'], left: ['a=A3|y+null@6'] },
  { step: ['R', 'x', 'X3', 7], why: 'the old FK no longer reaches a', inner: ['b=B|x+X3@7'], left: ['b=B|x+X3@7'] },
  { step: ['R', 'y', 'Y1', 8], why: 'the new FK gets its match', inner: ['a=A3|y+Y1@8'], left: ['a=A3|y+Y1@8'] },
  { step: ['L', 'a', 'A4', 9], why: 'FK turns null', inner: ['a=null@9'], left: ['a=A4+null@9'] },
  { step: ['R', 'y', 'Y2', 10], why: 'a unsubscribed from y', inner: [], left: [] },
  { step: ['R', 'x', null, 11], why: 'right tombstone', inner: ['b=null@11'], left: ['b=B|x+null@11'] },
  { step: ['L', 'b', null, 12], why: 'left tombstone', inner: ['b=null@12'], left: ['b=null@12'] },
  { step: ['L', 'c', 'C|z', 13], why: 'no match', inner: [], left: ['c=C|z+null@13'] },
  { step: ['L', 'c', null, 14], why: 'left tombstone of a row without a result: Kafka still sends one', inner: ['c=null@14'], left: ['c=null@14'] },
  { step: ['L', 'd', null, 15], why: 'delete of an absent row', inner: [], left: [] },
  { step: ['L', 'a', 'A5', 16], why: 'null FK, null before', inner: [], left: ['a=A5+null@16'] },
  { step: ['R', 'z', 'Z1', 17], why: 'nobody subscribes to z any more', inner: [], left: [] },
];

describe('dsl > KTable foreign-key join', () => {
  for (const kind of ['join', 'leftJoin'] as const) {
    it(`${kind}: emits Kafka's results step by step`, () => {
      const { perStep } = run(kind, SCENARIO.map((s) => s.step));
      const expected = SCENARIO.map((s) => (kind === 'join' ? s.inner : s.left));
      SCENARIO.forEach((s, i) => expect(perStep[i], `step ${i + 1}: ${s.why}`).toEqual(expected[i]));
    });
  }

  it('materializes the result under the given name, keyed by the left key', () => {
    const { driver } = run('join', SCENARIO.slice(0, 8).map((s) => s.step), 'enriched');
    const store = driver.getKeyValueStore<string, string>('enriched');
    expect(store.all()).toEqual([{ key: 'a', value: 'A3|y+Y1' }, { key: 'b', value: 'B|x+X3' }]);
    driver.close();
  });

  it('describe() shows Kafka’s nodes, store and internal topics', () => {
    const text = build('join').build().describe().toString();
    expect(text).toBe(`Topologies:
   Sub-topology: 0
    Source: KTABLE-SOURCE-0000000016 (topics: [KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic])
      --> KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017
    Source: KSTREAM-SOURCE-0000000001 (topics: [left])
      --> KTABLE-SOURCE-0000000002
    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017 (stores: [left-STATE-STORE-0000000000])
      --> KTABLE-FK-JOIN-OUTPUT-0000000018
      <-- KTABLE-SOURCE-0000000016
    Processor: KTABLE-FK-JOIN-OUTPUT-0000000018 (stores: [])
      --> KTABLE-TOSTREAM-0000000020
      <-- KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-0000000017
    Processor: KTABLE-SOURCE-0000000002 (stores: [left-STATE-STORE-0000000000])
      --> KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007
      <-- KSTREAM-SOURCE-0000000001
    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007 (stores: [])
      --> KTABLE-SINK-0000000008
      <-- KTABLE-SOURCE-0000000002
    Processor: KTABLE-TOSTREAM-0000000020 (stores: [])
      --> KSTREAM-SINK-0000000021
      <-- KTABLE-FK-JOIN-OUTPUT-0000000018
    Sink: KSTREAM-SINK-0000000021 (topic: out)
      <-- KTABLE-TOSTREAM-0000000020
    Sink: KTABLE-SINK-0000000008 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic)
      <-- KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000007

  Sub-topology: 1
    Source: KSTREAM-SOURCE-0000000004 (topics: [right])
      --> KTABLE-SOURCE-0000000005
    Source: KTABLE-SOURCE-0000000009 (topics: [KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic])
      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011
    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])
      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012
      <-- KTABLE-SOURCE-0000000009
    Processor: KTABLE-SOURCE-0000000005 (stores: [right-STATE-STORE-0000000003])
      --> KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013
      <-- KSTREAM-SOURCE-0000000004
    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012 (stores: [right-STATE-STORE-0000000003])
      --> KTABLE-SINK-0000000015
      <-- KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000011
    Processor: KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013 (stores: [KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010])
      --> KTABLE-SINK-0000000015
      <-- KTABLE-SOURCE-0000000005
    Sink: KTABLE-SINK-0000000015 (topic: KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic)
      <-- KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000012, KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-0000000013

`);
  });

  it('TableJoined.as (or Named) names every node, the store and both topics, as Kafka’s suffixes', () => {
    for (const tableJoined of [TableJoined.as<string, string>('enrich'), Named.as('enrich')]) {
      const text = build('leftJoin', { tableJoined }).build().describe().toString();
      for (const name of [
        'enrich-subscription-registration-processor', 'enrich-subscription-registration-sink', 'enrich-subscription-registration-source',
        'enrich-subscription-receive', 'enrich-subscription-join-foreign', 'enrich-foreign-join-subscription', 'enrich-subscription-response-sink',
        'enrich-subscription-response-source', 'enrich-subscription-response-resolver', 'enrich-result', 'enrich-subscription-store',
        'topic: enrich-subscription-registration-topic', 'topic: enrich-subscription-response-topic',
      ]) expect(text).toContain(name);
      expect(text).not.toContain('KTABLE-FK-JOIN');
      // The counter still advanced: the next generated name is the one it would be unnamed.
      expect(text).toContain('KTABLE-TOSTREAM-0000000020');
    }
  });

  it('names the internal topics <applicationId>-…-topic when it runs', () => {
    const { driver } = run('join', [['L', 'a', 'A|x', 1], ['R', 'x', 'X', 2]]);
    expect(driver.producedTopicNames()).toEqual(
      expect.arrayContaining(['app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic', 'app-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic', 'app-KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010-changelog']),
    );
    driver.close();
  });

  it('ensureExplicitInternalNaming lists the generated topics and subscription store; TableJoined.as satisfies it', () => {
    const unnamed = build('join');
    expect(() => unnamed.build({ ensureExplicitInternalNaming: true })).toThrow(/repartition topic "KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic".*repartition topic "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000014-topic".*state store "KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-0000000010"/);
    const b = new StreamsBuilder();
    const left = b.table('left', Consumed.with(S, S), Materialized.as('l'));
    const right = b.table('right', Consumed.with(S, S), Materialized.as('r'));
    left.join(right, fkOf, joiner, TableJoined.as('j'), Materialized.as<string, string>('out').withValueSerde(S));
    expect(() => b.build({ ensureExplicitInternalNaming: true })).not.toThrow();
  });

  it('counts inner-join rows dropped for a null foreign key', () => {
    const { driver } = run('join', [['L', 'a', 'no-fk', 1], ['L', 'b', 'also-none', 2]]);
    expect(driver.metrics()['dropped-records-total']).toBe(2);
    driver.close();
  });

  it('the extractor gets the key too (KIP-1104), and an undefined foreign key counts as null', () => {
    const b = new StreamsBuilder();
    const left = b.table('left', Consumed.with(S, S));
    const right = b.table('right', Consumed.with(S, S));
    left.leftJoin(right, (_v, k) => (k === 'none' ? undefined : `fk-${k}`), (l, r) => `${l}/${r}`).toStream().to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    driver.createInputTopic('right', S, S).pipeInput('fk-a', 'R', 1);
    const input = driver.createInputTopic('left', S, S);
    input.pipeInput('a', 'L', 2);
    input.pipeInput('none', 'N', 3);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([{ key: 'a', value: 'L/R' }, { key: 'none', value: 'N/null' }]);
    driver.close();
  });

  it('fails with a TopologyError naming the join when a table has no serdes', () => {
    const b = new StreamsBuilder();
    const left = b.table<string, string>('left', Consumed.with(S, S));
    const right = b.table<string, string>('right');
    left.join(right, fkOf, joiner).toStream().to('out', Produced.with(S, S));
    const driver = new TopologyTestDriver(b.build(), { defaultKeySerde: S, defaultValueSerde: S }, 0);
    let error: unknown;
    try {
      driver.createInputTopic('left', S, S).pipeInput('a', 'A|x', 1);
    } catch (e) {
      error = e;
    }
    // The task wraps it (naming processor, topic, partition and offset); the cause says what to fix.
    expect((error as Error).cause).toBeInstanceOf(TopologyError);
    expect(((error as Error).cause as Error).message).toMatch(/foreign-key join "KTABLE-FK-JOIN-OUTPUT-0000000018" has no right table key serde/);
  });

  it('types: the result is keyed by the left key with the joiner’s value; key joins still infer', () => {
    const b = new StreamsBuilder();
    const orders = b.table('orders', Consumed.with(S, Serdes.json<{ customer: string; total: number }>()));
    const customers = b.table('customers', Consumed.with(Serdes.long(), Serdes.json<{ name: string }>()));
    const inner = orders.join(customers, (o) => o.total, (o, c) => ({ total: o.total, name: c.name }));
    const left = orders.leftJoin(customers, (o) => o.total, (o, c) => c?.name ?? o.customer, TableJoined.as('x'));
    expectTypeOf(inner).toEqualTypeOf<KTable<string, { total: number; name: string }>>();
    expectTypeOf(left).toEqualTypeOf<KTable<string, string>>();
    const same = b.table('same', Consumed.with(S, S));
    expectTypeOf(orders.join(same, (o, s) => `${o.total}${s}`)).toEqualTypeOf<KTable<string, string>>();
    // A key join whose third argument is not a function must not be taken for a foreign-key join.
    const counts = b.table('counts', Consumed.with(S, Serdes.long()));
    expectTypeOf(orders.leftJoin(counts, (o, n) => n ?? o.total, Materialized.as<string, number>('m'))).toEqualTypeOf<KTable<string, number>>();
  });

  it('joins a table with itself (employee -> manager), both sides in one sub-topology', () => {
    const b = new StreamsBuilder();
    const staff = b.table('staff', Consumed.with(S, S));
    staff.leftJoin(staff, fkOf, (e, m) => `${e.split('|')[0]} reports to ${m?.split('|')[0] ?? 'nobody'}`).toStream().to('out', Produced.with(S, S));
    const topology = b.build();
    expect(topology.subtopologies()).toHaveLength(1);
    const driver = new TopologyTestDriver(topology, {}, 0);
    const input = driver.createInputTopic('staff', S, S);
    input.pipeInput('ann', 'Ann', 1);
    input.pipeInput('bob', 'Bob|ann', 2);
    input.pipeInput('ann', 'Anne', 3);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'ann', value: 'Ann reports to nobody' },
      { key: 'bob', value: 'Bob reports to Ann' },
      { key: 'bob', value: 'Bob reports to Anne' },
      { key: 'ann', value: 'Anne reports to nobody' },
    ]);
    driver.close();
  });

  it('rejects a fourth argument that is not TableJoined, Named or Materialized', () => {
    const b = new StreamsBuilder();
    const left = b.table('left', Consumed.with(S, S));
    const right = b.table('right', Consumed.with(S, S));
    expect(() => left.join(right, fkOf, joiner, 'nope' as never)).toThrow(TypeError);
  });
});

describe('dsl > foreign-key join response resolver', () => {
  // Stale answers cannot happen in the synchronous driver (each answer returns before the next
  // input), so the resolver is driven directly: an answer computed for an older left value.
  function resolver(leftJoin: boolean, current: string | null) {
    const forwarded: (string | null)[] = [];
    let dropped = 0;
    const store = { get: () => (current === null ? null : { value: current, timestamp: 1 }) };
    const context = {
      getStateStore: () => store,
      forward: (r: StreamRecord<string, string | null>) => forwarded.push(r.value),
      recordDropped: () => dropped++,
    } as unknown as ProcessorContext<string, string | null>;
    const p = responseResolverProcessor<string, string, string, string>({ leftStoreName: 'left', valueSerde: S, topic: 't', joiner: (l, r) => `${l}+${r}`, leftJoin })();
    p.init?.(context);
    const answer = (forValue: string | null, foreignValue: string | null) =>
      p.process(new StreamRecord('k', { hash: valueHash(S, forValue, 't'), foreignValue, primaryPartition: 0 }, 5));
    return { answer, forwarded, dropped: () => dropped };
  }

  it('drops an answer whose hash is not the current left value’s and joins the current one', () => {
    const r = resolver(false, 'new|x');
    r.answer('old|x', 'X');
    expect(r.forwarded).toEqual([]);
    expect(r.dropped()).toBe(1);
    r.answer('new|x', 'X');
    expect(r.forwarded).toEqual(['new|x+X']);
  });

  it('an answer for a deleted row (null hash) is stale once the row exists again, and vice versa', () => {
    const exists = resolver(true, 'back|x');
    exists.answer(null, null);
    expect(exists.dropped()).toBe(1);
    const deleted = resolver(true, null);
    deleted.answer('was|x', 'X');
    expect(deleted.dropped()).toBe(1);
    deleted.answer(null, 'X');
    expect(deleted.forwarded).toEqual([null]);
  });

  it('no right value: tombstone for the inner join, joiner(left, null) for the left join', () => {
    const inner = resolver(false, 'v|x');
    inner.answer('v|x', null);
    const left = resolver(true, 'v|x');
    left.answer('v|x', null);
    expect([inner.forwarded, left.forwarded]).toEqual([[null], ['v|x+null']]);
  });
});
