import type { Branched } from './branched.js';
import type { Predicate } from './functions.js';
import { ProcessorGraphNode, type GraphNode } from './internal/graph-nodes.js';
import { passThroughProcessor } from './internal/pass-through.js';
import type { KStream } from './kstream.js';
import type { Named } from './named.js';
import { BRANCH_NAME, branchProcessor } from './operators/branch.js';

/**
 * The result of `KStream.split()`: add branches in order with `branch(predicate, Branched?)`, then
 * finish with `defaultBranch()` or `noDefaultBranch()`, which return the branch streams keyed by
 * name. A record goes to the first branch whose predicate accepts it; records no predicate accepts
 * go to the default branch, or are dropped without one.
 *
 * Names (as in Kafka): the splitter node is the split's `Named` or `KSTREAM-BRANCH-<n>`; branch i
 * (1-based; 0 for the default) is named `<splitter name><branch name or i>`, which is both its
 * node name and its key in the result.
 *
 * @example
 * const b = orders.split(Named.as('by-size-'))
 *   .branch((_, o) => o.total > 100, Branched.as('large'))
 *   .defaultBranch(Branched.as('small'));
 * b['by-size-large']!.to('large-orders');
 */
export class BranchedKStream<K, V> {
  readonly #source: KStream<K, V>;
  readonly #splitterName: string;
  readonly #splitter: GraphNode;
  readonly #predicates: Predicate<K, V>[] = [];
  readonly #childNames: string[] = [];
  readonly #outputs: { [name: string]: KStream<K, V> } = {};
  #done = false;

  readonly #makeStream: (node: GraphNode) => KStream<K, V>;

  /** @internal Made by `KStream.split()`; `makeStream` wraps a branch node like the source stream. */
  constructor(source: KStream<K, V>, named: Named | undefined, makeStream: (node: GraphNode) => KStream<K, V>) {
    this.#source = source;
    this.#makeStream = makeStream;
    this.#splitterName = source.builder.nameOf(named, BRANCH_NAME);
    this.#splitter = source.builder.addNode(
      new ProcessorGraphNode(this.#splitterName, [source.node], branchProcessor(this.#predicates, this.#childNames) as never),
    );
  }

  /** Adds a branch for the records `predicate` accepts (and no earlier predicate did). */
  branch(predicate: Predicate<K, V>, branched?: Branched<K, V>): this {
    this.#checkOpen();
    if (typeof predicate !== 'function') throw new TypeError('branch: predicate must be a function');
    this.#predicates.push(predicate);
    this.#createBranch(branched, this.#predicates.length);
    return this;
  }

  /** Adds the branch for records no predicate accepted and returns all branches by name. */
  defaultBranch(branched?: Branched<K, V>): { [name: string]: KStream<K, V> } {
    this.#checkOpen();
    this.#createBranch(branched, 0);
    this.#done = true;
    return this.#outputs;
  }

  /** Returns all branches by name; records no predicate accepted are dropped. */
  noDefaultBranch(): { [name: string]: KStream<K, V> } {
    this.#checkOpen();
    this.#done = true;
    return this.#outputs;
  }

  #createBranch(branched: Branched<K, V> | undefined, index: number): void {
    const name = this.#splitterName + (branched?.name ?? String(index));
    this.#childNames.push(name);
    const builder = this.#source.builder;
    builder.newProcessorName(name);
    const node = builder.addNode(new ProcessorGraphNode(name, [this.#splitter], passThroughProcessor() as never));
    const stream = this.#makeStream(node);
    if (branched?.chainFunction !== undefined) {
      const result = branched.chainFunction(stream);
      if (result !== undefined && result !== null) this.#outputs[name] = result;
    } else if (branched?.chainConsumer !== undefined) {
      branched.chainConsumer(stream);
    } else {
      this.#outputs[name] = stream;
    }
  }

  #checkOpen(): void {
    if (this.#done) throw new TypeError('split: defaultBranch()/noDefaultBranch() was already called');
  }
}
