/**
 * Runs a crash-harness child and kills it with SIGKILL `delayMs` after it prints `ready`.
 * Children speak one line per event: `ready [n]` once, then `ack <n>` for each durable acknowledgement.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface KilledChildRun {
  /** The number after `ready` (-1 if none was printed or it had none). */
  readyAt: number;
  /** The highest `ack` number printed (-1 if none). */
  lastAck: number;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Spawns `node --import tsx <file> ...args`; resolves once its stdout is drained and it has exited. */
export function runKilledChild(file: string, args: string[], delayMs: number, startupTimeoutMs = 30_000): Promise<KilledChildRun> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    let readyAt = -1;
    let ready = false;
    let lastAck = -1;
    const startupTimeout = setTimeout(() => child.kill('SIGKILL'), startupTimeoutMs);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const [word, n] = out.slice(0, nl).split(' ');
        out = out.slice(nl + 1);
        if (word === 'ack') lastAck = Math.max(lastAck, Number(n));
        else if (word === 'ready' && !ready) {
          ready = true;
          readyAt = n === undefined ? -1 : Number(n);
          clearTimeout(startupTimeout);
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
    });
    child.on('error', reject);
    // 'close' (not 'exit'): stdout is drained, so every ack the child wrote has been seen.
    child.on('close', (code, signal) => {
      clearTimeout(startupTimeout);
      resolve({ readyAt, lastAck, signal, code, stderr });
    });
  });
}
