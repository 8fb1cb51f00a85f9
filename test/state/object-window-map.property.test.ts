/**
 * The object level of the in-memory window store (a metered layer right on it, no cache, no
 * changelog) against the byte path it replaces — the same metered layer over a change-logging layer
 * over the in-memory byte store, with the same serdes. Every read, write error and listener call
 * must be the same, including the keys serdes do not round-trip (-0, NaN, lone surrogates, bigint
 * longs), values kept as bytes (objects, -0, tombstones in a ValueAndTimestamp) and raw changelog
 * records the key serde cannot decode.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Materialized } from '../../dsl/materialized.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { TimeWindows } from '../../dsl/windows/time-windows.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';
import { ReadOnlyViews } from '../../state/read-only-views.js';
import type { Windowed } from '../../src/core/windowed.js';
import { ValueAndTimestampSerde, type ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { Serde } from '../../src/serdes/serde.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { InMemoryWindowStore } from '../../state/in-memory-window-store.js';
import { MeteredWindowStore } from '../../state/metered-window-store.js';
import { Stores } from '../../state/stores.js';
import { FakeStoreContext } from './fake-store-context.js';

const MIN = 60_000;
const RETENTION = 5 * MIN;
const STARTS = [0, MIN, 2 * MIN, 3 * MIN, 5 * MIN, 7 * MIN, 10 * MIN];
const TIMES = [Number.MIN_SAFE_INTEGER, ...STARTS, Number.MAX_SAFE_INTEGER];

interface Case {
  readonly name: string;
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  readonly keys: readonly unknown[];
  readonly values: readonly unknown[];
}

const vt = (value: unknown, timestamp: number): ValueAndTimestamp<unknown> => ({ value, timestamp });
const cases: Case[] = [
  {
    name: 'string keys, ValueAndTimestamp<long> values',
    keySerde: Serdes.string() as Serde<unknown>,
    valueSerde: new ValueAndTimestampSerde(Serdes.long()) as Serde<unknown>,
    keys: ['a', 'b', 'ab', 'a\u0000', '', '\uD800', '\uDFFF', '\uFFFD', 'é', '\u{1F600}', '\uFFFF', '\uE000', 7],
    values: [vt(1, 5), vt(2, 0), vt(-0, 3), vt(2 ** 53 - 1, 9), vt(null, 1), vt(1.5, 1), vt(4, -0), vt(6, 2 ** 60)],
  },
  {
    name: 'int32 keys, string values',
    keySerde: Serdes.int32() as Serde<unknown>,
    valueSerde: Serdes.string() as Serde<unknown>,
    keys: [0, -0, 1, -1, 2147483647, -2147483648, 1.5, 'x'],
    values: ['x', '', '\uD800', 'é', 3],
  },
  {
    name: 'long keys, ValueAndTimestamp<string> values',
    keySerde: Serdes.long() as Serde<unknown>,
    valueSerde: new ValueAndTimestampSerde(Serdes.string()) as Serde<unknown>,
    keys: [0, -0, 1, -1, 5, 5n, 2 ** 53 - 1, -(2 ** 53 - 1), 2n ** 60n, 0.5],
    values: [vt('x', 1), vt('\uDC00', 2), vt('', 3), vt(null, 4)],
  },
  {
    name: 'double keys, long values',
    keySerde: Serdes.double() as Serde<unknown>,
    valueSerde: Serdes.long() as Serde<unknown>,
    keys: [0, -0, Number.NaN, 1.5, -1.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
    values: [0, -0, 1, -1, 2 ** 53, 5n],
  },
  {
    name: 'json keys and values (bytes only)',
    keySerde: Serdes.json(),
    valueSerde: Serdes.json(),
    keys: [{ a: 1 }, 'a', 1, [1], { a: 2 }],
    values: [{ n: 1 }, [1, 2], 'v', 0],
  },
  {
    name: 'bytes keys and values',
    keySerde: Serdes.bytes() as Serde<unknown>,
    valueSerde: Serdes.bytes() as Serde<unknown>,
    keys: [Buffer.from('a'), Buffer.from([0x61, 0]), Buffer.from(''), Buffer.from([0xff])],
    values: [Buffer.from('1'), Buffer.from('')],
  },
];

type Op =
  | { kind: 'put'; key: number; value: number | null; start: number }
  | { kind: 'fetch'; key: number; start: number }
  | { kind: 'keyFetch'; key: number; from: number; to: number; backward: boolean }
  | { kind: 'range'; from: number | null; to: number | null; timeFrom: number; timeTo: number; backward: boolean }
  | { kind: 'all'; backward: boolean }
  | { kind: 'restore'; key: number | 'garbage'; value: number | null; start: number };

function ops(c: Case): fc.Arbitrary<Op[]> {
  const key = fc.nat({ max: c.keys.length - 1 });
  const value = fc.option(fc.nat({ max: c.values.length - 1 }), { freq: 6 });
  const start = fc.constantFrom(...STARTS);
  const time = fc.constantFrom(...TIMES);
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key, value, start }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('fetch' as const), key, start }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('keyFetch' as const), key, from: time, to: time, backward: fc.boolean() }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('range' as const), from: fc.option(key), to: fc.option(key), timeFrom: time, timeTo: time, backward: fc.boolean() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('all' as const), backward: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const), key: fc.oneof(key, fc.constant('garbage' as const)), value, start }) },
  );
  return fc.array(op, { maxLength: 40 });
}

/** The result of a call, or the class of what it threw. */
function outcome(fn: () => unknown): unknown {
  try {
    return { ok: fn() };
  } catch (e) {
    return { threw: (e as Error).constructor.name };
  }
}

