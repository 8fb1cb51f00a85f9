import { SerializationError } from '../../src/core/errors.js';
import type { Serde } from '../../src/serdes/serde.js';

/**
 * What the right side of a foreign-key join does with a subscription (Kafka's
 * `SubscriptionWrapper.Instruction`):
 * - `DELETE_KEY_NO_PROPAGATE`: forget the subscription, answer nothing (the left row moved to
 *   another foreign key, whose answer will update the result);
 * - `DELETE_KEY_AND_PROPAGATE`: forget it and answer with no right value (a tombstone result);
 * - `PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE`: keep it and always answer, with null if the right row
 *   is missing (a changed foreign key, and every left-join subscription);
 * - `PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE`: keep it and answer only if the right row exists.
 * @example
 * const i: SubscriptionInstruction = 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE';
 */
export type SubscriptionInstruction =
  | 'DELETE_KEY_NO_PROPAGATE'
  | 'DELETE_KEY_AND_PROPAGATE'
  | 'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE'
  | 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE';

const INSTRUCTIONS: readonly SubscriptionInstruction[] = [
  'DELETE_KEY_NO_PROPAGATE',
  'DELETE_KEY_AND_PROPAGATE',
  'PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE',
  'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE',
];

/**
 * A subscription sent from a left row to the right side over the registration topic, keyed by the
 * foreign key. `hash` is the hash of the left value that sent it (null for a deleted row), echoed
 * back in the response so stale answers can be recognised; `primaryPartition` is the partition of
 * the left task, where the response must go.
 * @example
 * const s: SubscriptionWrapper<string> = { instruction: 'PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE', hash, primaryKey: 'order-1', primaryPartition: 0 };
 */
export interface SubscriptionWrapper<K> {
  readonly instruction: SubscriptionInstruction;
  readonly hash: Buffer | null;
  readonly primaryKey: K;
  readonly primaryPartition: number;
}

/**
 * The right side's answer to a left row, keyed by the left key on the response topic: the right
 * value (null when missing or deleted) and the hash of the left value the answer is for.
 * @example
 * const r: SubscriptionResponseWrapper<Customer> = { hash, foreignValue: customer, primaryPartition: 2 };
 */
export interface SubscriptionResponseWrapper<VO> {
  readonly hash: Buffer | null;
  readonly foreignValue: VO | null;
  readonly primaryPartition: number;
}

const VERSION = 0;
const HASH_BYTES = 16;
const HAS_HASH = 1;
const HAS_FOREIGN_VALUE = 2;

function checkVersion(serde: string, data: Buffer, minLength: number, topic: string | undefined): void {
  if (data.length < minLength) throw new SerializationError(serde, `${data.length} bytes is shorter than the ${minLength}-byte header`, { topic });
  if (data.readUInt8(0) > VERSION) {
    throw new SerializationError(serde, `version ${data.readUInt8(0)} is newer than this version (${VERSION}); upgrade every instance`, { topic });
  }
}

/**
 * Serde of {@link SubscriptionWrapper} (tributary's layout, after Kafka's): version byte,
 * instruction byte, flag byte (bit 0: hash present), the 16-byte hash if present, the primary
 * partition as a 4-byte big-endian int, then the primary key's bytes.
 * @example
 * const serde = new SubscriptionWrapperSerde(Serdes.string());
 */
export class SubscriptionWrapperSerde<K> implements Serde<SubscriptionWrapper<K>> {
  constructor(readonly primaryKeySerde: Serde<K>) {}

  serialize(data: SubscriptionWrapper<K> | null, topic?: string): Buffer | null {
    if (data === null) return null;
    const pk = this.primaryKeySerde.serialize(data.primaryKey, topic);
    if (pk === null) throw new SerializationError('SubscriptionWrapper', 'the primary key serialized to null', { topic });
    const hashLength = data.hash === null ? 0 : HASH_BYTES;
    const out = Buffer.allocUnsafe(3 + hashLength + 4 + pk.length);
    out.writeUInt8(VERSION, 0);
    out.writeUInt8(INSTRUCTIONS.indexOf(data.instruction), 1);
    out.writeUInt8(data.hash === null ? 0 : HAS_HASH, 2);
    data.hash?.copy(out, 3);
    out.writeInt32BE(data.primaryPartition, 3 + hashLength);
    pk.copy(out, 7 + hashLength);
    return out;
  }

  deserialize(data: Buffer | null, topic?: string): SubscriptionWrapper<K> | null {
    if (data === null) return null;
    checkVersion('SubscriptionWrapper', data, 7, topic);
    const instruction = INSTRUCTIONS[data.readUInt8(1)];
    if (instruction === undefined) throw new SerializationError('SubscriptionWrapper', `unknown instruction ${data.readUInt8(1)}`, { topic });
    const hashLength = data.readUInt8(2) & HAS_HASH ? HASH_BYTES : 0;
    const hash = hashLength === 0 ? null : Buffer.from(data.subarray(3, 3 + HASH_BYTES));
    const primaryPartition = data.readInt32BE(3 + hashLength);
    const primaryKey = this.primaryKeySerde.deserialize(data.subarray(7 + hashLength), topic) as K;
    return { instruction, hash, primaryKey, primaryPartition };
  }
}

/**
 * Serde of {@link SubscriptionResponseWrapper}: version byte, flag byte (bit 0: hash present,
 * bit 1: foreign value present), the 16-byte hash if present, the primary partition as a 4-byte
 * big-endian int, then the foreign value's bytes.
 * @example
 * const serde = new SubscriptionResponseWrapperSerde(customerSerde);
 */
export class SubscriptionResponseWrapperSerde<VO> implements Serde<SubscriptionResponseWrapper<VO>> {
  constructor(readonly foreignValueSerde: Serde<VO>) {}

  serialize(data: SubscriptionResponseWrapper<VO> | null, topic?: string): Buffer | null {
    if (data === null) return null;
    const value = data.foreignValue === null ? null : this.foreignValueSerde.serialize(data.foreignValue, topic);
    const hashLength = data.hash === null ? 0 : HASH_BYTES;
    const out = Buffer.allocUnsafe(2 + hashLength + 4 + (value?.length ?? 0));
    out.writeUInt8(VERSION, 0);
    out.writeUInt8((data.hash === null ? 0 : HAS_HASH) | (value === null ? 0 : HAS_FOREIGN_VALUE), 1);
    data.hash?.copy(out, 2);
    out.writeInt32BE(data.primaryPartition, 2 + hashLength);
    value?.copy(out, 6 + hashLength);
    return out;
  }

  deserialize(data: Buffer | null, topic?: string): SubscriptionResponseWrapper<VO> | null {
    if (data === null) return null;
    checkVersion('SubscriptionResponseWrapper', data, 6, topic);
    const flags = data.readUInt8(1);
    const hashLength = flags & HAS_HASH ? HASH_BYTES : 0;
    const hash = hashLength === 0 ? null : Buffer.from(data.subarray(2, 2 + HASH_BYTES));
    const primaryPartition = data.readInt32BE(2 + hashLength);
    const foreignValue = flags & HAS_FOREIGN_VALUE ? this.foreignValueSerde.deserialize(data.subarray(6 + hashLength), topic) : null;
    return { hash, foreignValue, primaryPartition };
  }
}
