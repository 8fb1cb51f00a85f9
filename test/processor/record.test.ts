import { describe, expect, it } from 'vitest';
import { Record } from '../../src/processor/record.js';

describe('processor > Record', () => {
  it('with* return new records and leave the original untouched', () => {
    const headers = { h: Buffer.from('1') };
    const r = new Record('k', 1, 10, headers);
    const changed = r.withKey('k2').withValue('v').withTimestamp(20).withHeaders({});
    expect(changed).toEqual(new Record('k2', 'v', 20, {}));
    expect(r).toEqual(new Record('k', 1, 10, headers));
    expect(r.withValue(2).headers).toBe(headers);
  });

  it('defaults to empty headers', () => {
    expect(new Record(null, null, 0).headers).toEqual({});
  });
});
