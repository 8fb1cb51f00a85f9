import type { Cancellable, Punctuator } from '../processor-context.js';

/**
 * One scheduled punctuator: who scheduled it (for error attribution and context), when it is next due.
 * @example
 * const s = queue.schedule('node', 10, tick, 0); s.cancel();
 */
export class PunctuationSchedule implements Cancellable {
  cancelled = false;
  constructor(
    readonly nodeName: string,
    readonly intervalMs: number,
    readonly punctuator: Punctuator,
    public nextMs: number,
    readonly seq: number,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }

  /** Next due time after firing at `nowMs`; missed intervals are skipped, as in Kafka. */
  advance(nowMs: number): void {
    let next = this.nextMs + this.intervalMs;
    if (nowMs >= next) next = this.nextMs + (Math.floor((nowMs - this.nextMs) / this.intervalMs) + 1) * this.intervalMs;
    this.nextMs = next;
  }
}

/**
 * Punctuators of one clock, ordered by due time then by scheduling order.
 * @example
 * const q = new PunctuationQueue(); q.schedule('p', 10, tick, 0); q.mayPunctuate(25, (s, now) => s.punctuator(now));
 */
export class PunctuationQueue {
  readonly #queue: PunctuationSchedule[] = [];
  #seq = 0;

  schedule(nodeName: string, intervalMs: number, punctuator: Punctuator, firstDueMs: number): PunctuationSchedule {
    if (!(Number.isFinite(intervalMs) && intervalMs >= 1)) {
      throw new RangeError(`schedule: intervalMs must be a finite number >= 1, got ${intervalMs}`);
    }
    const s = new PunctuationSchedule(nodeName, intervalMs, punctuator, firstDueMs, this.#seq++);
    this.#insert(s);
    return s;
  }

  /** Fires every punctuator due at or before `nowMs` (each at most once per call); true if any fired. */
  mayPunctuate(nowMs: number, fire: (s: PunctuationSchedule, nowMs: number) => void): boolean {
    const due: PunctuationSchedule[] = [];
    while (this.#queue.length > 0 && this.#queue[0]!.nextMs <= nowMs) due.push(this.#queue.shift()!);
    let fired = false;
    for (const s of due) {
      if (s.cancelled) continue;
      fire(s, nowMs);
      fired = true;
      if (!s.cancelled) {
        s.advance(nowMs);
        this.#insert(s);
      }
    }
    return fired;
  }

  get size(): number {
    return this.#queue.filter((s) => !s.cancelled).length;
  }

  #insert(s: PunctuationSchedule): void {
    let i = this.#queue.length;
    while (i > 0) {
      const prev = this.#queue[i - 1]!;
      if (prev.nextMs < s.nextMs || (prev.nextMs === s.nextMs && prev.seq < s.seq)) break;
      i--;
    }
    this.#queue.splice(i, 0, s);
  }
}
