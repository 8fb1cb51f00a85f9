import { BehaviorSubject, type Observable } from 'rxjs';
import { IllegalStateError } from '../core/errors.js';

/** Lifecycle state of a {@link KafkaStreams} application (Kafka Streams' `KafkaStreams.State`). */
export type KafkaStreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'ERROR';

/*
 * Legal moves (anything else throws):
 *
 *              start()                  assignment
 *   CREATED ───────────▶ REBALANCING ─────────────▶ RUNNING
 *      │                   │   │    ◀─────────────   │   │
 *      │                   │   │      rebalance      │   │
 *      │                   │   └──▶ ERROR ◀──────────┘   │     fatal error (terminal;
 *      │                   │                             │     close() still releases)
 *      │ close()           │ close()            close()  │
 *      └──────────────▶ PENDING_SHUTDOWN ◀───────────────┘
 *                          │
 *                          ▼
 *                      NOT_RUNNING (terminal)
 */
const TRANSITIONS: Readonly<Record<KafkaStreamsState, readonly KafkaStreamsState[]>> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN'],
  REBALANCING: ['RUNNING', 'PENDING_SHUTDOWN', 'ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  ERROR: [],
};

/**
 * The application's state machine: an explicit transition table (see the diagram in the source),
 * observable as `state$` (a BehaviorSubject: subscribers get the current state first). An illegal move
 * throws `IllegalStateError`.
 * @example
 * const machine = new KafkaStreamsStateMachine();
 * machine.state$.subscribe((s) => console.log(s)); // CREATED
 * machine.transition('REBALANCING');
 */
export class KafkaStreamsStateMachine {
  readonly #subject = new BehaviorSubject<KafkaStreamsState>('CREATED');
  /** The current state, then every change; late subscribers get the current (possibly final) state first. */
  readonly state$: Observable<KafkaStreamsState> = this.#subject.asObservable();

  get state(): KafkaStreamsState {
    return this.#subject.value;
  }

  /** True if `to` is a legal next state. */
  canTransition(to: KafkaStreamsState): boolean {
    return TRANSITIONS[this.state].includes(to);
  }

  /** Moves to `to`; a move to the current state is a no-op; an illegal move throws. */
  transition(to: KafkaStreamsState): void {
    const from = this.state;
    if (from === to) return;
    if (!TRANSITIONS[from].includes(to)) {
      throw new IllegalStateError(`KafkaStreams cannot move from ${from} to ${to} (allowed from ${from}: ${TRANSITIONS[from].join(', ') || 'none'})`);
    }
    // Never completed, even in a terminal state: a completed BehaviorSubject would not replay the
    // final state to late subscribers.
    this.#subject.next(to);
  }

  /** Moves to `to` if legal; returns whether it moved (used where a race may already have moved on). */
  tryTransition(to: KafkaStreamsState): boolean {
    if (this.state === to) return true;
    if (!this.canTransition(to)) return false;
    this.transition(to);
    return true;
  }
}
