import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Serdes, StreamsBuilder } from 'tributary';
import { TopologyTestDriver } from 'tributary/testing';
import { buildTopology, check, type Account, type CheckedPayment, type Payment } from '../../examples/fraud-enrichment.js';

function driver() {
  const d = new TopologyTestDriver(buildTopology(new StreamsBuilder()).build(), { applicationId: 'fraud' }, 0);
  return {
    d,
    accounts: d.createInputTopic('accounts', Serdes.string(), Serdes.json<Account>()),
    payments: d.createInputTopic('payments', Serdes.string(), Serdes.json<Payment>()),
    flagged: d.createOutputTopic('payments-flagged', Serdes.string(), Serdes.json<CheckedPayment>()),
    ok: d.createOutputTopic('payments-ok', Serdes.string(), Serdes.json<CheckedPayment>()),
  };
}

describe('examples > fraud-enrichment', () => {
  it('flags payments over the limit and for unknown accounts; an account update only affects later payments', () => {
    const t = driver();
    t.accounts.pipeInput('a1', { owner: 'ann', limit: 100 }, 1);
    t.payments.pipeInput('p1', { paymentId: 'p1', accountId: 'a1', amount: 80 }, 2);
    t.payments.pipeInput('p2', { paymentId: 'p2', accountId: 'a1', amount: 120 }, 3);
    t.payments.pipeInput('p3', { paymentId: 'p3', accountId: 'zz', amount: 1 }, 4);
    t.accounts.pipeInput('a1', { owner: 'ann', limit: 50 }, 5);
    t.payments.pipeInput('p4', { paymentId: 'p4', accountId: 'a1', amount: 80 }, 6);
    expect(t.ok.readRecordsToList().map((r) => [r.key, r.value!.paymentId, r.timestamp])).toEqual([['a1', 'p1', 2]]);
    expect(t.flagged.readRecordsToList().map((r) => [r.key, r.value!.paymentId, r.value!.reason, r.value!.limit])).toEqual([
      ['a1', 'p2', 'over-limit', 100],
      ['zz', 'p3', 'unknown-account', null],
      ['a1', 'p4', 'over-limit', 50],
    ]);
    expect(t.d.getKeyValueStore<string, Account>('accounts').get('a1')).toEqual({ owner: 'ann', limit: 50 });
    t.d.close();
  });

  it('re-keys payments by account through a repartition topic', () => {
    expect(buildTopology(new StreamsBuilder()).build().describe().toString()).toContain('by-account-repartition');
  });

  it('property: every payment lands in exactly one output with the verdict of the account row current at that time', () => {
    const event = fc.oneof(
      fc.record({ account: fc.constantFrom('a', 'b', 'c'), limit: fc.option(fc.integer({ min: 0, max: 100 })) }),
      fc.record({ payment: fc.constantFrom('a', 'b', 'c', 'd'), amount: fc.integer({ min: 0, max: 120 }) }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        const t = driver();
        const table = new Map<string, Account>();
        const expected: { ok: string[]; flagged: string[] } = { ok: [], flagged: [] };
        events.forEach((e, i) => {
          if ('account' in e) {
            const row = e.limit === null ? null : { owner: e.account.toUpperCase(), limit: e.limit };
            t.accounts.pipeInput(e.account, row as Account, i);
            if (row === null) table.delete(e.account);
            else table.set(e.account, row);
          } else {
            const p = { paymentId: `p${i}`, accountId: e.payment, amount: e.amount };
            t.payments.pipeInput(p.paymentId, p, i);
            const c = check(p, table.get(e.payment) ?? null);
            expected[c.reason === null ? 'ok' : 'flagged'].push(`${c.accountId}:${c.paymentId}:${c.reason}`);
          }
        });
        const read = (o: typeof t.ok) => o.readRecordsToList().map((r) => `${r.key}:${r.value!.paymentId}:${r.value!.reason}`);
        expect({ ok: read(t.ok), flagged: read(t.flagged) }).toEqual(expected);
        t.d.close();
      }),
      { numRuns: 60 },
    );
  });
});
