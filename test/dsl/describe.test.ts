import { describe, expect, it } from 'vitest';
import { Branched } from '../../dsl/branched.js';
import { Consumed } from '../../dsl/consumed.js';
import { Named } from '../../dsl/named.js';
import { Produced } from '../../dsl/produced.js';
import { Repartitioned } from '../../dsl/repartitioned.js';
import { StreamsBuilder } from '../../dsl/streams-builder.js';
import type { Processor } from '../../src/processor/processor.js';
import type { ProcessorContext } from '../../src/processor/processor-context.js';
import type { Record } from '../../src/processor/record.js';
import { Serdes } from '../../src/serdes/serdes.js';

const strings = Consumed.with(Serdes.string(), Serdes.string());

describe('dsl > describe()', () => {
  it('prints filter -> mapValues -> to exactly like Kafka', () => {
    const builder = new StreamsBuilder();
    builder.stream('input', strings).filter((_k, v) => v.length > 0).mapValues((v) => v.toUpperCase()).to('output');
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
        '      --> KSTREAM-FILTER-0000000001\n' +
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [])\n' +
        '      --> KSTREAM-MAPVALUES-0000000002\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-MAPVALUES-0000000002 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000003\n' +
        '      <-- KSTREAM-FILTER-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000003 (topic: output)\n' +
        '      <-- KSTREAM-MAPVALUES-0000000002\n\n',
    );
  });

  it('names split branches <splitter><name or index> and orders successors by sub-tree size, then name', () => {
    const builder = new StreamsBuilder();
    const branches = builder
      .stream('input', strings)
      .split(Named.as('route-'))
      .branch((_k, v) => v.startsWith('a'), Branched.as('a'))
      .branch((_k, v) => v.startsWith('b'))
      .defaultBranch();
    expect(Object.keys(branches)).toEqual(['route-a', 'route-2', 'route-0']);
    branches['route-a']!.to('out-a');
    branches['route-2']!.mapValues((v) => v).to('out-b');
    branches['route-0']!.to('out-rest');
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
        '      --> route-\n' +
        '    Processor: route- (stores: [])\n' +
        '      --> route-2, route-0, route-a\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: route-2 (stores: [])\n' +
        '      --> KSTREAM-MAPVALUES-0000000006\n' +
        '      <-- route-\n' +
        '    Processor: KSTREAM-MAPVALUES-0000000006 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000007\n' +
        '      <-- route-2\n' +
        '    Processor: route-0 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000008\n' +
        '      <-- route-\n' +
        '    Processor: route-a (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000005\n' +
        '      <-- route-\n' +
        '    Sink: KSTREAM-SINK-0000000005 (topic: out-a)\n' +
        '      <-- route-a\n' +
        '    Sink: KSTREAM-SINK-0000000007 (topic: out-b)\n' +
        '      <-- KSTREAM-MAPVALUES-0000000006\n' +
        '    Sink: KSTREAM-SINK-0000000008 (topic: out-rest)\n' +
        '      <-- route-0\n\n',
    );
  });

  it('prints a merge with both parents', () => {
    const builder = new StreamsBuilder();
    const a = builder.stream('a', strings);
    const b = builder.stream('b', strings);
    a.merge(b).to('merged');
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [a])\n' +
        '      --> KSTREAM-MERGE-0000000002\n' +
        '    Source: KSTREAM-SOURCE-0000000001 (topics: [b])\n' +
        '      --> KSTREAM-MERGE-0000000002\n' +
        '    Processor: KSTREAM-MERGE-0000000002 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000003\n' +
        '      <-- KSTREAM-SOURCE-0000000000, KSTREAM-SOURCE-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000003 (topic: merged)\n' +
        '      <-- KSTREAM-MERGE-0000000002\n\n',
    );
  });

  it('splits into two sub-topologies at an unnamed repartition (Kafka numbering: sink, filter, source)', () => {
    const builder = new StreamsBuilder();
    builder.stream('input', strings).selectKey((_k, v) => v).repartition().foreach(() => {});
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
        '      --> KSTREAM-KEY-SELECT-0000000001\n' +
        '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])\n' +
        '      --> KSTREAM-FILTER-0000000004\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Processor: KSTREAM-FILTER-0000000004 (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000003\n' +
        '      <-- KSTREAM-KEY-SELECT-0000000001\n' +
        '    Sink: KSTREAM-SINK-0000000003 (topic: KSTREAM-REPARTITION-0000000002-repartition)\n' +
        '      <-- KSTREAM-FILTER-0000000004\n\n' +
        '  Sub-topology: 1\n' +
        '    Source: KSTREAM-SOURCE-0000000005 (topics: [KSTREAM-REPARTITION-0000000002-repartition])\n' +
        '      --> KSTREAM-FOREACH-0000000006\n' +
        '    Processor: KSTREAM-FOREACH-0000000006 (stores: [])\n' +
        '      --> none\n' +
        '      <-- KSTREAM-SOURCE-0000000005\n\n',
    );
  });

  it('names a named repartition <name>-repartition-{filter,sink,source}', () => {
    const builder = new StreamsBuilder();
    builder.stream('input', strings).selectKey((_k, v) => v).repartition(Repartitioned.as('by-value')).to('output');
    const text = builder.build().describe().toString();
    expect(text).toContain('    Sink: by-value-repartition-sink (topic: by-value-repartition)\n      <-- by-value-repartition-filter\n');
    expect(text).toContain('  Sub-topology: 1\n    Source: by-value-repartition-source (topics: [by-value-repartition])\n');
    // The three generated names were still drawn from the counter: the sink to 'output' is number 6.
    expect(text).toContain('Sink: KSTREAM-SINK-0000000006 (topic: output)');
  });

  it('prints a process() node with its store and punctuator-driven output', () => {
    class Ticker implements Processor<string, string, string, string> {
      init(ctx: ProcessorContext<string, string>): void {
        ctx.schedule(1000, 'STREAM_TIME', () => {});
      }
      process(_record: Record<string, string>): void {}
    }
    const builder = new StreamsBuilder();
    builder.stream('input', strings).process(() => new Ticker(), Named.as('ticker')).to('ticks', Produced.with(Serdes.string(), Serdes.string()));
    expect(builder.build().describe().toString()).toBe(
      'Topologies:\n' +
        '   Sub-topology: 0\n' +
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])\n' +
        '      --> ticker\n' +
        '    Processor: ticker (stores: [])\n' +
        '      --> KSTREAM-SINK-0000000002\n' +
        '      <-- KSTREAM-SOURCE-0000000000\n' +
        '    Sink: KSTREAM-SINK-0000000002 (topic: ticks)\n' +
        '      <-- ticker\n\n',
    );
  });

  it('renders Mermaid with one subgraph per sub-topology', () => {
    const builder = new StreamsBuilder();
    builder.stream('input', strings).selectKey((_k, v) => v).repartition().to('output');
    const mermaid = builder.build().describe().toMermaid();
    expect(mermaid.startsWith('flowchart TB\n')).toBe(true);
    expect(mermaid).toContain('subgraph s0["Sub-topology: 0"]');
    expect(mermaid).toContain('subgraph s1["Sub-topology: 1"]');
    expect(mermaid).toContain('[("input")]');
    expect(mermaid).toContain('[("output")]');
  });

  it('renders Graphviz with one cluster per sub-topology, topics and stores', () => {
    const builder = new StreamsBuilder();
    builder.stream('input', strings).selectKey((_k, v) => v).repartition().to('output');
    const dot = builder.build().describe().toDot();
    expect(dot.startsWith('digraph topology {\n')).toBe(true);
    expect(dot).toContain('subgraph cluster_0 {');
    expect(dot).toContain('subgraph cluster_1 {');
    expect(dot).toContain('"topic:input" -> "KSTREAM-SOURCE-0000000000";');
    expect(dot).toContain('"KSTREAM-SINK-0000000006" -> "topic:output";');
    expect(dot).toContain('"topic:output" [shape=cylinder, label="output"];');
    expect(dot.trimEnd().endsWith('}')).toBe(true);
  });
});
