import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../src/core/errors.js';
import { Topology } from '../../src/processor/topology.js';
import { Serdes } from '../../src/serdes/serdes.js';
import type { StateStore } from '../../state/state-store.js';
import type { StoreBuilder } from '../../state/store-builder.js';

const S = Serdes.string();
const io = { keySerde: S, valueSerde: S };
const noop = () => ({ process: () => {} });
const store = (name: string): StoreBuilder => ({
  name,
  loggingEnabled: true,
  changelogConfig: {},
  build: (): StateStore => ({ name, init() {}, flush() {}, close() {}, persistent: () => false, isOpen: () => true }),
});

describe('processor > Topology', () => {
  it('rejects duplicate names, unknown parents, sinks as parents and a topic read twice', () => {
    const t = new Topology().addSource('src', ['in'], io).addSink('sink', 'out', io, 'src');
    expect(() => t.addSource('src', ['other'], io)).toThrow(/already in the topology/);
    expect(() => t.addProcessor('p', noop, 'ghost')).toThrow(/parent "ghost" of node "p" is not in the topology/);
    expect(() => t.addProcessor('p', noop, 'sink')).toThrow(/sink "sink" cannot be the parent/);
    expect(() => t.addProcessor('p', noop)).toThrow(/needs at least one parent/);
    expect(() => t.addSource('src2', ['in'], io)).toThrow(TopologyError);
    expect(() => t.connectProcessorAndStateStores('src', 'x')).toThrow(/"src" is not a processor/);
  });

  it('numbers sub-topologies by sorted source names and joins processors that share a store', () => {
    const t = new Topology()
      .addSource('b-source', ['b'], io)
      .addSource('a-source', ['a'], io)
      .addSource('c-source', ['c'], io)
      .addProcessor('pb', noop, 'b-source')
      .addProcessor('pc', noop, 'c-source')
      .addProcessor('pa', noop, 'a-source')
      .addStateStore(store('shared'), 'pb', 'pc');
    const subs = t.subtopologies();
    expect(subs.map((s) => [s.id, s.nodeNames])).toEqual([
      [0, ['a-source', 'pa']],
      [1, ['b-source', 'c-source', 'pb', 'pc']],
    ]);
    expect(subs[1]!.storeNames).toEqual(['shared']);
    expect(subs[1]!.sourceTopics).toEqual(['b', 'c']);
  });

  it('splits at an internal topic written by a sink and read by a source', () => {
    const t = new Topology()
      .addInternalTopic('x-repartition')
      .addSource('s0', ['in'], io)
      .addSink('k0', 'x-repartition', io, 's0')
      .addSource('s1', ['x-repartition'], io)
      .addSink('k1', 'out', io, 's1');
    expect(t.subtopologies().map((s) => s.nodeNames)).toEqual([['s0', 'k0'], ['s1', 'k1']]);
  });

  it('prints several topics and stores in the order of a Java HashSet', () => {
    const t = new Topology()
      .addSource('src', ['orders', 'payments', 'alpha'], io)
      .addProcessor('p', noop, 'src')
      .addStateStore(store('store-b'), 'p')
      .addStateStore(store('store-a'), 'p');
    const text = t.describe().toString();
    // Java: new HashSet<>(List.of("orders", "payments", "alpha")).toString() is "[payments, alpha, orders]"
    // (buckets of String.hashCode: payments 7, alpha 7, orders 10; ties keep insertion order)
    expect(text).toContain('Source: src (topics: [payments, alpha, orders])');
    expect(text).toContain('Processor: p (stores: [store-a, store-b])');
    expect(text).toContain('      --> none\n      <-- src');
  });
});
