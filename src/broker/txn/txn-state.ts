/**
 * The lifecycle of one transactional id on the transaction coordinator (KIP-98's TransactionMetadata
 * states), as an explicit transition table. Every state change the coordinator makes goes through
 * `transition`, so an illegal move is a bug caught at once, not a silently corrupted transaction.
 *
 * ```
 *             addPartitions / addOffsets
 *   Empty ─────────────────────────────► Ongoing ◄──────────────────────────┐
 *     ▲                                  │     │                            │ next transaction
 *     │ (initProducerId: epoch bump)     │     │ endTxn(abort), timeout,    │
 *     │                      endTxn(commit)    │ fencing, broker restart     │
 *     │                                  ▼     ▼                            │
 *     │                      PrepareCommit    PrepareAbort                  │
 *     │                                  │     │  markers written           │
 *     │                                  ▼     ▼                            │
 *     └───────────────────── CompleteCommit   CompleteAbort ────────────────┘
 * ```
 *
 * PrepareCommit is the commit point: once it is durable the transaction commits, even across a crash
 * (the coordinator finishes it at the next open). Ongoing and PrepareAbort found at open are aborted.
 */
import { IllegalStateError } from '../../core/errors.js';

/** A transactional id's state, named as in Kafka's transaction coordinator. */
export type TxnState = 'Empty' | 'Ongoing' | 'PrepareCommit' | 'PrepareAbort' | 'CompleteCommit' | 'CompleteAbort';

/** The states each state may move to. A self-move is listed where Kafka allows it (adding partitions to Ongoing). */
export const TXN_TRANSITIONS: Readonly<Record<TxnState, readonly TxnState[]>> = Object.freeze({
  Empty: ['Ongoing', 'Empty'],
  Ongoing: ['Ongoing', 'PrepareCommit', 'PrepareAbort'],
  PrepareCommit: ['CompleteCommit'],
  PrepareAbort: ['CompleteAbort'],
  CompleteCommit: ['Ongoing', 'Empty'],
  CompleteAbort: ['Ongoing', 'Empty'],
});

/** States in which a transaction is open: its records are above the last stable offset. */
export function isOpen(state: TxnState): boolean {
  return state === 'Ongoing' || state === 'PrepareCommit' || state === 'PrepareAbort';
}

/** True for a name this version knows (used when replaying `__transaction_state`). */
export function isTxnState(s: unknown): s is TxnState {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(TXN_TRANSITIONS, s);
}

/**
 * Checks the move `from → to` for `transactionalId`; throws IllegalStateError (a coordinator bug, not a
 * client mistake: client mistakes are rejected earlier with InvalidTxnStateError) when the table forbids it.
 */
export function transition(transactionalId: string, from: TxnState, to: TxnState): TxnState {
  if (!TXN_TRANSITIONS[from].includes(to)) {
    throw new IllegalStateError(`transaction coordinator: transactionalId "${transactionalId}" cannot move from ${from} to ${to}`);
  }
  return to;
}
