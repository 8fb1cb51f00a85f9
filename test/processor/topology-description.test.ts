import { describe, expect, it } from 'vitest';
import { Topology } from '../../src/processor/topology.js';
import type { StoreBuilder } from '../../state/store-builder.js';

const noop = () => ({ process: () => {} });
const balance: StoreBuilder = {
  name: 'balance',
  loggingEnabled: true,
  changelogConfig: {},
  build: () => ({ name: 'balance', init() {}, flush() {}, close() {}, persistent: () => true, isOpen: () => true }),
};

// The text a Kafka Streams application printed for this graph (branches, a merge of unequal paths,
// a repartition and a store): node order and successor order follow Kafka's sub-tree-size comparator.
const KAFKA_TEXT =
  'Topologies:\n' +
  '   Sub-topology: 0\n' +
  '    Source: KSTREAM-SOURCE-0000000000 (topics: [payment-topic])\n' +
  '      --> KSTREAM-PEEK-0000000001\n' +
  '    Processor: KSTREAM-PEEK-0000000001 (stores: [])\n' +
  '      --> KSTREAM-FILTER-0000000002\n' +
  '      <-- KSTREAM-SOURCE-0000000000\n' +
  '    Processor: KSTREAM-FILTER-0000000002 (stores: [])\n' +
  '      --> KSTREAM-PEEK-0000000003\n' +
  '      <-- KSTREAM-PEEK-0000000001\n' +
  '    Processor: KSTREAM-PEEK-0000000003 (stores: [])\n' +
  '      --> KSTREAM-BRANCH-0000000004\n' +
  '      <-- KSTREAM-FILTER-0000000002\n' +
  '    Processor: KSTREAM-BRANCH-0000000004 (stores: [])\n' +
  '      --> KSTREAM-BRANCHCHILD-0000000006, KSTREAM-BRANCHCHILD-0000000005\n' +
  '      <-- KSTREAM-PEEK-0000000003\n' +
  '    Processor: KSTREAM-BRANCHCHILD-0000000006 (stores: [])\n' +
  '      --> KSTREAM-MAPVALUES-0000000007\n' +
  '      <-- KSTREAM-BRANCH-0000000004\n' +
  '    Processor: KSTREAM-BRANCHCHILD-0000000005 (stores: [])\n' +
  '      --> KSTREAM-MERGE-0000000008\n' +
  '      <-- KSTREAM-BRANCH-0000000004\n' +
  '    Processor: KSTREAM-MAPVALUES-0000000007 (stores: [])\n' +
  '      --> KSTREAM-MERGE-0000000008\n' +
  '      <-- KSTREAM-BRANCHCHILD-0000000006\n' +
  '    Processor: KSTREAM-MERGE-0000000008 (stores: [])\n' +
  '      --> KSTREAM-PEEK-0000000009\n' +
  '      <-- KSTREAM-BRANCHCHILD-0000000005, KSTREAM-MAPVALUES-0000000007\n' +
  '    Processor: KSTREAM-PEEK-0000000009 (stores: [])\n' +
  '      --> KSTREAM-BRANCH-0000000015, KSTREAM-MAP-0000000010\n' +
  '      <-- KSTREAM-MERGE-0000000008\n' +
  '    Processor: KSTREAM-BRANCH-0000000015 (stores: [])\n' +
  '      --> KSTREAM-BRANCHCHILD-0000000016, KSTREAM-BRANCHCHILD-0000000017\n' +
  '      <-- KSTREAM-PEEK-0000000009\n' +
  '    Processor: KSTREAM-MAP-0000000010 (stores: [])\n' +
  '      --> balance-repartition-filter\n' +
  '      <-- KSTREAM-PEEK-0000000009\n' +
  '    Processor: KSTREAM-BRANCHCHILD-0000000016 (stores: [])\n' +
  '      --> KSTREAM-SINK-0000000018\n' +
  '      <-- KSTREAM-BRANCH-0000000015\n' +
  '    Processor: KSTREAM-BRANCHCHILD-0000000017 (stores: [])\n' +
  '      --> KSTREAM-SINK-0000000019\n' +
  '      <-- KSTREAM-BRANCH-0000000015\n' +
  '    Processor: balance-repartition-filter (stores: [])\n' +
  '      --> balance-repartition-sink\n' +
  '      <-- KSTREAM-MAP-0000000010\n' +
  '    Sink: KSTREAM-SINK-0000000018 (topic: rails-foo-topic)\n' +
  '      <-- KSTREAM-BRANCHCHILD-0000000016\n' +
  '    Sink: KSTREAM-SINK-0000000019 (topic: rails-bar-topic)\n' +
  '      <-- KSTREAM-BRANCHCHILD-0000000017\n' +
  '    Sink: balance-repartition-sink (topic: balance-repartition)\n' +
  '      <-- balance-repartition-filter\n' +
  '\n' +
  '  Sub-topology: 1\n' +
  '    Source: balance-repartition-source (topics: [balance-repartition])\n' +
  '      --> KSTREAM-AGGREGATE-0000000011\n' +
  '    Processor: KSTREAM-AGGREGATE-0000000011 (stores: [balance])\n' +
  '      --> none\n' +
  '      <-- balance-repartition-source\n' +
  '\n';

