import { change, type Change } from '../../src/core/change.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import type { ValueAndTimestamp } from '../../src/processor/value-and-timestamp.js';
import type { KeyValueStore } from '../../state/key-value-store.js';
import type { MeteredKeyValueStore } from '../../state/metered-key-value-store.js';
import { TableForwarder } from './table-forwarder.js';
import type { TableState } from './table-state.js';

/**
 * How one side of a table–table join treats an update (Kafka's `KTableKTableInnerJoin`,
 * `…LeftJoin`, `…RightJoin` — the right side of a left join — and `…OuterJoin`).
 * @example
 * const sides: [TableJoinSide, TableJoinSide] = ['left', 'right']; // a leftJoin
 */
export type TableJoinSide = 'inner' | 'left' | 'right' | 'outer';

/**
 * The state of a table–table join result: asking it for old values asks (and forces) both parents,
 * as Kafka's `KTableKTableJoinMerger`; the join processors then compute old join results too.
 * @example
 * const state = new JoinTableState(left.state, right.state);
 */
export class JoinTableState implements TableState {
  sendOldValues = false;

  constructor(readonly left: TableState, readonly right: TableState) {}

  enableSendingOldValues(): boolean {
    this.left.enableSendingOldValues(true);
    this.right.enableSendingOldValues(true);
    this.sendOldValues = true;
    return true;
  }
}

class TableTableJoinProcessor<K, VThis, VOther, R> implements Processor<K, Change<VThis>, K, Change<R>> {
  #context!: ProcessorContext<K, Change<R>>;
  #other!: KeyValueStore<K, ValueAndTimestamp<VOther>>;

  constructor(
    readonly side: TableJoinSide,
    readonly otherStoreName: string,
    readonly join: (thisValue: VThis | null, otherValue: VOther | null, key: K) => R,
    readonly state: JoinTableState,
  ) {}

  init(context: ProcessorContext<K, Change<R>>): void {
    this.#context = context;
    this.#other = context.getStateStore(this.otherStoreName);
  }

  process(record: Record<K, Change<VThis>>): void {
    const key = record.key;
    if (key === null || key === undefined) {
      this.#context.recordDropped?.();
      return;
    }
    const { newValue, oldValue } = record.value;
    const other = this.#other.get(key);
    const otherValue = other?.value ?? null;
    const sendOld = this.state.sendOldValues;
    let out: Change<R>;
    if (this.side === 'inner' || this.side === 'right') {
      if (otherValue === null) return;
      // The right side of a left join joins even a deleted row: the left row stays, with null.
      const always = this.side === 'right';
      out = change(
        always || newValue !== null ? this.join(newValue, otherValue, key) : null,
        sendOld && (always || oldValue !== null) ? this.join(oldValue, otherValue, key) : null,
      );
    } else {
      if (otherValue === null && newValue === null && oldValue === null) return;
      const outer = this.side === 'outer' && otherValue !== null;
      out = change(
        outer || newValue !== null ? this.join(newValue, otherValue, key) : null,
        sendOld && (outer || oldValue !== null) ? this.join(oldValue, otherValue, key) : null,
      );
    }
    const timestamp = other === null ? record.timestamp : Math.max(record.timestamp, other.timestamp);
    this.#context.forward(record.withValue(out).withTimestamp(timestamp));
  }
}

/**
 * Supplier of one side of a table–table join: per update of this side (a `Change`), look the key
 * up in the other side's store and forward the joined `Change(new, old)` stamped with the max of
 * both rows' timestamps. Inner: nothing if the other row is missing; a deleted row yields a
 * tombstone. Left (and outer): a missing other row is joined as null; an update that is absent
 * before and after is skipped. Right (of a left join): nothing if the left row is missing, else
 * the left row joined with the new right value even if null. Null keys are dropped and counted.
 * @example
 * topology.addProcessor('KTABLE-JOINTHIS-0000000005', tableTableJoinProcessor('left', 'right-store', (l, r) => [l, r], state), 'left-table');
 */
export function tableTableJoinProcessor<K, VThis, VOther, R>(
  side: TableJoinSide,
  otherStoreName: string,
  join: (thisValue: VThis | null, otherValue: VOther | null, key: K) => R,
  state: JoinTableState,
): () => Processor<K, Change<VThis>, K, Change<R>> {
  return () => new TableTableJoinProcessor(side, otherStoreName, join, state);
}

/**
 * Supplier of Kafka's `KTableKTableJoinMerger`: passes both sides' join results on; when the join is
 * materialized, writes each result to its store first (forwarding through the store's cache if it
 * has one) — old values come from the join processors, only when a downstream asked for them.
 * @example
 * topology.addProcessor('KTABLE-MERGE-0000000004', tableJoinMergeProcessor('joined', state), 'KTABLE-JOINTHIS-0000000005', 'KTABLE-JOINOTHER-0000000006');
 */
export function tableJoinMergeProcessor<K, R>(storeName: string | undefined, state: JoinTableState): () => Processor<K, Change<R>, K, Change<R>> {
  return () => {
    let context!: ProcessorContext<K, Change<R>>;
    let store: MeteredKeyValueStore<K, ValueAndTimestamp<R>> | undefined;
    let forwarder: TableForwarder<K, R> | undefined;
    return {
      init(c: ProcessorContext<K, Change<R>>) {
        context = c;
        if (storeName === undefined) return;
        const s = c.getStateStore<MeteredKeyValueStore<K, ValueAndTimestamp<R>>>(storeName);
        store = s;
        forwarder = new TableForwarder(s, c, state);
      },
      process(record: Record<K, Change<R>>) {
        const { newValue, oldValue } = record.value;
        const out = record.withValue(change(newValue, state.sendOldValues ? oldValue : null));
        if (store === undefined) return context.forward(out);
        store.put(record.key, newValue === null ? null : { value: newValue, timestamp: record.timestamp }, record.timestamp);
        forwarder!.maybeForward(out);
      },
    };
  };
}
