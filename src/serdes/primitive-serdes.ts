import { SerializationError } from '../core/errors.js';
import { shortAsciiBytes } from './ascii-bytes.js';
import { int64IsSafe, readInt64BE, writeInt64BE } from './int64-bytes.js';
import type { Serde } from './serde.js';

// Byte layouts follow Kafka's org.apache.kafka.common.serialization serializers, so records written by
// tributary read correctly with Java's IntegerDeserializer, LongDeserializer, DoubleDeserializer, ...

function expectLength(serde: string, data: Buffer, length: number, topic?: string): void {
  if (data.length !== length) {
    throw new SerializationError(serde, `expected ${length} bytes, got ${data.length}`, { topic });
  }
}

/** UTF-8 strings (Kafka's StringSerializer). */
export const stringSerde: Serde<string> = {
  serialize(value, topic) {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'string') throw new SerializationError('string', `cannot serialize a ${typeof value}`, { topic });
    return shortAsciiBytes(value, 0) ?? Buffer.from(value, 'utf8');
  },
  deserialize(data) {
    return data === null || data === undefined ? null : data.toString('utf8');
  },
};

/** 4-byte big-endian two's complement (Kafka's IntegerSerializer). */
export const int32Serde: Serde<number> = {
  serialize(value, topic) {
    if (value === null || value === undefined) return null;
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new SerializationError('int32', `${String(value)} is not a 32-bit integer`, { topic });
    }
    const buf = Buffer.allocUnsafe(4);
    buf.writeInt32BE(value, 0);
    return buf;
  },
  deserialize(data, topic) {
    if (data === null || data === undefined) return null;
    expectLength('int32', data, 4, topic);
    return data.readInt32BE(0);
  },
};

function toBigInt(serde: string, value: unknown, topic?: string): bigint {
  if (typeof value === 'bigint') {
    if (value < -(2n ** 63n) || value >= 2n ** 63n) throw new SerializationError(serde, `${value} does not fit in 64 bits`, { topic });
    return value;
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new SerializationError(serde, `${String(value)} is not a safe integer or bigint`, { topic });
}

/** 8-byte big-endian (Kafka's LongSerializer); reads back as `bigint`, so no value loses precision. */
export const int64Serde: Serde<bigint | number> = {
  serialize(value, topic) {
    if (value === null || value === undefined) return null;
    const buf = Buffer.allocUnsafe(8);
    if (typeof value === 'number' && Number.isSafeInteger(value)) writeInt64BE(buf, value, 0);
    else buf.writeBigInt64BE(toBigInt('int64', value, topic), 0);
    return buf;
  },
  deserialize(data, topic) {
    if (data === null || data === undefined) return null;
    expectLength('int64', data, 8, topic);
    return data.readBigInt64BE(0);
  },
};

/** Kafka's LongSerializer layout read as a JS number; a value outside the safe-integer range is an error, not a silent rounding. */
export const longSerde: Serde<number> = {
  serialize(value, topic) {
    if (value === null || value === undefined) return null;
    const buf = Buffer.allocUnsafe(8);
    // Counts and sums are safe integers: written without a BigInt.
    if (typeof value === 'number' && Number.isSafeInteger(value)) writeInt64BE(buf, value, 0);
    else buf.writeBigInt64BE(toBigInt('long', value, topic), 0);
    return buf;
  },
  deserialize(data, topic) {
    if (data === null || data === undefined) return null;
    expectLength('long', data, 8, topic);
    if (!int64IsSafe(data, 0)) {
      throw new SerializationError('long', `${data.readBigInt64BE(0)} is outside the safe-integer range; use Serdes.int64() for bigint`, { topic });
    }
    return readInt64BE(data, 0);
  },
};

/** 8-byte big-endian IEEE 754 (Kafka's DoubleSerializer). */
export const doubleSerde: Serde<number> = {
  serialize(value, topic) {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'number') throw new SerializationError('double', `cannot serialize a ${typeof value}`, { topic });
    const buf = Buffer.allocUnsafe(8);
    buf.writeDoubleBE(value, 0);
    return buf;
  },
  deserialize(data, topic) {
    if (data === null || data === undefined) return null;
    expectLength('double', data, 8, topic);
    return data.readDoubleBE(0);
  },
};

/** Bytes as they are. */
export const bytesSerde: Serde<Buffer> = {
  serialize(value, topic) {
    if (value === null || value === undefined) return null;
    if (!Buffer.isBuffer(value)) throw new SerializationError('bytes', `expected a Buffer, got ${typeof value}`, { topic });
    return value;
  },
  deserialize(data) {
    return data ?? null;
  },
};
