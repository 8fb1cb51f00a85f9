import { describe, expect, it } from 'vitest';
import { isOpen, transition, TXN_TRANSITIONS, type TxnState } from '../../../src/broker/txn/txn-state.js';
import { IllegalStateError } from '../../../src/core/errors.js';

describe('broker > txn > TxnState', () => {
  const all = Object.keys(TXN_TRANSITIONS) as TxnState[];

  it('allows exactly the moves of the table', () => {
    for (const from of all) {
      for (const to of all) {
        if (TXN_TRANSITIONS[from].includes(to)) expect(transition('t', from, to)).toBe(to);
        else expect(() => transition('t', from, to)).toThrow(IllegalStateError);
      }
    }
  });

  it('never skips the prepare step: Ongoing cannot complete directly', () => {
    expect(() => transition('t', 'Ongoing', 'CompleteCommit')).toThrow(/"t" cannot move from Ongoing to CompleteCommit/);
    expect(() => transition('t', 'PrepareCommit', 'CompleteAbort')).toThrow(IllegalStateError);
  });

  it('treats Ongoing and the prepare states as open', () => {
    expect(all.filter(isOpen).sort()).toEqual(['Ongoing', 'PrepareAbort', 'PrepareCommit']);
  });
});
