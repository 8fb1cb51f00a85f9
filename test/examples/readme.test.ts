/** The README's snippets, run as written, so the front page cannot drift from what the code does. */
import { describe, expect, it } from 'vitest';
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder } from 'tributary';
import { TopologyTestDriver } from 'tributary/testing';

describe('examples > README', () => {
  it('the word-count topology and its test-driver snippet give the counts the README shows', () => {
    const builder = new StreamsBuilder();
    builder
      .stream('lines', Consumed.with(Serdes.string(), Serdes.string()))
      .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
      .groupBy((_key, word) => word, Grouped.with(Serdes.string(), Serdes.string()))
      .count(Materialized.as('word-counts'))
      .toStream()
      .to('word-counts', Produced.with(Serdes.string(), Serdes.long()));
    const driver = new TopologyTestDriver(builder.build());
    const input = driver.createInputTopic('lines', Serdes.string(), Serdes.string());
    const output = driver.createOutputTopic('word-counts', Serdes.string(), Serdes.long());
    input.pipeInput(null, 'to be or not to be', 0);
    expect(output.readKeyValuesToMap()).toEqual(new Map([['to', 2], ['be', 2], ['or', 1], ['not', 1]]));
    driver.close();
  });
});
