/**
 * The lifecycle of a consumer group on the coordinator, as Kafka's GroupMetadata defines it.
 *
 * ```
 *                    join
 *      ┌────────┐ ───────────────▶ ┌────────────────────┐  every member rejoined  ┌─────────────────────┐
 *      │ Empty  │                  │ PreparingRebalance │ ──────────────────────▶ │ CompletingRebalance │
 *      └────────┘ ◀─────────────── └────────────────────┘ ◀────────────────────── └─────────────────────┘
 *          │      last member left     ▲                    join / leave / timeout         │
 *          │                           │ join / leave / timeout / subscription change      │ every member
 *          │                           │                                                   │ took its assignment
 *          │                       ┌────────┐ ◀────────────────────────────────────────────┘
 *          │                       │ Stable │
 *          │                       └────────┘
 *          │ deleteGroups                │ (any state but Dead)
 *          ▼                             ▼
 *      ┌──────┐ ◀────────────────────────┘
 *      │ Dead │   terminal: the group object is dropped; a later join starts a fresh Empty group
 *      └──────┘
 * ```
 */
import { IllegalStateError } from '../../core/errors.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** Allowed moves, from → the set of next states. Anything else is a bug in the coordinator. */
export const GROUP_TRANSITIONS: Readonly<Record<GroupState, readonly GroupState[]>> = Object.freeze({
  Empty: ['PreparingRebalance', 'Dead'],
  PreparingRebalance: ['CompletingRebalance', 'Empty', 'Dead'],
  CompletingRebalance: ['Stable', 'PreparingRebalance', 'Dead'],
  Stable: ['PreparingRebalance', 'Dead'],
  Dead: [],
});

/** True when `from → to` is in the transition table. */
export function canTransition(from: GroupState, to: GroupState): boolean {
  return GROUP_TRANSITIONS[from].includes(to);
}

/**
 * Holds a group's current state and moves it only along the table.
 *
 * @example
 * const s = new GroupStateMachine('orders');
 * s.transition('PreparingRebalance'); // Empty → PreparingRebalance
 * s.transition('Stable');             // throws IllegalStateError: PreparingRebalance → Stable is not allowed
 */
export class GroupStateMachine {
  private current: GroupState = 'Empty';

  constructor(private readonly groupId: string) {}

  get state(): GroupState {
    return this.current;
  }

  is(state: GroupState): boolean {
    return this.current === state;
  }

  /** Moves to `to`; throws IllegalStateError (naming the group) when the table does not allow it. */
  transition(to: GroupState): void {
    if (!canTransition(this.current, to)) {
      throw new IllegalStateError(`group "${this.groupId}": illegal state transition ${this.current} → ${to}`);
    }
    this.current = to;
  }
}
