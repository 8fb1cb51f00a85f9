/**
 * The `tributary` command line, over a broker data directory (the process takes the directory's lock,
 * so stop the application that holds it first).
 *
 *   tributary topics list|create|describe|delete ...
 *   tributary produce <topic>       (stdin lines; --key-separator splits key and value)
 *   tributary consume <topic>       (--from-beginning, --group, --print-key, --key-separator, --max-messages)
 *   tributary groups list|describe|reset-offsets ...
 *
 * Arguments are parsed with Node's `util.parseArgs` (no dependency: the commands are few and flat).
 */
import { parseArgs } from 'node:util';
import { Broker } from '../src/broker/broker.js';
import type { OffsetResetSpec } from '../src/core/client.js';
import { TributaryError } from '../src/core/errors.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Lines of standard input (for `produce`). */
  stdinLines(): AsyncIterable<string>;
}

const USAGE = `usage: tributary <command> [options] [--data-dir DIR]

  topics list
  topics create <topic> [--partitions N] [--config key=value ...]
  topics describe <topic>
  topics delete <topic>
  produce <topic> [--key-separator SEP]          one record per stdin line
  consume <topic> [--from-beginning] [--group G] [--print-key] [--key-separator SEP]
                  [--max-messages N] [--idle-ms MS]   exits once caught up (idle for --idle-ms)
  groups list
  groups describe <group>
  groups reset-offsets <group> --topic T (--to-earliest | --to-latest | --to-offset N | --shift-by N | --to-datetime ISO)

  --data-dir defaults to $TRIBUTARY_DATA_DIR or ./tributary-data`;

