import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from 'tributary';
import { TopologyTestDriver } from 'tributary/testing';
import { buildTopology, GROUPING_NAME, INPUT_TOPIC, main, OUTPUT_TOPIC, STORE_NAME, words } from '../../examples/word-count.js';

function run(lines: readonly { line: string; timestamp: number }[]) {
  const driver = new TopologyTestDriver(buildTopology(new StreamsBuilder()).build(), { applicationId: 'wc' }, 0);
  const input = driver.createInputTopic(INPUT_TOPIC, Serdes.string(), Serdes.string());
  for (const { line, timestamp } of lines) input.pipeInput(null as unknown as string, line, timestamp);
  const output = driver.createOutputTopic(OUTPUT_TOPIC, Serdes.string(), Serdes.long()).readRecordsToList();
  return { driver, output };
}

describe('examples > word-count', () => {
  it('counts words across lines, one update per word occurrence, stamped with the line timestamp', () => {
    const { driver, output } = run([{ line: 'Hello world, hello!', timestamp: 5 }, { line: 'world', timestamp: 9 }]);
    expect(output.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['hello', 1, 5], ['world', 1, 5], ['hello', 2, 5], ['world', 2, 9],
    ]);
    expect(driver.producedTopicNames()).toContain(`wc-${GROUPING_NAME}-repartition`);
    expect(driver.getKeyValueStore<string, number>(STORE_NAME).all()).toEqual([{ key: 'hello', value: 2 }, { key: 'world', value: 2 }]);
    driver.close();
  });

  it('main prints each count update', () => {
    const lines: string[] = [];
    main(['to be or not to be'], (l) => lines.push(l));
    expect(lines).toEqual(['to: 1', 'be: 1', 'or: 1', 'not: 1', 'to: 2', 'be: 2']);
  });

  it('property: the final count of every word equals a Map model, and every update is the running count', () => {
    const word = fc.constantFrom('kafka', 'streams', 'table', 'Table', 'log', "it's");
    const line = fc.array(word, { maxLength: 6 }).map((ws) => ws.join(' '));
    fc.assert(
      fc.property(fc.array(fc.record({ line, timestamp: fc.nat(1000) }), { maxLength: 15 }), (lines) => {
        const { driver, output } = run(lines);
        const model = new Map<string, number>();
        const updates: [string, number][] = [];
        for (const { line: l } of lines) {
          for (const w of words(l)) {
            model.set(w, (model.get(w) ?? 0) + 1);
            updates.push([w, model.get(w)!]);
          }
        }
        expect(output.map((r) => [r.key, r.value])).toEqual(updates);
        const finals = new Map(output.map((r) => [r.key!, r.value!]));
        expect(finals).toEqual(model);
        const store = driver.getKeyValueStore<string, number>(STORE_NAME);
        expect(new Map(store.all().map((e) => [e.key, e.value]))).toEqual(model);
        driver.close();
      }),
      { numRuns: 50 },
    );
  });
});
