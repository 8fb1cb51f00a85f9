/**
 * Word count, the "hello world" of stream processing (Kafka Streams' WordCountDemo):
 *
 *   text-lines ──flatMapValues split──► groupBy word ──(repartition)──► count ──toStream──► word-counts
 *
 * `groupBy` changes the key, so the records are routed through the internal topic
 * `<applicationId>-by-word-repartition` before counting; the count is kept in the
 * key-value store `word-counts-store` (queryable) and each new count is written to `word-counts`.
 */
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder } from 'tributary';
import { TopologyTestDriver } from 'tributary/testing';

/** Topic the lines of text are read from (keys are ignored). */
export const INPUT_TOPIC = 'text-lines';
/** Topic the counts are written to: key = word, value = its count so far (int64). */
export const OUTPUT_TOPIC = 'word-counts';
/** Grouping name: names the repartition topic `<applicationId>-by-word-repartition`. */
export const GROUPING_NAME = 'by-word';
/** The queryable store holding each word's count (changelog `<applicationId>-word-counts-store-changelog`). */
export const STORE_NAME = 'word-counts-store';

/**
 * Splits a line into lower-case words (runs of letters, digits and apostrophes).
 * @example
 * words("Hello, hello world!"); // ['hello', 'hello', 'world']
 */
export function words(line: string): string[] {
  return line.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

/**
 * Declares the word-count topology on `builder` and returns it.
 * @example
 * const topology = buildTopology(new StreamsBuilder()).build();
 */
export function buildTopology(builder: StreamsBuilder): StreamsBuilder {
  builder
    .stream(INPUT_TOPIC, Consumed.with(Serdes.string(), Serdes.string()))
    .flatMapValues((line) => words(line ?? ''))
    .groupBy((_key, word) => word, Grouped.with(Serdes.string(), Serdes.string()).withName(GROUPING_NAME))
    .count(Materialized.as<string, number>(STORE_NAME))
    .toStream()
    .to(OUTPUT_TOPIC, Produced.with(Serdes.string(), Serdes.long()));
  return builder;
}

/**
 * Counts the words of `lines` in-process (through the test driver, as `KafkaStreams` is not among
 * the package's exports yet) and prints each count update as `word: count`.
 * @example
 * main(['to be or not to be']); // to: 1, be: 1, or: 1, not: 1, to: 2, be: 2
 */
export function main(lines: readonly string[], log: (line: string) => void = console.log): void {
  const driver = new TopologyTestDriver(buildTopology(new StreamsBuilder()).build(), { applicationId: 'word-count' });
  try {
    const input = driver.createInputTopic(INPUT_TOPIC, Serdes.string(), Serdes.string());
    for (const line of lines) input.pipeInput(null as unknown as string, line);
    const output = driver.createOutputTopic(OUTPUT_TOPIC, Serdes.string(), Serdes.long());
    for (const { key, value } of output.readKeyValuesToList()) log(`${key}: ${value}`);
  } finally {
    driver.close();
  }
}
