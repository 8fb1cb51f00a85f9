/**
 * Runs one child of the exactly-once crash harness (`eos-crash-child.ts`) and collects what it printed:
 * `expect <tail> <whole>`, `ready <restored>`, `ack <committed> <restored>`, `store <json>`.
 * With `killAfterReadyMs` it is SIGKILLed that long after `ready`; a child that kills itself needs
 * none (a fallback kill fires `fallbackMs` after ready in case its commit step never comes).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const childFile = fileURLToPath(new URL('./eos-crash-child.ts', import.meta.url));

export interface EosChildRun {
  /** Committed changelog records past the checkpoints / in the whole changelogs when the child started (-1 if not printed). */
  expectedTail: number;
  wholeChangelog: number;
  /** Changelog records restored when `ready` was printed, and the latest count printed (restores after ready add to it). */
  restoredAtReady: number;
  restored: number;
  /** Orders whose input offsets were committed, per the last `ack` (-1 if none). */
  lastAck: number;
  store: [string, number][] | undefined;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

export interface EosChildOptions {
  dir: string;
  mode: 'bootstrap' | 'run' | 'final';
  instances: number;
  orders: number;
  /** `none` or `<step>:<n>` (see the child). */
  selfKill: string;
  killAfterReadyMs?: number;
  fallbackMs?: number;
  startupTimeoutMs?: number;
}

export function runEosChild(opts: EosChildOptions): Promise<EosChildRun> {
  return new Promise((resolve, reject) => {
    const args = [opts.dir, opts.mode, String(opts.instances), String(opts.orders), opts.selfKill];
    const child = spawn(process.execPath, ['--import', 'tsx', childFile, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const run: EosChildRun = { expectedTail: -1, wholeChangelog: -1, restoredAtReady: -1, restored: -1, lastAck: -1, store: undefined, signal: null, code: null, stderr: '' };
    let out = '';
    const startup = setTimeout(() => child.kill('SIGKILL'), opts.startupTimeoutMs ?? 60_000);
    child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const [word, a, b] = line.split(' ');
        if (word === 'expect') {
          run.expectedTail = Number(a);
          run.wholeChangelog = Number(b);
        } else if (word === 'ready') {
          run.restoredAtReady = run.restored = Number(a);
          clearTimeout(startup);
          if (opts.killAfterReadyMs !== undefined) setTimeout(() => child.kill('SIGKILL'), opts.killAfterReadyMs);
          else if (opts.fallbackMs !== undefined) setTimeout(() => child.kill('SIGKILL'), opts.fallbackMs);
        } else if (word === 'ack') {
          run.lastAck = Math.max(run.lastAck, Number(a));
          run.restored = Math.max(run.restored, Number(b));
        } else if (word === 'store') run.store = JSON.parse(line.slice(6)) as [string, number][];
      }
    });
    child.on('error', reject);
    // 'close' (not 'exit'): stdout is drained, so every line the child wrote has been seen.
    child.on('close', (code, signal) => {
      clearTimeout(startup);
      resolve({ ...run, code, signal });
    });
  });
}