/** Kafka's changelog key: `<key><start int64 BE><seq int32 BE>`. */
function changelogKey(key: Buffer, start: number): Buffer {
  const out = Buffer.alloc(key.length + 12);
  key.copy(out);
  out.writeBigInt64BE(BigInt(start), key.length);
  return out;
}

type Heard = [Windowed<unknown>, unknown, unknown, number];

async function run(c: Case, list: Op[], listen: boolean): Promise<void> {
  const build = (logging: boolean) => {
    const b = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', RETENTION, MIN, false), c.keySerde, c.valueSerde);
    return (logging ? b.withLoggingEnabled() : b.withLoggingDisabled()).build();
  };
  const fast = build(false);
  const slow = build(true);
  await fast.init(new FakeStoreContext(), fast);
  await slow.init(new FakeStoreContext(), slow);
  const heard: { fast: Heard[]; slow: Heard[] } = { fast: [], slow: [] };
  if (listen) {
    fast.setFlushListener((k, n, o, ts) => heard.fast.push([k, n, o, ts]));
    slow.setFlushListener((k, n, o, ts) => heard.slow.push([k, n, o, ts]));
  }
  const apply = (s: MeteredWindowStore<unknown, unknown>, op: Op): unknown => {
    switch (op.kind) {
      case 'put':
        return s.put(c.keys[op.key], op.value === null ? null : c.values[op.value], op.start);
      case 'fetch':
        return s.fetch(c.keys[op.key], op.start);
      case 'keyFetch':
        return op.backward ? s.backwardFetch(c.keys[op.key], op.from, op.to) : s.fetch(c.keys[op.key], op.from, op.to);
      case 'range': {
        const from = op.from === null ? null : c.keys[op.from];
        const to = op.to === null ? null : c.keys[op.to];
        return op.backward ? s.backwardFetch(from, to, op.timeFrom, op.timeTo) : s.fetch(from, to, op.timeFrom, op.timeTo);
      }
      case 'all':
        return op.backward ? s.backwardAll() : s.all();
      case 'restore': {
        let key: Buffer | null;
        try {
          key = op.key === 'garbage' ? Buffer.from([0xff, 0xfe, 0]) : c.keySerde.serialize(c.keys[op.key]);
        } catch {
          return 'key not serializable';
        }
        let value: Buffer | null;
        try {
          value = op.value === null ? null : c.valueSerde.serialize(c.values[op.value]);
        } catch {
          return 'value not serializable';
        }
        if (key === null) return 'null key';
        return s.restoreBatch([{ key: changelogKey(key, op.start), value }]);
      }
    }
  };
  for (const op of list) {
    expect(outcome(() => apply(fast, op)), JSON.stringify(op, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).toEqual(
      outcome(() => apply(slow, op)),
    );
  }
  expect(outcome(() => fast.all())).toEqual(outcome(() => slow.all()));
  expect(heard.fast).toEqual(heard.slow);
  await fast.close();
  await slow.close();
}

describe('state > ObjectWindowMap (object level of the in-memory window store)', () => {
  for (const c of cases) {
    it(`property: reads, errors and listener calls equal the byte path's (${c.name})`, async () => {
      await fc.assert(fc.asyncProperty(ops(c), fc.boolean(), (list, listen) => run(c, list, listen)), { numRuns: 150 });
    });
  }

  it('is what the builder gives an uncached, unlogged in-memory stack (and only that)', () => {
    const supplier = () => Stores.inMemoryWindowStore('w', RETENTION, MIN, false);
    const objectLevel = (s: unknown) => (s as { objects: unknown }).objects !== null;
    expect(objectLevel(Stores.windowStoreBuilder(supplier(), Serdes.string(), Serdes.long()).withLoggingDisabled().build())).toBe(true);
    expect(objectLevel(Stores.windowStoreBuilder(supplier(), Serdes.string(), Serdes.long()).build())).toBe(false);
    expect(objectLevel(Stores.windowStoreBuilder(supplier(), Serdes.string(), Serdes.long()).withLoggingDisabled().withCachingEnabled().build())).toBe(false);
    const dup = Stores.inMemoryWindowStore('w', RETENTION, MIN, true);
    expect(objectLevel(Stores.windowStoreBuilder(dup, Serdes.string(), Serdes.long()).withLoggingDisabled().build())).toBe(false);
  });

  it('hands out a fresh ValueAndTimestamp on every read: mutating one does not change the store', async () => {
    const store = new MeteredWindowStore(new InMemoryWindowStore('w', RETENTION, MIN, false), Serdes.string(), new ValueAndTimestampSerde(Serdes.long()));
    await store.init(new FakeStoreContext(), store);
    const put = { value: 1, timestamp: 10 };
    store.put('a', put, 0);
    (put as { value: number }).value = 99;
    const read = store.fetch('a', 0)!;
    (read as { value: number }).value = 42;
    expect(store.fetch('a', 0)).toEqual({ value: 1, timestamp: 10 });
    expect(store.fetch('a', 0)).not.toBe(store.fetch('a', 0));
  });

  it('drops expired windows from memory, not only from reads', async () => {
    const inner = new InMemoryWindowStore('w', RETENTION, MIN, false);
    const store = new MeteredWindowStore(inner, Serdes.string(), Serdes.long());
    await store.init(new FakeStoreContext(), store);
    for (let i = 0; i < 100; i++) store.put(`k${i % 7}`, i, i * MIN);
    const windows = (store as unknown as { objects: { windows: Map<number, unknown> } }).objects.windows;
    expect([...windows.keys()]).toEqual([95, 96, 97, 98, 99].map((i) => i * MIN));
    await store.close();
    expect(windows.size).toBe(0);
  });

  it('serves a DSL windowed count from the object level to TopologyTestDriver.getWindowStore and IQ views', () => {
    const S = Serdes.string();
    const b = new StreamsBuilder();
    const supplier = Stores.inMemoryWindowStore('per-100', 1_000, 100, false);
    b.stream('clicks', Consumed.with(S, S))
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(100, 50))
      .count(Materialized.as<string, number>(supplier).withCachingDisabled().withLoggingDisabled());
    const driver = new TopologyTestDriver(b.build(), {}, 0);
    const input = driver.createInputTopic('clicks', S, S);
    input.pipeInput('a', 'x', 10);
    input.pipeInput('a', 'x', 50);
    input.pipeInput('b', 'x', 90);
    input.pipeInput('a', 'x', 260);
    input.pipeInput('b', 'x', 95); // window [0, 100) closed at stream time 260 - grace 50: dropped
    expect((driver.getStateStore('per-100') as unknown as { objects: unknown }).objects).not.toBeNull();
    const plain = driver.getWindowStore<string, number>('per-100');
    expect(plain.fetch('a', 0)).toBe(2);
    expect(plain.fetch('b', 0)).toBe(1);
    expect(plain.fetch('a', 0, 1000)).toEqual([{ timestamp: 0, value: 2 }, { timestamp: 200, value: 1 }]);
    expect(plain.backwardFetch('a', 0, 1000).map((e) => e.timestamp)).toEqual([200, 0]);
    expect(plain.fetchAll(0, 1000).map((e) => [e.key.key, e.key.window.start, e.key.window.end, e.value])).toEqual([
      ['a', 0, 100, 2],
      ['b', 0, 100, 1],
      ['a', 200, 300, 1],
    ]);
    expect(plain.fetch('b', 'b', 0, 1000).map((e) => e.value)).toEqual([1]);
    expect(driver.getTimestampedWindowStore<string, number>('per-100').fetch('a', 0)).toEqual({ value: 2, timestamp: 50 });
    const view = ReadOnlyViews.window(driver.getStateStore('per-100') as unknown as MeteredWindowStore<string, ValueAndTimestamp<number>>);
    expect(view.all().map((e) => e.value.value)).toEqual([2, 1, 1]);
    driver.close();
  });
});
