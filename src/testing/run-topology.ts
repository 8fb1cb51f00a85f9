import type { Topology } from '../processor/topology.js';
import type { Serde } from '../serdes/serde.js';
import type { TestRecord } from './test-record.js';
import { TopologyTestDriver } from './topology-test-driver.js';

/**
 * Serdes of the input and output topics; output serdes default to the input ones.
 * @example
 * const serdes: RunTopologySerdes<string, string, string, number> = { keySerde: Serdes.string(), valueSerde: Serdes.string(), outputValueSerde: Serdes.int32() };
 */
export interface RunTopologySerdes<KIn, VIn, KOut, VOut> {
  readonly keySerde: Serde<KIn>;
  readonly valueSerde: Serde<VIn>;
  readonly outputKeySerde?: Serde<KOut>;
  readonly outputValueSerde?: Serde<VOut>;
}

/**
 * Where {@link runTopology} pipes and reads, and how.
 * @example
 * runTopology(factory, inputs, { inputTopic: 'in', outputTopic: 'out', serdes, config: { applicationId: 'test' } });
 */
export interface RunTopologyOptions<KIn, VIn, KOut, VOut> {
  readonly inputTopic: string;
  readonly outputTopic: string;
  readonly serdes: RunTopologySerdes<KIn, VIn, KOut, VOut>;
  /** Driver config (`applicationId`, default serdes, handlers...). */
  readonly config?: Record<string, unknown>;
  /** Initial mock wall-clock time; default 0 so runs are reproducible. */
  readonly initialWallClockMs?: number;
}

/**
 * An input of {@link runTopology}: timestamp defaults to the record's index.
 * @example
 * const input: RunTopologyInput<string, number> = { key: 'a', value: 1, timestamp: 5 };
 */
export interface RunTopologyInput<K, V> {
  readonly key: K | null;
  readonly value: V | null;
  readonly timestamp?: number;
}

/**
 * Runs a fresh topology from `topologyFactory` over `inputs` in a `TopologyTestDriver` and returns
 * everything written to the output topic — the one-liner for property tests that compare a
 * topology with a plain-array model. The driver is always closed.
 *
 * @example
 * const out = runTopology(() => buildUppercase(), [{ key: 'a', value: 'x' }], {
 *   inputTopic: 'in', outputTopic: 'out', serdes: { keySerde: Serdes.string(), valueSerde: Serdes.string() },
 * });
 * // out: [{ key: 'a', value: 'X', timestamp: 0, headers: {} }]
 */
export function runTopology<KIn, VIn, KOut = KIn, VOut = VIn>(
  topologyFactory: () => Topology,
  inputs: readonly RunTopologyInput<KIn, VIn>[],
  options: RunTopologyOptions<KIn, VIn, KOut, VOut>,
): TestRecord<KOut, VOut>[] {
  const driver = new TopologyTestDriver(topologyFactory(), options.config ?? {}, options.initialWallClockMs ?? 0);
  try {
    const { keySerde, valueSerde } = options.serdes;
    const input = driver.createInputTopic(options.inputTopic, keySerde, valueSerde);
    const output = driver.createOutputTopic(
      options.outputTopic,
      options.serdes.outputKeySerde ?? (keySerde as unknown as Serde<KOut>),
      options.serdes.outputValueSerde ?? (valueSerde as unknown as Serde<VOut>),
    );
    inputs.forEach((r, i) => input.pipeInput(r.key, r.value, r.timestamp ?? i));
    return output.readRecordsToList();
  } finally {
    driver.close();
  }
}
