import type { KStream } from './kstream.js';
import { Named } from './named.js';

/**
 * Options of one branch of `KStream.split()`: its name (the branch's key in the result is
 * `splitName + branchName`; the default is the 1-based branch index, `0` for the default branch)
 * and optionally what to do with the branch stream — a function whose returned stream goes into
 * the result, or a consumer (the branch is then left out of the result). Immutable.
 *
 * @example
 * const branches = stream.split(Named.as('route-'))
 *   .branch((k, v) => v.priority === 'high', Branched.as('urgent'))
 *   .branch((k, v) => v.priority === 'low', Branched.withConsumer((s) => s.to('later')))
 *   .defaultBranch(Branched.as('normal'));
 * branches['route-urgent']!.to('urgent');
 */
export class Branched<K, V> {
  private constructor(
    readonly name: string | undefined,
    readonly chainFunction: ((stream: KStream<K, V>) => KStream<K, V> | undefined) | undefined,
    readonly chainConsumer: ((stream: KStream<K, V>) => void) | undefined,
  ) {}

  /** Names the branch. */
  static as<K = unknown, V = unknown>(name: string): Branched<K, V> {
    return new Branched<K, V>(Named.validate(name), undefined, undefined);
  }

  /** Transforms the branch; the returned stream (if any) is put in the result. */
  static withFunction<K, V>(fn: (stream: KStream<K, V>) => KStream<K, V> | undefined, name?: string): Branched<K, V> {
    return new Branched(name === undefined ? undefined : Named.validate(name), fn, undefined);
  }

  /** Consumes the branch (e.g. `s => s.to('t')`); the branch is not put in the result. */
  static withConsumer<K, V>(fn: (stream: KStream<K, V>) => void, name?: string): Branched<K, V> {
    return new Branched(name === undefined ? undefined : Named.validate(name), undefined, fn);
  }
}
