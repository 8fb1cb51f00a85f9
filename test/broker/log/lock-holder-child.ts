/**
 * Child process of the data-dir lock test: takes the lock on argv[2], prints `locked <pid>` (or the error
 * it got), then waits until the parent kills it or closes its stdin.
 */
import { acquireDataDirLock } from '../../../src/broker/log/data-dir-lock.js';

try {
  const lock = acquireDataDirLock(process.argv[2]!);
  process.stdout.write(`locked ${process.pid}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    lock.release();
    process.exit(0);
  });
} catch (err) {
  process.stdout.write(`error ${(err as Error).name}: ${(err as Error).message}\n`);
  process.exit(0);
}
