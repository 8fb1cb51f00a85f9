import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiBytes } from '../../state/internal/ascii-bytes.js';

describe('state > asciiBytes', () => {
  it('property: equals the UTF-8 bytes of the string whenever it answers, and answers for short ASCII', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 70 }), fc.string({ unit: 'grapheme-ascii', maxLength: 70 })), (s) => {
        const got = asciiBytes(s);
        if (got !== null) expect(got).toEqual(Buffer.from(s, 'utf8'));
        // eslint-disable-next-line no-control-regex
        if (s.length <= 64 && /^[\x00-\x7f]*$/.test(s)) expect(got).not.toBeNull();
      }),
    );
  });
});
