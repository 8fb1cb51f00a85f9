#!/usr/bin/env node
// The `tributary` command. Runs the compiled CLI from dist/ (`npm run build` makes it).
import { createInterface } from 'node:readline';

let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('tributary: dist/ is missing; run `npm run build` first');
    process.exit(1);
  }
  throw e;
}
const io = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  stdinLines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
};
process.exitCode = await cli.run(process.argv.slice(2), io);