describe('processor > TopologyDescription', () => {
  it("prints a branching, merging, repartitioning graph exactly as Kafka Streams printed it", () => {
    const t = new Topology()
      .addInternalTopic('balance-repartition')
      .addSource('KSTREAM-SOURCE-0000000000', ['payment-topic'])
      .addProcessor('KSTREAM-PEEK-0000000001', noop, 'KSTREAM-SOURCE-0000000000')
      .addProcessor('KSTREAM-FILTER-0000000002', noop, 'KSTREAM-PEEK-0000000001')
      .addProcessor('KSTREAM-PEEK-0000000003', noop, 'KSTREAM-FILTER-0000000002')
      .addProcessor('KSTREAM-BRANCH-0000000004', noop, 'KSTREAM-PEEK-0000000003')
      .addProcessor('KSTREAM-BRANCHCHILD-0000000005', noop, 'KSTREAM-BRANCH-0000000004')
      .addProcessor('KSTREAM-BRANCHCHILD-0000000006', noop, 'KSTREAM-BRANCH-0000000004')
      .addProcessor('KSTREAM-MAPVALUES-0000000007', noop, 'KSTREAM-BRANCHCHILD-0000000006')
      .addProcessor('KSTREAM-MERGE-0000000008', noop, 'KSTREAM-BRANCHCHILD-0000000005', 'KSTREAM-MAPVALUES-0000000007')
      .addProcessor('KSTREAM-PEEK-0000000009', noop, 'KSTREAM-MERGE-0000000008')
      .addProcessor('KSTREAM-MAP-0000000010', noop, 'KSTREAM-PEEK-0000000009')
      .addProcessor('balance-repartition-filter', noop, 'KSTREAM-MAP-0000000010')
      .addSink('balance-repartition-sink', 'balance-repartition', {}, 'balance-repartition-filter')
      .addSource('balance-repartition-source', ['balance-repartition'])
      .addProcessor('KSTREAM-AGGREGATE-0000000011', noop, 'balance-repartition-source')
      .addStateStore(balance, 'KSTREAM-AGGREGATE-0000000011')
      .addProcessor('KSTREAM-BRANCH-0000000015', noop, 'KSTREAM-PEEK-0000000009')
      .addProcessor('KSTREAM-BRANCHCHILD-0000000016', noop, 'KSTREAM-BRANCH-0000000015')
      .addProcessor('KSTREAM-BRANCHCHILD-0000000017', noop, 'KSTREAM-BRANCH-0000000015')
      .addSink('KSTREAM-SINK-0000000018', 'rails-foo-topic', {}, 'KSTREAM-BRANCHCHILD-0000000016')
      .addSink('KSTREAM-SINK-0000000019', 'rails-bar-topic', {}, 'KSTREAM-BRANCHCHILD-0000000017');
    expect(t.describe().toString()).toBe(KAFKA_TEXT);
  });

  it('prints an empty topology as Kafka does', () => {
    expect(new Topology().describe().toString()).toBe('Topologies:\n ');
  });
});
