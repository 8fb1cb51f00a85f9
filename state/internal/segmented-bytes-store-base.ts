import { StoreNotOpenError } from '../../src/core/errors.js';
import type { StateStore, StateStoreContext } from '../state-store.js';
import { andThen } from './maybe-async.js';
import { Segments, type SegmentFactory } from './segments.js';

/**
 * The lifecycle shared by the segmented window and session stores: open the time segments at `init`
 * (releasing the subclass's resources if that fails), refuse every use while closed, and report the
 * stream time the segments have seen. Window stores segment by window start, session stores by
 * session end: the subclass passes that as `timeOf`.
 */
export abstract class SegmentedBytesStoreBase {
  private segments: Segments | null = null;

  constructor(
    readonly name: string,
    readonly retentionMs: number,
    readonly segmentIntervalMs: number,
    private readonly timeOf: (storeKey: Buffer) => number,
  ) {}

  /** Where the segments live (memory or the task's LevelDB). */
  protected abstract segmentFactory(context: StateStoreContext): SegmentFactory | Promise<SegmentFactory>;
  /** Frees what `segmentFactory` took. */
  protected abstract release(): void;
  abstract persistent(): boolean;

  init(context: StateStoreContext, _root: StateStore): void | Promise<void> {
    if (this.segments !== null) throw new TypeError(`state store "${this.name}" is already initialized`);
    const opened = andThen(this.segmentFactory(context), (factory) => {
      const segments = new Segments(factory, this.retentionMs, this.segmentIntervalMs, this.timeOf);
      return andThen(segments.open(), () => {
        this.segments = segments;
      });
    });
    if (!(opened instanceof Promise)) return opened;
    return opened.catch((err: unknown) => {
      this.release();
      throw err;
    });
  }
  flush(): void {
    this.open();
  }
  close(): void {
    if (this.segments === null) return;
    this.segments = null;
    this.release();
  }
  isOpen(): boolean {
    return this.segments !== null;
  }
  /** Stream time: the largest segment time seen, persisted and restored ones included. */
  observedStreamTime(): number {
    return this.open().observedStreamTime();
  }
  /** The open segments; StoreNotOpenError when closed. */
  protected open(): Segments {
    if (this.segments === null) throw new StoreNotOpenError(this.name);
    return this.segments;
  }
}
