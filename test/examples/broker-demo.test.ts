import { describe, expect, it } from 'vitest';
import { main } from '../../examples/broker-demo.js';

describe('examples > broker demo', () => {
  it('produces, consumes in a group, and keeps records and offsets across a restart', async () => {
    const lines: string[] = [];
    await main((line) => lines.push(line));
    expect(lines.filter((l) => l.startsWith('consumed '))).toHaveLength(8);
    expect(lines.at(-1)).toMatch(/high watermarks (\d+)\/(\d+)\/(\d+), group "billing" still at .*total lag 2$/);
    const [, a, b, c] = /high watermarks (\d+)\/(\d+)\/(\d+)/.exec(lines.at(-1)!)!;
    expect(Number(a) + Number(b) + Number(c)).toBe(10);
  });
});
