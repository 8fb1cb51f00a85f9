import { describe, expect, it } from 'vitest';
import { GROUP_TRANSITIONS, GroupStateMachine, canTransition, type GroupState } from '../../../src/broker/group/group-state.js';
import { IllegalStateError } from '../../../src/core/errors.js';

const ALL: GroupState[] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

describe('broker > group > GroupStateMachine', () => {
  it('starts Empty and follows the rebalance path to Stable', () => {
    const s = new GroupStateMachine('g');
    expect(s.state).toBe('Empty');
    s.transition('PreparingRebalance');
    s.transition('CompletingRebalance');
    s.transition('Stable');
    s.transition('PreparingRebalance');
    s.transition('Empty');
    s.transition('Dead');
    expect(s.state).toBe('Dead');
  });

  it.each([
    ['Empty', 'Stable'],
    ['Empty', 'CompletingRebalance'],
    ['PreparingRebalance', 'Stable'],
    ['Stable', 'CompletingRebalance'],
    ['Stable', 'Empty'],
    ['Dead', 'Empty'],
    ['Dead', 'PreparingRebalance'],
  ] as [GroupState, GroupState][])('refuses %s → %s with an IllegalStateError naming the group', (from, to) => {
    const s = new GroupStateMachine('orders-app');
    const path: Record<GroupState, GroupState[]> = {
      Empty: [],
      PreparingRebalance: ['PreparingRebalance'],
      CompletingRebalance: ['PreparingRebalance', 'CompletingRebalance'],
      Stable: ['PreparingRebalance', 'CompletingRebalance', 'Stable'],
      Dead: ['Dead'],
    };
    for (const step of path[from]) s.transition(step);
    expect(s.state).toBe(from);
    expect(() => s.transition(to)).toThrow(IllegalStateError);
    expect(() => s.transition(to)).toThrow(/orders-app.*→/);
    expect(s.state).toBe(from);
  });

  it('the table matches Kafka: Dead is terminal and every live state can die', () => {
    expect(GROUP_TRANSITIONS.Dead).toEqual([]);
    for (const s of ALL.filter((x) => x !== 'Dead')) expect(canTransition(s, 'Dead')).toBe(true);
    expect(ALL.filter((s) => canTransition(s, 'Stable'))).toEqual(['CompletingRebalance']);
    expect(ALL.filter((s) => canTransition(s, 'PreparingRebalance')).sort()).toEqual(['CompletingRebalance', 'Empty', 'Stable']);
  });
});
