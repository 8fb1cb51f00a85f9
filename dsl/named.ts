import { TopologyError } from '../src/core/errors.js';

const LEGAL = /^[a-zA-Z0-9._-]+$/;

/**
 * A user-chosen name for the processor node(s) an operation creates, instead of a generated
 * `KSTREAM-<OP>-<counter>` one. Naming keeps node names (and so internal topic and store names)
 * stable when the topology changes. A given name still advances the builder's counter, so later
 * generated names do not shift.
 *
 * Names follow Kafka's rules: 1–249 characters of `[a-zA-Z0-9._-]`.
 *
 * @example
 * stream.filter((k, v) => v.amount > 0, Named.as('positive-amounts'));
 */
export class Named {
  private constructor(readonly name: string) {}

  /** A name for the operation's processor node. */
  static as(name: string): Named {
    return new Named(Named.validate(name));
  }

  /** Checks a node/topic name against Kafka's rules; returns it or throws a `TopologyError`. */
  static validate(name: string): string {
    if (typeof name !== 'string' || name.length === 0) throw new TopologyError('a name must be a non-empty string');
    if (name.length > 249) throw new TopologyError(`name "${name.slice(0, 40)}…" is longer than 249 characters`);
    if (!LEGAL.test(name)) throw new TopologyError(`name "${name}" may only contain ASCII letters, digits, '.', '_' and '-'`);
    return name;
  }
}
