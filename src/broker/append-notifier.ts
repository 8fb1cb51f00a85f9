/**
 * Tells interested parties that records were appended: long-polling consumers (`waitForAppend`) and
 * `broker.watch(topic)` subscribers. Called once per appended batch; when nobody waits or watches it
 * costs two size checks, so the produce path does not pay for features nobody uses.
 */
import { Observable, type Subscriber } from 'rxjs';
import type { ConsumedRecord } from '../core/record.js';
import type { AppendBatch } from './log/partition-log.js';

interface Waiter {
  resolve: () => void;
  timer: ReturnType<typeof setTimeout>;
}

/** One per broker: long-poll waiters and per-topic watchers, woken by every appended batch. */
export class AppendNotifier {
  private waiters = new Set<Waiter>();
  private readonly watchers = new Map<string, Set<Subscriber<ConsumedRecord>>>();
  private closed = false;

  /** Resolves on the next append, after `timeoutMs`, or at close — whichever comes first. */
  waitForAppend(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve();
        }, Math.max(0, timeoutMs)),
      };
      this.waiters.add(waiter);
    });
  }

  /**
   * A cold Observable of the records appended to `topic` after subscription. `check` runs at
   * subscription and throws when the topic cannot be watched (unknown topic, broker closed); the
   * subscriber then gets that error as its notification.
   */
  watch(topic: string, check: () => void): Observable<ConsumedRecord> {
    return new Observable<ConsumedRecord>((subscriber) => {
      try {
        check();
      } catch (err) {
        subscriber.error(err);
        return;
      }
      if (this.closed) {
        subscriber.complete();
        return;
      }
      let set = this.watchers.get(topic);
      if (set === undefined) this.watchers.set(topic, (set = new Set()));
      set.add(subscriber);
      return () => {
        set.delete(subscriber);
        if (set.size === 0 && this.watchers.get(topic) === set) this.watchers.delete(topic);
      };
    });
  }

  /** Hot path: one call per appended batch. */
  appended(topic: string, partition: number, baseOffset: number, batch: AppendBatch): void {
    if (this.waiters.size > 0) this.wakeWaiters();
    if (this.watchers.size === 0 || batch.isControl === true) return;
    const set = this.watchers.get(topic);
    if (set === undefined) return;
    const records = batch.records.map(
      (r, i): ConsumedRecord => ({
        topic,
        partition,
        offset: baseOffset + i,
        timestamp: r.timestamp,
        key: r.key,
        value: r.value,
        headers: r.headers,
      }),
    );
    // Copy: a subscriber may unsubscribe (or another subscribe) while we emit.
    for (const subscriber of [...set]) {
      for (const record of records) {
        if (subscriber.closed) break;
        subscriber.next(record);
      }
    }
  }

  /** A deleted topic's watchers complete: nothing more will be appended to what they watched. */
  topicDeleted(topic: string): void {
    const set = this.watchers.get(topic);
    if (set === undefined) return;
    this.watchers.delete(topic);
    for (const subscriber of [...set]) subscriber.complete();
  }

  /** Wakes every waiter and completes every watcher; later waits resolve at once. */
  close(): void {
    this.closed = true;
    this.wakeWaiters();
    for (const topic of [...this.watchers.keys()]) this.topicDeleted(topic);
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }
}
