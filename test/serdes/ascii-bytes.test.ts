import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shortAsciiBytes } from '../../src/serdes/ascii-bytes.js';
import { Serdes } from '../../src/serdes/serdes.js';

const anyString = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom('', 'a'.repeat(64), 'a'.repeat(65), 'é', '\u007f', '\u0080', '\ud800'),
);

describe('serdes > short ASCII strings', () => {
  it('property: shortAsciiBytes is the UTF-8 of short ASCII strings (with room after), null otherwise', () => {
    fc.assert(
      fc.property(anyString, fc.integer({ min: 0, max: 16 }), (s, room) => {
        const out = shortAsciiBytes(s, room);
        const ascii = s.length <= 64 && [...s].every((c) => c.charCodeAt(0) <= 0x7f);
        if (!ascii) {
          expect(out).toBeNull();
          return;
        }
        expect(out!.length).toBe(s.length + room);
        expect(out!.subarray(0, s.length).equals(Buffer.from(s, 'utf8'))).toBe(true);
      }),
    );
  });

  it('property: Serdes.string() still writes exactly Buffer.from(s, "utf8")', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        expect(Serdes.string().serialize(s)!.equals(Buffer.from(s, 'utf8'))).toBe(true);
      }),
    );
  });
});
