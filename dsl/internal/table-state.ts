/**
 * What a KTable's processor shares with the tables derived from it at build time: whether a
 * downstream asked for old values (Kafka's `sendOldValues`). A downstream that needs `Change.oldValue`
 * (a table `groupBy`'s subtractor) calls `enableSendingOldValues(true)` while the DSL is declared;
 * processors read `sendOldValues` when tasks start, after `build()`.
 *
 * Without old values a table processor forwards `Change(newValue, null)`; with them it forwards the
 * value the key had before, and skips updates that leave a key absent before and after.
 * @example
 * if (parent.state.enableSendingOldValues(true)) { ... } // parent now forwards old values
 */
export interface TableState {
  readonly sendOldValues: boolean;
  /**
   * Asks the table to forward old values; `force` materializes a source table that is not. Returns
   * false if the table cannot (a non-materialized source, without `force`).
   */
  enableSendingOldValues(force: boolean): boolean;
}

/**
 * The state of a source table (`builder.table`, `KStream.toTable`): it can send old values only when
 * materialized, and forcing old values materializes it (`onMaterialize` registers the store).
 * @example
 * const state = new SourceTableState(false, () => internal.addImplicitInternalName('state store', store));
 */
export class SourceTableState implements TableState {
  sendOldValues = false;

  constructor(
    public materialized: boolean,
    private readonly onMaterialize: () => void,
  ) {}

  enableSendingOldValues(force: boolean): boolean {
    if (!this.materialized) {
      if (!force) return false;
      this.materialized = true;
      this.onMaterialize();
    }
    this.sendOldValues = true;
    return true;
  }
}

/**
 * The state of a table computed record by record from another (`filter`, `mapValues`): a
 * materialized one reads old values from its own store; otherwise it recomputes them from the
 * parent's old values, so it asks the parent.
 * @example
 * const state = new DerivedTableState(parent.state, materialized !== undefined);
 */
export class DerivedTableState implements TableState {
  sendOldValues = false;

  constructor(
    private readonly parent: TableState,
    readonly materialized: boolean,
  ) {}

  enableSendingOldValues(force: boolean): boolean {
    if (this.materialized || this.parent.enableSendingOldValues(force)) this.sendOldValues = true;
    return this.sendOldValues;
  }
}

/**
 * The state of an aggregation result: always materialized, so it can always send old values.
 * @example
 * const state = new AggregateTableState();
 */
export class AggregateTableState implements TableState {
  sendOldValues = false;

  enableSendingOldValues(): boolean {
    this.sendOldValues = true;
    return true;
  }
}
