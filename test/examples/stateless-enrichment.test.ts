import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from 'tributary';
import { keyedRecords, TopologyTestDriver } from 'tributary/testing';
import { buildTopology, CATALOG, LARGE_ORDER_TOTAL, type EnrichedOrder, type RawOrder } from '../../examples/stateless-enrichment.js';

const orders = fc.record({
  orderId: fc.uuid(),
  sku: fc.constantFrom('sku-1', 'sku-2', 'sku-3', 'sku-unknown'),
  quantity: fc.integer({ min: -1, max: 5 }),
});

function run(records: { key: string; value: RawOrder; timestamp: number }[]) {
  const driver = new TopologyTestDriver(buildTopology(new StreamsBuilder()).build(), {}, 0);
  const input = driver.createInputTopic('orders', Serdes.string(), Serdes.json<RawOrder>());
  for (const r of records) input.pipeInput(r.key, r.value, r.timestamp);
  const read = (topic: string) => driver.createOutputTopic(topic, Serdes.string(), Serdes.json<EnrichedOrder>()).readRecordsToList();
  const out = { large: read('orders-large'), small: read('orders-small'), rejected: read('orders-rejected') };
  driver.close();
  return out;
}

describe('examples > stateless-enrichment', () => {
  it('enriches a valid order and routes it by total', () => {
    const out = run([{ key: 'alice', value: { orderId: 'o1', sku: 'sku-2', quantity: 3 }, timestamp: 10 }]);
    expect(out.large).toEqual([
      {
        key: 'alice',
        value: { orderId: 'o1', sku: 'sku-2', quantity: 3, product: 'monitor', unitPrice: 450, total: 1350 },
        timestamp: 10,
        headers: {},
      },
    ]);
    expect(out.small).toEqual([]);
    expect(out.rejected).toEqual([]);
  });

  it('property: every order lands in exactly one output, matching a plain model, in input order', () => {
    const input = keyedRecords(fc, { keys: fc.constantFrom('alice', 'bob'), values: orders, maxDisorderMs: 100 });
    fc.assert(
      fc.property(input, (records) => {
        const out = run(records);
        const valid = (o: RawOrder) => o.quantity > 0 && CATALOG[o.sku] !== undefined;
        const total = (o: RawOrder) => CATALOG[o.sku]!.price * o.quantity;
        expect(out.rejected.map((r) => r.value!.orderId)).toEqual(records.filter((r) => !valid(r.value)).map((r) => r.value.orderId));
        expect(out.large.map((r) => [r.key, r.value!.orderId, r.value!.total, r.timestamp])).toEqual(
          records.filter((r) => valid(r.value) && total(r.value) >= LARGE_ORDER_TOTAL).map((r) => [r.key, r.value.orderId, total(r.value), r.timestamp]),
        );
        expect(out.small.map((r) => r.value!.orderId)).toEqual(
          records.filter((r) => valid(r.value) && total(r.value) < LARGE_ORDER_TOTAL).map((r) => r.value.orderId),
        );
      }),
    );
  });

  it('describes the pipeline with the user-given node names', () => {
    const text = buildTopology(new StreamsBuilder()).build().describe().toString();
    expect(text).toContain('Processor: enrich (stores: [])');
    expect(text).toContain('Processor: by-size- (stores: [])\n      --> by-size-large, by-size-small');
  });
});
