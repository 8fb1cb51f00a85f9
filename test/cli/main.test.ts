import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { run, type CliIo } from '../../cli/main.js';

function io(stdin: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const handle: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    async *stdinLines() {
      yield* stdin;
    },
  };
  return { handle, out, err };
}

describe('cli > tributary', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const cli = (args: string[], stdin: string[] = []) => {
    const s = io(stdin);
    return run([...args, '--data-dir', dir], s.handle).then((code) => ({ code, ...s }));
  };

  it('creates, lists, describes and deletes topics', async () => {
    expect((await cli(['topics', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=1000'])).code).toBe(0);
    expect((await cli(['topics', 'list'])).out).toEqual(['orders']);
    const described = await cli(['topics', 'describe', 'orders']);
    expect(described.out[0]).toMatch(/^Topic: orders\tPartitionCount: 3\t.*retention\.ms=1000/);
    expect(described.out).toHaveLength(4);
    expect((await cli(['topics', 'delete', 'orders'])).code).toBe(0);
    expect((await cli(['topics', 'list'])).out).toEqual([]);
  });

  it('produces stdin lines and consumes them with keys, in a group that then has no lag', async () => {
    await cli(['topics', 'create', 'words', '--partitions', '2']);
    const produced = await cli(['produce', 'words', '--key-separator', ':'], ['a:1', 'b:2', 'a:3']);
    expect(produced.code).toBe(0);
    const consumed = await cli(['consume', 'words', '--from-beginning', '--print-key', '--group', 'g', '--idle-ms', '300']);
    expect(consumed.code).toBe(0);
    expect([...consumed.out].sort()).toEqual(['a\t1', 'a\t3', 'b\t2']);
    // Same key, same partition, so a's records keep their order.
    expect(consumed.out.filter((l) => l.startsWith('a'))).toEqual(['a\t1', 'a\t3']);
    const group = await cli(['groups', 'describe', 'g']);
    expect(group.out.slice(2).map((l) => l.split('\t')[3])).toEqual(['0', '0']);
    expect((await cli(['groups', 'reset-offsets', 'g', '--topic', 'words', '--to-earliest'])).code).toBe(0);
    const again = await cli(['groups', 'describe', 'g']);
    expect(again.out.slice(2).reduce((sum, l) => sum + Number(l.split('\t')[3]), 0)).toBe(3);
  });

  it('reports typed errors and usage problems with exit codes', async () => {
    const missing = await cli(['topics', 'describe', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.err.join('\n')).toMatch(/TopicNotFoundError .*nope/);
    const bad = await cli(['topics', 'create', 'bad name']);
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toMatch(/InvalidTopicError/);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['topics', 'create', 'x', '--partitions', 'two'])).code).toBe(1);
  });
});
