/** A time window [start, end) in epoch milliseconds. */
export interface Window {
  readonly start: number;
  readonly end: number;
}

/** The key of a windowed aggregation result: the record key and the window it belongs to. */
export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}
