import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumed } from '../../dsl/consumed.js';
import { Materialized } from '../../dsl/materialized.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import { SessionWindows } from '../../dsl/windows/session-windows.js';
import { TimeWindows } from '../../dsl/windows/time-windows.js';
import { Broker } from '../../src/broker/broker.js';
import { QueryableStoreTypes } from '../../src/runtime/interactive-queries.js';
import { KafkaStreams } from '../../src/runtime/kafka-streams.js';
import type { TaskRestoreProgress } from '../../src/runtime/task-state-manager.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { silentLogger, waitFor, waitForState } from './runtime-test-helpers.js';

const S = Serdes.string();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Clicks per user: 1 s tumbling-window counts and 300 ms-gap session counts, both persistent and logged (kept 60 s: the default retention, size + grace, would expire window 0 at stream time 1100). */
function clickCounts() {
  const builder = new StreamsBuilder();
  const byUser = builder.stream('clicks', Consumed.with(S, S)).groupByKey();
  byUser.windowedBy(TimeWindows.ofSizeWithNoGrace(1000)).count(Materialized.as<string, number>('clicks-per-second').withRetention(60_000));
  byUser.windowedBy(SessionWindows.ofInactivityGapWithNoGrace(300)).count(Materialized.as<string, number>('click-sessions').withRetention(60_000));
  return builder.build();
}

const CLICKS = [
  { key: 'alice', timestamp: 100 },
  { key: 'alice', timestamp: 200 },
  { key: 'bob', timestamp: 500 },
  { key: 'alice', timestamp: 1100 },
];

describe('runtime > state stores: window and session stores', () => {
  it('window and session stores are queryable through windowStore() / sessionStore(), and restore after the state is deleted', async () => {
    const broker = await Broker.open({ dataDir: tempDir('tributary-state-broker-'), fsync: 'never' });
    cleanups.push(() => broker.close());
    await broker.admin().createTopics([{ topic: 'clicks', partitions: 2 }]);
    await broker.producer().send(CLICKS.map((c) => ({ topic: 'clicks', key: c.key, value: 'click', timestamp: c.timestamp })));
    const stateDir = tempDir('tributary-state-');
    const start = async () => {
      const app = new KafkaStreams(clickCounts(), { applicationId: 'clicks', broker, stateDir, commitIntervalMs: 50, logger: silentLogger });
      cleanups.push(() => app.close());
      const progress: TaskRestoreProgress[] = [];
      app.restoreProgress$.subscribe((p) => progress.push(p));
      await app.start();
      await waitForState(app, 'RUNNING');
      return { app, progress };
    };
    const check = (app: KafkaStreams) => {
      const windows = app.store('clicks-per-second', QueryableStoreTypes.windowStore<string, number>());
      expect(windows.fetch('alice', 0)).toBe(2);
      expect(windows.fetch('alice', 1000)).toBe(1);
      expect(windows.fetch('bob', 0, 5000)).toEqual([{ timestamp: 0, value: 1 }]);
      expect(windows.fetchAll(0, 5000).map((e) => [e.key.key, e.key.window.start, e.value]).sort()).toEqual([
        ['alice', 0, 2],
        ['alice', 1000, 1],
        ['bob', 0, 1],
      ]);
      const sessions = app.store('click-sessions', QueryableStoreTypes.sessionStore<string, number>());
      expect(sessions.fetch('alice').map((e) => [e.key.window.start, e.key.window.end, e.value])).toEqual([
        [100, 200, 2],
        [1100, 1100, 1],
      ]);
      expect(sessions.fetchSession('bob', 500, 500)).toBe(1);
    };

    const first = await start();
    let lastFailure: unknown;
    await waitFor(() => {
      try {
        check(first.app);
        return true;
      } catch (e) {
        lastFailure = e;
        return false;
      }
    }, 10_000, 'the windowed counts').catch((e: unknown) => {
      throw new Error(`${(e as Error).message}; last check failed with: ${String(lastFailure)}`);
    });
    expect(() => first.app.store('clicks-per-second', QueryableStoreTypes.keyValueStore())).toThrow(/not a key-value store/);
    const windowChangelog = await broker.admin().describeTopic('clicks-clicks-per-second-changelog');
    expect(windowChangelog.partitions).toHaveLength(2);
    expect(windowChangelog.config['cleanup.policy']).toBe('compact,delete');
    expect(Number(windowChangelog.config['retention.ms'])).toBeGreaterThan(0);
    expect((await broker.admin().describeTopic('clicks-click-sessions-changelog')).config['cleanup.policy']).toBe('compact,delete');
    await first.app.close();

    for (const d of readdirSync(join(stateDir, 'clicks'))) rmSync(join(stateDir, 'clicks', d), { recursive: true, force: true });
    const second = await start();
    check(second.app);
    const restored = second.progress.filter((p) => p.done && p.restored > 0).map((p) => p.store);
    expect(new Set(restored)).toEqual(new Set(['clicks-per-second', 'click-sessions']));
  });
});
