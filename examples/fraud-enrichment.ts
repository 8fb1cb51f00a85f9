/**
 * Fraud-style enrichment: a stream of payments joined with a table of accounts.
 *
 *   payments (key: payment id) ──selectKey accountId──► repartition ──leftJoin accounts──► split
 *                                                                          │                ├─► payments-flagged (over limit, unknown account)
 *   accounts (key: account id, a KTable) ──────────────────────────────────┘                └─► payments-ok
 *
 * A stream–table join: each payment looks up its account as of the moment it is processed; an
 * account update changes later payments' verdicts but emits nothing itself. Payments are keyed by
 * payment id, so they are re-keyed by account id first, which routes them through the repartition
 * topic `<applicationId>-by-account-repartition`, so that each payment meets its account's
 * partition (without the explicit `repartition`, the join would insert one itself).
 */
import { Branched, Consumed, Materialized, Named, Produced, Repartitioned, Serdes, type StreamsBuilder } from 'tributary';

/** A payment as producers write it. */
export interface Payment {
  readonly paymentId: string;
  readonly accountId: string;
  readonly amount: number;
}

/** An account row (null value: account closed). */
export interface Account {
  readonly owner: string;
  readonly limit: number;
}

/** Why a payment was flagged, or null when it is fine. */
export type FraudReason = 'unknown-account' | 'over-limit' | null;

/** A payment with the verdict of the join. */
export interface CheckedPayment extends Payment {
  readonly owner: string | null;
  readonly limit: number | null;
  readonly reason: FraudReason;
}

/**
 * The verdict for one payment given its account (null when the table has no row for it).
 * @example
 * check({ paymentId: 'p1', accountId: 'a1', amount: 50 }, { owner: 'ann', limit: 40 }).reason; // 'over-limit'
 */
export function check(payment: Payment, account: Account | null): CheckedPayment {
  const reason: FraudReason = account === null ? 'unknown-account' : payment.amount > account.limit ? 'over-limit' : null;
  return { ...payment, owner: account?.owner ?? null, limit: account?.limit ?? null, reason };
}

/**
 * Declares the pipeline on `builder`: reads `payments` and `accounts`, writes `payments-flagged` and
 * `payments-ok` (both keyed by account id); the accounts table is queryable as store `accounts`.
 * @example
 * const topology = buildTopology(new StreamsBuilder()).build();
 */
export function buildTopology(builder: StreamsBuilder): StreamsBuilder {
  const accounts = builder.table(
    'accounts',
    Consumed.with(Serdes.string(), Serdes.json<Account>()),
    Materialized.as<string, Account>('accounts').withCachingDisabled(),
  );
  const checked = Produced.with(Serdes.string(), Serdes.json<CheckedPayment>());
  const paymentJson = Serdes.json<Payment>();
  const branches = builder
    .stream('payments', Consumed.with(Serdes.string(), paymentJson))
    .selectKey((_paymentId, payment) => payment.accountId, Named.as('key-by-account'))
    .repartition(Repartitioned.with(Serdes.string(), paymentJson).withName('by-account'))
    .leftJoin(accounts, (payment, account) => check(payment, account))
    .split(Named.as('verdict-'))
    .branch((_account, payment) => payment.reason !== null, Branched.as('flagged'))
    .defaultBranch(Branched.as('ok'));
  branches['verdict-flagged']!.to('payments-flagged', checked);
  branches['verdict-ok']!.to('payments-ok', checked);
  return builder;
}
