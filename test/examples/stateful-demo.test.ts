import { describe, expect, it } from 'vitest';
import { main } from '../../examples/stateful-demo.js';

describe('examples > stateful demo', () => {
  it('runs the word count and the windowed page-view count as apps and queries their stores', async () => {
    const lines: string[] = [];
    await main((line) => lines.push(line));
    expect(lines).toContain('word counts: brown=1 dog=2 fox=1 jumps=1 lazy=1 over=1 quick=1 sleeps=1 the=3');
    expect(lines).toContain('page views of /home per minute: 0s=2 60s=2');
    expect(lines).toContain('page views of /cart per minute: 0s=1 60s=1');
    expect(lines).toContain('page-view-counts: /home [60000, 120000) -> 2');
  }, 30_000);
});
