import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder, TimeWindows } from 'tributary';
import { keyedRecords, TopologyTestDriver } from 'tributary/testing';
import { buildTopology, GRACE_MS, INPUT_TOPIC, main, OUTPUT_TOPIC, WINDOW_MS } from '../../examples/page-view-counts.js';

function run(views: readonly { key: string; timestamp: number }[]) {
  const driver = new TopologyTestDriver(buildTopology(new StreamsBuilder(), TimeWindows.ofSizeAndGrace(WINDOW_MS, GRACE_MS)).build(), { applicationId: 'pvc' }, 0);
  const input = driver.createInputTopic(INPUT_TOPIC, Serdes.string(), Serdes.string());
  for (const v of views) input.pipeInput(v.key, 'user', v.timestamp);
  const output = driver.createOutputTopic(OUTPUT_TOPIC, Serdes.windowed(Serdes.string(), WINDOW_MS), Serdes.long()).readRecordsToList();
  return { driver, output };
}

describe('examples > page-view-counts', () => {
  it('counts per page and minute; a view at window end + grace (by stream time) is dropped', () => {
    const { driver, output } = run([
      { key: '/home', timestamp: 1_000 },
      { key: '/cart', timestamp: 59_999 },
      { key: '/home', timestamp: 61_000 },
      { key: '/home', timestamp: 30_000 }, // late but within grace (stream time 61 s < 70 s)
      { key: '/home', timestamp: 70_000 }, // stream time 70 s = end of minute 0 + grace
      { key: '/home', timestamp: 2_000 }, // dropped
    ]);
    expect(output.map((r) => `${r.key!.key}@${r.key!.window.start}-${r.key!.window.end}=${r.value}@${r.timestamp}`)).toEqual([
      '/home@0-60000=1@1000', '/cart@0-60000=1@59999', '/home@60000-120000=1@61000', '/home@0-60000=2@30000', '/home@60000-120000=2@70000',
    ]);
    expect(driver.metrics()['dropped-records-total']).toBe(1);
    driver.close();
  });

  it('buildTopology defaults to tumbling 60 s windows with 10 s grace', () => {
    const text = buildTopology(new StreamsBuilder()).build().describe().toString();
    expect(text).toContain('page-view-counts-store');
    const byDefault = new TopologyTestDriver(buildTopology(new StreamsBuilder()).build(), { applicationId: 'pvc' }, 0);
    const input = byDefault.createInputTopic(INPUT_TOPIC, Serdes.string(), Serdes.string());
    input.pipeInput('/home', 'u', 59_999);
    input.pipeInput('/home', 'u', 60_000);
    const out = byDefault.createOutputTopic(OUTPUT_TOPIC, Serdes.windowed(Serdes.string(), WINDOW_MS), Serdes.long());
    expect(out.readKeyValuesToList().map(({ key }) => key!.window.start)).toEqual([0, 60_000]);
    byDefault.close();
  });

  it('main prints each update', () => {
    const lines: string[] = [];
    main([{ page: '/home', at: 1_000 }, { page: '/home', at: 2_000 }], (l) => lines.push(l));
    expect(lines).toEqual(['/home @ 0: 1', '/home @ 0: 2']);
  });

  it('property: every update is the running count of the non-late views of its page and minute', () => {
    const views = keyedRecords(fc, { keys: fc.constantFrom('/home', '/cart', '/pay'), values: fc.constant(0), maxDisorderMs: 25_000, maxGapMs: 20_000, maxLength: 40 });
    fc.assert(fc.property(views, (input) => {
      const { driver, output } = run(input);
      const model = new Map<string, number>();
      const expected: string[] = [];
      let streamTime = -1;
      for (const v of input) {
        streamTime = Math.max(streamTime, v.timestamp);
        const start = Math.floor(v.timestamp / WINDOW_MS) * WINDOW_MS;
        if (streamTime >= start + WINDOW_MS + GRACE_MS) continue;
        const k = `${v.key}@${start}`;
        model.set(k, (model.get(k) ?? 0) + 1);
        expected.push(`${k}=${model.get(k)}`);
      }
      expect(output.map((r) => `${r.key!.key}@${r.key!.window.start}=${r.value}`)).toEqual(expected);
      expect(driver.metrics()['dropped-records-total']).toBe(input.length - expected.length);
      driver.close();
    }), { numRuns: 60 });
  });
});
