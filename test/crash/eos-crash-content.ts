/**
 * What the exactly-once crash harness processes: a fixed keyed input (fed before any child starts)
 * and the stateful topology the children run — `selectKey` (a repartition) → `groupByKey` →
 * `count('counts', caching off, so every update is emitted)` → `eos-crash-out`.
 */
import { Consumed } from '../../dsl/consumed.js';
import { Grouped } from '../../dsl/grouped.js';
import { Materialized } from '../../dsl/materialized.js';
import { Produced } from '../../dsl/produced.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import type { Topology } from '../../src/processor/topology.js';
import { Serdes } from '../../src/serdes/serdes.js';

export const EOS_CRASH_APP = 'eos-crash';
export const EOS_CRASH_IN = 'eos-crash-in';
export const EOS_CRASH_OUT = 'eos-crash-out';
export const EOS_CRASH_PARTITIONS = 2;
const KEYS = 37;

/** Input record `i`: key `r<i>` (so the selectKey really moves records between partitions), value = the word counted. */
export function inputOf(i: number): { key: string; value: string } {
  return { key: `r${i}`, value: `w${(i * 7919) % KEYS}` };
}

/** The final count of every word for `n` inputs. */
export function modelOf(n: number): Map<string, number> {
  const model = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const w = inputOf(i).value;
    model.set(w, (model.get(w) ?? 0) + 1);
  }
  return model;
}

/** The topology every child runs. */
export function eosCrashTopology(): Topology {
  const S = Serdes.string();
  const builder = new StreamsBuilder();
  builder
    .stream(EOS_CRASH_IN, Consumed.with(S, S))
    .selectKey((_k, v) => v)
    .groupByKey(Grouped.with(S, S).withName('by-word'))
    .count(Materialized.as<string, number>('counts').withCachingDisabled())
    .toStream()
    .to(EOS_CRASH_OUT, Produced.with(S, Serdes.long()));
  return builder.build();
}
