/**
 * `npm run bench -- <suite...>` runs benchmark suites and prints their ratios as a Markdown table.
 * Every figure is a ratio to a hand-written anchor measured in the same run, because this machine is
 * shared and noisy; absolute rates are printed for context only. Paste results into bench/RESULTS.md.
 */
import { parseArgs } from 'node:util';
import { suites } from './suites.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { records: { type: 'string' }, 'rss-records': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});

if (values.help) {
  console.log(`usage: npm run bench -- [${Object.keys(suites).join('|')}] [--records N] [--rss-records N]`);
  process.exit(0);
}

const chosen = positionals.length === 0 ? Object.keys(suites) : positionals;
for (const name of chosen) {
  const suite = suites[name];
  if (!suite) {
    console.error(`unknown suite "${name}"; known: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## ${name}  (node ${process.version}, ${new Date().toISOString()})\n`);
  await suite({
    records: values.records === undefined ? undefined : Number(values.records),
    rssRecords: values['rss-records'] === undefined ? undefined : Number(values['rss-records']),
  });
}
