/**
 * Page-view filtering: keep the page views worth counting, in a shape downstream consumers want.
 *
 *   page-views (JSON, key: user id)
 *     ──filterNot bots──► filter real views (dwell >= 1 s) ──mapValues tidy──► page-views-clean
 *                                                     └──split by section──► page-views-checkout
 *
 * Stateless and keyed by user throughout, so no repartition topic is needed: each user's views stay
 * in order on one partition.
 */
import { Branched, Consumed, Named, Produced, Serdes, type StreamsBuilder } from 'tributary';

/** A page view as the web tier writes it. */
export interface PageView {
  readonly url: string;
  readonly userAgent: string;
  readonly dwellMs: number;
  readonly at: number;
}

/** A page view as analytics wants it. */
export interface CleanView {
  readonly path: string;
  readonly section: string;
  readonly seconds: number;
}

const BOT = /bot|crawler|spider|headless/i;
/** Views shorter than this are bounces, not reads. */
export const MIN_DWELL_MS = 1000;

/** `https://shop.example/checkout/pay?x=1` → `{ path: '/checkout/pay', section: 'checkout' }`. */
export function tidy(view: PageView): CleanView {
  const path = new URL(view.url, 'https://unknown.invalid').pathname;
  const section = path.split('/')[1] || 'home';
  return { path, section, seconds: Math.round(view.dwellMs / 100) / 10 };
}

/**
 * Declares the pipeline on `builder`: reads `page-views`, writes `page-views-clean` (every real view)
 * and `page-views-checkout` (views of the checkout section, for the conversion team).
 */
export function buildTopology(builder: StreamsBuilder): StreamsBuilder {
  const clean = builder
    .stream('page-views', Consumed.with(Serdes.string(), Serdes.json<PageView>()))
    .filterNot((_user, view) => BOT.test(view.userAgent), Named.as('drop-bots'))
    .filter((_user, view) => view.dwellMs >= MIN_DWELL_MS, Named.as('drop-bounces'))
    .mapValues(tidy, Named.as('tidy'));
  const json = Produced.with(Serdes.string(), Serdes.json<CleanView>());
  clean.to('page-views-clean', json);
  clean
    .split(Named.as('section-'))
    .branch((_user, view) => view.section === 'checkout', Branched.withConsumer((checkout) => checkout.to('page-views-checkout', json), 'checkout'))
    .noDefaultBranch();
  return builder;
}
