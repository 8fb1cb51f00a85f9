import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumed } from '../../../dsl/consumed.js';
import { Materialized } from '../../../dsl/materialized.js';
import { Produced } from '../../../dsl/produced.js';
import { StreamsBuilder } from '../../../dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const LEFT_KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];
const FKS = ['f0', 'f1', 'f2', 'f3'];
/** Left values are `name|fk`, or just `name` for a null foreign key. */
const fkOf = (value: string): string | null => (value.includes('|') ? value.split('|')[1]! : null);
const joiner = (l: string, r: string | null) => `${l}+${r}`;

type Op = { side: 'L'; key: string; value: string | null } | { side: 'R'; key: string; value: string | null };

const leftValue = fc.record({ name: fc.constantFrom('a', 'b', 'c'), fk: fc.option(fc.constantFrom(...FKS), { freq: 5 }) }).map(({ name, fk }) => (fk === null ? name : `${name}|${fk}`));
const ops = fc.array(
  fc.oneof(
    fc.record({ side: fc.constant('L' as const), key: fc.constantFrom(...LEFT_KEYS), value: fc.option(leftValue, { freq: 4 }) }),
    fc.record({ side: fc.constant('R' as const), key: fc.constantFrom(...FKS), value: fc.option(fc.constantFrom('x', 'y', 'z'), { freq: 4 }) }),
  ),
  { maxLength: 60 },
);

/** The join as a function of the two tables' final contents. */
function model(list: readonly Op[], leftJoin: boolean): Map<string, string> {
  const left = new Map<string, string>();
  const right = new Map<string, string>();
  for (const op of list) {
    const table = op.side === 'L' ? left : right;
    if (op.value === null) table.delete(op.key);
    else table.set(op.key, op.value);
  }
  const result = new Map<string, string>();
  for (const [key, value] of left) {
    const fk = fkOf(value);
    const match = fk === null ? undefined : right.get(fk);
    if (match !== undefined) result.set(key, joiner(value, match));
    else if (leftJoin) result.set(key, joiner(value, null));
  }
  return result;
}

function run(list: readonly Op[], leftJoin: boolean, caching: boolean) {
  const b = new StreamsBuilder();
  const left = b.table('left', Consumed.with(S, S));
  const right = b.table('right', Consumed.with(S, S));
  let materialized = Materialized.as<string, string>('result').withValueSerde(S);
  if (!caching) materialized = materialized.withCachingDisabled();
  const joined = leftJoin ? left.leftJoin(right, fkOf, joiner, materialized) : left.join(right, fkOf, joiner, materialized);
  joined.toStream().to('out', Produced.with(S, S));
  const driver = new TopologyTestDriver(b.build(), {}, 0);
  try {
    const inputs = { L: driver.createInputTopic('left', S, S), R: driver.createInputTopic('right', S, S) };
    list.forEach((op, i) => inputs[op.side].pipeInput(op.key, op.value as string, i));
    const store = new Map(driver.getKeyValueStore<string, string>('result').all().map((e) => [e.key, e.value] as const));
    const stream = new Map<string, string>();
    for (const { key, value } of driver.createOutputTopic('out', S, S).readKeyValuesToList()) {
      if (value === null) stream.delete(key as string);
      else stream.set(key as string, value);
    }
    return { store, stream };
  } finally {
    driver.close();
  }
}

describe('dsl > KTable foreign-key join (model)', () => {
  for (const leftJoin of [false, true]) {
    it(`property: after any upserts and tombstones on both sides, the ${leftJoin ? 'left' : 'inner'} join's table and its update stream equal the model`, () => {
      fc.assert(
        fc.property(ops, fc.boolean(), (list, caching) => {
          const expected = model(list, leftJoin);
          const { store, stream } = run(list, leftJoin, caching);
          expect(store).toEqual(expected);
          expect(stream).toEqual(expected);
        }),
        { numRuns: 150 },
      );
    });
  }
});
