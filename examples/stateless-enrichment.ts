/**
 * Stateless enrichment: clean raw orders, enrich them with a static catalog, and route them by value.
 *
 *   orders (JSON) ──filter valid──► mapValues enrich ──split──► orders-large  (total >= 1000)
 *                                                         └───► orders-small
 *   rejected raw orders ──────────────────────────────────────► orders-rejected
 *
 * Every step is stateless and record-by-record; no repartition happens because keys never change.
 */
import { Branched, Consumed, Named, Produced, Serdes, type StreamsBuilder } from 'tributary';

/** An order as producers write it. */
export interface RawOrder {
  readonly orderId: string;
  readonly sku: string;
  readonly quantity: number;
}

/** An order after enrichment. */
export interface EnrichedOrder extends RawOrder {
  readonly product: string;
  readonly unitPrice: number;
  readonly total: number;
}

/** The static catalog joined in by `mapValues` (a real app would use a GlobalKTable). */
export const CATALOG: Readonly<Record<string, { name: string; price: number }>> = {
  'sku-1': { name: 'keyboard', price: 120 },
  'sku-2': { name: 'monitor', price: 450 },
  'sku-3': { name: 'cable', price: 9 },
};

/** Orders of this total or more go to `orders-large`. */
export const LARGE_ORDER_TOTAL = 1000;

const isValid = (order: RawOrder | null): order is RawOrder =>
  order !== null && Number.isInteger(order.quantity) && order.quantity > 0 && CATALOG[order.sku] !== undefined;

/**
 * Declares the pipeline on `builder`: reads `orders` (key: customer id), writes `orders-large`,
 * `orders-small` and `orders-rejected`.
 */
export function buildTopology(builder: StreamsBuilder): StreamsBuilder {
  const raw = builder.stream('orders', Consumed.with(Serdes.string(), Serdes.json<RawOrder | null>()));
  const enrichedJson = Produced.with(Serdes.string(), Serdes.json<EnrichedOrder>());

  raw.filterNot((_customer, order) => isValid(order), Named.as('reject-invalid')).to('orders-rejected');

  const branches = raw
    .filter((_customer, order) => isValid(order), Named.as('keep-valid'))
    .mapValues((order): EnrichedOrder => {
      const item = CATALOG[order!.sku]!;
      return { ...order!, product: item.name, unitPrice: item.price, total: item.price * order!.quantity };
    }, Named.as('enrich'))
    .split(Named.as('by-size-'))
    .branch((_customer, order) => order.total >= LARGE_ORDER_TOTAL, Branched.as('large'))
    .defaultBranch(Branched.as('small'));

  branches['by-size-large']!.to('orders-large', enrichedJson);
  branches['by-size-small']!.to('orders-small', enrichedJson);
  return builder;
}
