/**
 * Page-view counts per page and minute: a windowed aggregation.
 *
 *   page-views (key: page path, value: user id)
 *     ──groupByKey──► windowedBy(tumbling 60 s, grace 10 s) ──count──► toStream ──► page-view-counts
 *                                                                      (key: Windowed<page>, value: long)
 *
 * Each view updates the count of its page's minute at once (emit on update); a view arriving when
 * stream time has passed its minute's end + 10 s is dropped and counted in the task's
 * `dropped-records`. Output keys use Kafka's time-windowed layout (page bytes + 8-byte window start),
 * so a Java consumer reads them with `WindowedSerdes.timeWindowedSerdeFrom(String.class, 60000)`.
 */
import { Consumed, Materialized, Produced, Serdes, StreamsBuilder, TimeWindows } from 'tributary';
import { TopologyTestDriver } from 'tributary/testing';

/** Input topic: key page path, value user id. @example input = driver.createInputTopic(INPUT_TOPIC, Serdes.string(), Serdes.string()); */
export const INPUT_TOPIC = 'page-views';
/** Output topic: key `Windowed<page>`, value count. @example driver.createOutputTopic(OUTPUT_TOPIC, Serdes.windowed(Serdes.string(), WINDOW_MS), Serdes.long()); */
export const OUTPUT_TOPIC = 'page-view-counts';
/** Window size: one minute. @example Serdes.windowed(Serdes.string(), WINDOW_MS); */
export const WINDOW_MS = 60_000;
/** How late a view may arrive and still count. @example TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS); */
export const GRACE_MS = 10_000;
/** Name of the queryable window store of counts. @example driver.getWindowStore(STORE_NAME); */
export const STORE_NAME = 'page-view-counts-store';

/**
 * Declares the page-view count topology on `builder` and returns it.
 * @example
 * const topology = buildTopology(new StreamsBuilder()).build();
 */
export function buildTopology(builder: StreamsBuilder, windows: TimeWindows = TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS)): StreamsBuilder {
  builder
    .stream(INPUT_TOPIC, Consumed.with(Serdes.string(), Serdes.string()))
    .groupByKey()
    .windowedBy(windows)
    .count(Materialized.as<string, number>(STORE_NAME))
    .toStream()
    .to(OUTPUT_TOPIC, Produced.with(Serdes.windowed(Serdes.string(), WINDOW_MS), Serdes.long()));
  return builder;
}

/**
 * Counts `views` (page, timestamp) in-process through the test driver and prints each update as
 * `page @ windowStart: count`.
 * @example
 * main([{ page: '/home', at: 1_000 }, { page: '/home', at: 2_000 }]); // /home @ 0: 1, /home @ 0: 2
 */
export function main(views: readonly { page: string; at: number }[], log: (line: string) => void = console.log, windows?: TimeWindows): void {
  const driver = new TopologyTestDriver(buildTopology(new StreamsBuilder(), windows).build(), { applicationId: 'page-view-counts' }, 0);
  try {
    const input = driver.createInputTopic(INPUT_TOPIC, Serdes.string(), Serdes.string());
    for (const { page, at } of views) input.pipeInput(page, 'user', at);
    const output = driver.createOutputTopic(OUTPUT_TOPIC, Serdes.windowed(Serdes.string(), WINDOW_MS), Serdes.long());
    for (const { key, value } of output.readKeyValuesToList()) log(`${key!.key} @ ${key!.window.start}: ${value}`);
  } finally {
    driver.close();
  }
}
