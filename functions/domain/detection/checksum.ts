/**
 * Offline checksums that let the engine reject random look-alikes without calling anyone.
 *
 * GitHub (`ghp_` and friends) and npm (`npm_`) tokens end in 6 base62 characters that encode
 * the CRC32 of the 30 random characters before them (prefix excluded), left-padded with `0`.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (IEEE) of the string's char codes, which equals its bytes for ASCII input. */
export function crc32(value: string): number {
  let crc = -1;
  for (let i = 0; i < value.length; i++) {
    crc = (crc >>> 8) ^ (CRC_TABLE[(crc ^ value.charCodeAt(i)) & 0xff] as number);
  }
  return (crc ^ -1) >>> 0;
}

/** Base62 (`0-9A-Za-z`) encoding of an unsigned 32-bit integer, left-padded to `width`. */
export function base62(n: number, width = 6): string {
  let out = '';
  let rest = n >>> 0;
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}

/** The 6-character checksum GitHub and npm append to the random part of a token. */
export function base62Checksum(random: string): string {
  return base62(crc32(random), 6);
}

/**
 * True when `token` (prefix + 30 random + 6 checksum) carries a valid checksum.
 * `prefixLength` is 4 for `ghp_`/`npm_`.
 */
export function hasValidBase62Checksum(token: string, prefixLength: number): boolean {
  const body = token.slice(prefixLength);
  if (body.length < 7) return false;
  return base62Checksum(body.slice(0, -6)) === body.slice(-6);
}
