import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from 'tributary';
import { TopologyTestDriver } from 'tributary/testing';
import { buildTopology, tidy, type CleanView, type PageView } from '../../examples/page-view-filter.js';
import { main } from '../../examples/stateless-demo.js';

const view = (url: string, userAgent: string, dwellMs: number): PageView => ({ url, userAgent, dwellMs, at: 0 });

describe('examples > page-view filter', () => {
  it('drops bots and bounces, tidies the rest, and copies checkout views to their own topic', () => {
    const driver = new TopologyTestDriver(buildTopology(new StreamsBuilder()).build(), {}, 0);
    const input = driver.createInputTopic('page-views', Serdes.string(), Serdes.json<PageView>());
    input.pipeInput('u1', view('https://s.example/products/1', 'Firefox', 2500), 1);
    input.pipeInput('u2', view('https://s.example/', 'AhrefsBot', 9000), 2);
    input.pipeInput('u3', view('https://s.example/checkout/pay?x=1', 'Safari', 1000), 3);
    input.pipeInput('u4', view('https://s.example/blog', 'Chrome', 999), 4);
    const read = (topic: string) => driver.createOutputTopic(topic, Serdes.string(), Serdes.json<CleanView>()).readKeyValuesToList();
    expect(read('page-views-clean')).toEqual([
      { key: 'u1', value: { path: '/products/1', section: 'products', seconds: 2.5 } },
      { key: 'u3', value: { path: '/checkout/pay', section: 'checkout', seconds: 1 } },
    ]);
    expect(read('page-views-checkout')).toEqual([{ key: 'u3', value: { path: '/checkout/pay', section: 'checkout', seconds: 1 } }]);
    driver.close();
  });

  it('tidies the site root into the home section', () => {
    expect(tidy(view('https://s.example/', 'x', 1234))).toEqual({ path: '/', section: 'home', seconds: 1.2 });
  });
});

describe('examples > stateless demo', () => {
  it('runs the page-view filter as a KafkaStreams app on the embedded broker and closes cleanly', async () => {
    const lines: string[] = [];
    await main((line) => lines.push(line));
    expect(lines.filter((l) => l.startsWith('state: '))).toEqual([
      'state: CREATED',
      'state: REBALANCING',
      'state: RUNNING',
      'state: PENDING_SHUTDOWN',
      'state: NOT_RUNNING',
    ]);
    expect(lines.filter((l) => l.startsWith('page-views-clean '))).toHaveLength(4);
    expect(lines.filter((l) => l.startsWith('page-views-checkout '))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/^processed 6 records, \d+ commit\(s\); state NOT_RUNNING$/);
  });
});
