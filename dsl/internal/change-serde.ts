import { change, type Change } from '../../src/core/change.js';
import type { Serde } from '../../src/serdes/serde.js';

const HAS_NEW = 1;
const HAS_OLD = 2;

/**
 * Serializes a table update for the repartition topic of `KTable.groupBy` (Kafka's
 * `ChangedSerializer`, with tributary's own layout): one flag byte (bit 0: new value present,
 * bit 1: old value present), the new value's length as a 4-byte big-endian int, the new value's
 * bytes, then the old value's bytes.
 * @example
 * const serde = new ChangeSerde(Serdes.long());
 * serde.deserialize(serde.serialize({ newValue: 2, oldValue: 1 })); // { newValue: 2, oldValue: 1 }
 */
export class ChangeSerde<V> implements Serde<Change<V>> {
  constructor(readonly inner: Serde<V>) {}

  serialize(data: Change<V> | null, topic?: string): Buffer | null {
    if (data === null) return null;
    const n = data.newValue === null ? null : this.inner.serialize(data.newValue, topic);
    const o = data.oldValue === null ? null : this.inner.serialize(data.oldValue, topic);
    const out = Buffer.allocUnsafe(5 + (n?.length ?? 0) + (o?.length ?? 0));
    out.writeUInt8((n === null ? 0 : HAS_NEW) | (o === null ? 0 : HAS_OLD), 0);
    out.writeInt32BE(n?.length ?? 0, 1);
    n?.copy(out, 5);
    o?.copy(out, 5 + (n?.length ?? 0));
    return out;
  }

  deserialize(data: Buffer | null, topic?: string): Change<V> | null {
    if (data === null) return null;
    if (data.length < 5) throw new RangeError(`ChangeSerde: ${data.length} bytes is shorter than the 5-byte header`);
    const flags = data.readUInt8(0);
    const newLength = data.readInt32BE(1);
    const newValue = flags & HAS_NEW ? this.inner.deserialize(data.subarray(5, 5 + newLength), topic) : null;
    const oldValue = flags & HAS_OLD ? this.inner.deserialize(data.subarray(5 + newLength), topic) : null;
    return change(newValue, oldValue);
  }
}
