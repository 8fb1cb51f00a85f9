import { describe, expect, it } from 'vitest';
import { EmitStrategy } from '../../../dsl/emit-strategy.js';
import { BufferConfig, Suppressed } from '../../../dsl/suppressed.js';
import { JoinWindows } from '../../../dsl/windows/join-windows.js';

describe('dsl > windows > JoinWindows, EmitStrategy, Suppressed definitions', () => {
  it('JoinWindows: symmetric by default, before/after make it asymmetric, size = before + after', () => {
    const w = JoinWindows.ofTimeDifferenceAndGrace(5, 2);
    expect([w.beforeMs, w.afterMs, w.gracePeriodMs(), w.size()]).toEqual([5, 5, 2, 10]);
    const a = w.after(10).before(0);
    expect([a.beforeMs, a.afterMs, a.size()]).toEqual([0, 10, 10]);
    expect(JoinWindows.ofTimeDifferenceWithNoGrace(3).gracePeriodMs()).toBe(0);
    expect(w.before(-3).size()).toBe(2); // negative bounds allowed while before + after >= 0 (Kafka)
    expect(() => w.before(-6)).toThrow(/before \+ after.* before=-6 after=5/);
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(-1)).toThrow(/got -1/);
  });

  it('EmitStrategy: onWindowUpdate by default semantics, onWindowClose with Kafka\'s 1000 ms check interval', () => {
    expect(EmitStrategy.onWindowUpdate().type).toBe('ON_WINDOW_UPDATE');
    expect(EmitStrategy.onWindowClose().emitIntervalMs).toBe(1000);
    expect(EmitStrategy.onWindowClose().withEmitIntervalMs(0).emitIntervalMs).toBe(0);
    expect(() => EmitStrategy.onWindowClose().withEmitIntervalMs(-1)).toThrow(RangeError);
  });

  it('BufferConfig and Suppressed: bounds, full strategies, names', () => {
    expect(BufferConfig.maxRecords(5).whenFull).toBe('EMIT');
    expect(BufferConfig.maxBytes(100).shutDownWhenFull().whenFull).toBe('SHUT_DOWN');
    expect(BufferConfig.unbounded().maxRecords).toBe(Number.POSITIVE_INFINITY);
    expect(() => BufferConfig.maxRecords(-1)).toThrow(/got -1/);
    const s = Suppressed.untilTimeLimit(1000, BufferConfig.maxRecords(3)).withName('limit');
    expect([s.kind, s.timeLimitMs, s.name]).toEqual(['UNTIL_TIME_LIMIT', 1000, 'limit']);
    expect(() => Suppressed.untilTimeLimit(-5, BufferConfig.unbounded())).toThrow(/got -5/);
    expect(() => Suppressed.untilWindowCloses(BufferConfig.unbounded()).withName('')).toThrow(TypeError);
  });
});