const options = {
  'data-dir': { type: 'string' },
  partitions: { type: 'string' },
  config: { type: 'string', multiple: true },
  'key-separator': { type: 'string' },
  'from-beginning': { type: 'boolean' },
  group: { type: 'string' },
  'print-key': { type: 'boolean' },
  'max-messages': { type: 'string' },
  'idle-ms': { type: 'string' },
  topic: { type: 'string' },
  'to-earliest': { type: 'boolean' },
  'to-latest': { type: 'boolean' },
  'to-offset': { type: 'string' },
  'shift-by': { type: 'string' },
  'to-datetime': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs one CLI command; returns the process exit code (0 ok, 1 failed, 2 usage). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, sub, arg] = positionals;
  if (values.help || command === undefined) {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }
  const dataDir = values['data-dir'] ?? process.env.TRIBUTARY_DATA_DIR ?? './tributary-data';
  const usage = (why: string) => {
    io.err(`${why}\n${USAGE}`);
    return 2;
  };
  const integer = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n)) throw new RangeError(`--${name} must be an integer, got "${text}"`);
    return n;
  };

  let broker: Broker | undefined;
  try {
    const open = async () => (broker = await Broker.open({ dataDir, onWarning: (m) => io.err(`warning: ${m}`) }));
    if (command === 'topics') {
      if (sub === 'list') {
        for (const t of await (await open()).admin().listTopics()) io.out(t);
      } else if (sub === 'create' && arg) {
        const config = Object.fromEntries(
          (values.config ?? []).map((kv) => {
            const i = kv.indexOf('=');
            if (i <= 0) throw new RangeError(`--config expects key=value, got "${kv}"`);
            return [kv.slice(0, i), kv.slice(i + 1)];
          }),
        );
        await (await open()).admin().createTopics([{ topic: arg, partitions: integer('partitions', values.partitions) ?? 1, config }]);
        io.out(`created topic ${arg}`);
      } else if (sub === 'describe' && arg) {
        const d = await (await open()).admin().describeTopic(arg);
        io.out(`Topic: ${d.name}\tPartitionCount: ${d.partitions.length}\tConfigs: ${Object.entries(d.config).map(([k, v]) => `${k}=${v}`).join(',')}`);
        for (const p of d.partitions) {
          io.out(`\tPartition: ${p.partition}\tLogStartOffset: ${p.logStartOffset}\tHighWatermark: ${p.highWatermark}\tLastStableOffset: ${p.lastStableOffset}`);
        }
      } else if (sub === 'delete' && arg) {
        await (await open()).admin().deleteTopics([arg]);
        io.out(`deleted topic ${arg}`);
      } else return usage(`topics: expected list | create <topic> | describe <topic> | delete <topic>`);
    } else if (command === 'produce' && sub) {
      const producer = (await open()).producer();
      const sep = values['key-separator'];
      let n = 0;
      for await (const line of io.stdinLines()) {
        if (line === '') continue;
        const i = sep === undefined ? -1 : line.indexOf(sep);
        await producer.send([i < 0 ? { topic: sub, value: line } : { topic: sub, key: line.slice(0, i), value: line.slice(i + sep!.length) }]);
        n++;
      }
      io.err(`produced ${n} records to ${sub}`);
    } else if (command === 'consume' && sub) {
      const b = await open();
      const consumer = b.consumer({
        groupId: values.group,
        autoOffsetReset: values['from-beginning'] ? 'earliest' : 'latest',
        autoCommit: values.group !== undefined,
      });
      if (values.group !== undefined) await consumer.subscribe([sub]);
      else consumer.assign((await b.admin().describeTopic(sub)).partitions.map((p) => ({ topic: sub, partition: p.partition })));
      const max = integer('max-messages', values['max-messages']) ?? Infinity;
      const idleMs = integer('idle-ms', values['idle-ms']) ?? 1000;
      const sep = values['key-separator'] ?? '\t';
      let n = 0;
      let idleSince = Date.now();
      while (n < max && Date.now() - idleSince < idleMs) {
        const records = await consumer.poll({ maxRecords: Math.min(500, max - n), timeoutMs: 100 });
        if (records.length > 0) idleSince = Date.now();
        for (const r of records) {
          const value = r.value === null ? 'null' : r.value.toString();
          io.out(values['print-key'] ? `${r.key === null ? 'null' : r.key.toString()}${sep}${value}` : value);
          n++;
        }
      }
      if (values.group !== undefined) await consumer.commit();
      await consumer.close();
      io.err(`consumed ${n} records from ${sub}`);
    } else if (command === 'groups') {
      if (sub === 'list') {
        for (const g of await (await open()).admin().listGroups()) io.out(g);
      } else if (sub === 'describe' && arg) {
        const g = await (await open()).admin().describeGroup(arg);
        io.out(`GROUP ${g.groupId} STATE ${g.state} MEMBERS ${g.members.length}`);
        io.out('TOPIC\tPARTITION\tCURRENT-OFFSET\tLAG');
        for (const o of g.offsets) io.out(`${o.topic}\t${o.partition}\t${o.committed}\t${o.lag}`);
      } else if (sub === 'reset-offsets' && arg) {
        if (values.topic === undefined) return usage('groups reset-offsets needs --topic');
        const to: OffsetResetSpec | undefined = values['to-earliest']
          ? { earliest: true }
          : values['to-latest']
            ? { latest: true }
            : values['to-offset'] !== undefined
              ? { offset: integer('to-offset', values['to-offset'])! }
              : values['shift-by'] !== undefined
                ? { shiftBy: integer('shift-by', values['shift-by'])! }
                : values['to-datetime'] !== undefined
                  ? { timestamp: Date.parse(values['to-datetime']) }
                  : undefined;
        if (to === undefined) return usage('groups reset-offsets needs one of --to-earliest, --to-latest, --to-offset, --shift-by, --to-datetime');
        if ('timestamp' in to && Number.isNaN(to.timestamp)) return usage(`--to-datetime: cannot parse "${values['to-datetime']}"`);
        await (await open()).admin().resetOffsets(arg, values.topic, to);
        io.out(`reset offsets of group ${arg} on ${values.topic}`);
      } else return usage('groups: expected list | describe <group> | reset-offsets <group> ...');
    } else {
      return usage(`unknown command: ${positionals.join(' ')}`);
    }
    return 0;
  } catch (e) {
    const err = e as Error;
    io.err(`error: ${err instanceof TributaryError ? `${err.name} (${err.code}): ` : ''}${err.message}`);
    return 1;
  } finally {
    await broker?.close();
  }
}
