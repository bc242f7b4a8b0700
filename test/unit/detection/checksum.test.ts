/** The offline checksum GitHub and npm tokens carry: CRC32 of the random part, base62, 6 wide. */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { base62Checksum, crc32, hasValidBase62Checksum } from '../../../functions/domain/detection/index.ts';
import { ALNUM } from '../../../bench/scan/tokens.ts';
import { gen } from './helpers.ts';

describe('crc32', () => {
  it('matches the IEEE check value and zlib on random input', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    const g = gen(21);
    for (let i = 0; i < 50; i++) {
      const s = g.str(ALNUM, 30);
      expect(crc32(s)).toBe(zlibCrc32(s));
    }
  });
});

describe('base62 checksum', () => {
  it('pads small CRCs with leading zeros to six characters', () => {
    // Find a random part whose CRC is small enough to need padding.
    const g = gen(22);
    let random = g.str(ALNUM, 30);
    while (crc32(random) >= 62 ** 5) random = g.str(ALNUM, 30);
    const sum = base62Checksum(random);
    expect(sum).toHaveLength(6);
    expect(sum.startsWith('0')).toBe(true);
    expect(hasValidBase62Checksum(`ghp_${random}${sum}`, 4)).toBe(true);
  });

  it('rejects a token whose checksum is off by one character, or truncated', () => {
    const token = gen(23).githubToken('ghp_');
    expect(hasValidBase62Checksum(token, 4)).toBe(true);
    const last = token.slice(-1);
    expect(hasValidBase62Checksum(token.slice(0, -1) + (last === 'a' ? 'b' : 'a'), 4)).toBe(false);
    expect(hasValidBase62Checksum(token.slice(0, -1), 4)).toBe(false);
    expect(hasValidBase62Checksum('ghp_', 4)).toBe(false);
  });

  it('does not validate a checksum computed over the prefix too', () => {
    const random = gen(24).str(ALNUM, 30);
    expect(hasValidBase62Checksum(`ghp_${random}${base62Checksum(`ghp_${random}`)}`, 4)).toBe(false);
  });
});
