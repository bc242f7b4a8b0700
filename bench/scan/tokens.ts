/**
 * Credential generators for the benchmark and the tests: every value is produced at run time
 * from a seeded PRNG (nothing credential-shaped is committed), in each issuer's documented
 * shape, checksums included.
 */
import { generateKeyPairSync } from 'node:crypto';
import { base62Checksum } from '../../functions/domain/detection/checksum.ts';

export type Rng = () => number;

/** mulberry32: small, fast, deterministic. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const HEX = '0123456789abcdef';
export const B64 = `${ALNUM}+/`;
export const B64URL = `${ALNUM}-_`;
export const UPPER_B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const DIGITS = '0123456789';

/** How many of lower case, upper case and digits a string holds. */
function classCount(s: string): number {
  return +/[a-z]/.test(s) + +/[A-Z]/.test(s) + +/[0-9]/.test(s);
}

export class Gen {
  constructor(readonly rng: Rng) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.rng() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.rng() < p;
  }
  str(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.rng() * alphabet.length)];
    return s;
  }
  /** A random string that mixes classes like real generated keys (retries the rare unmixed draw). */
  mixed(alphabet: string, n: number): string {
    const available = classCount(alphabet);
    for (;;) {
      const s = this.str(alphabet, n);
      if (classCount(s) >= available && !/(.)\1{4}/.test(s)) return s;
    }
  }

  githubToken(prefix: 'ghp_' | 'gho_' | 'ghu_' | 'ghs_' | 'ghr_' | 'npm_'): string {
    const random = this.mixed(ALNUM, 30);
    return `${prefix}${random}${base62Checksum(random)}`;
  }
  /** Same shape with a checksum that does not match. */
  badChecksumToken(prefix: 'ghp_' | 'npm_' | 'gho_'): string {
    const good = this.githubToken(prefix);
    const last = good.slice(-1);
    return good.slice(0, -1) + (last === 'A' ? 'B' : 'A');
  }
  awsKeyId(prefix = 'AKIA'): string {
    return prefix + this.mixedB32(16);
  }
  private mixedB32(n: number): string {
    for (;;) {
      const s = this.str(UPPER_B32, n);
      if (/[2-7]/.test(s) && !/(.)\1{3}/.test(s)) return s;
    }
  }
  awsSecret(): string {
    return this.mixed(B64, 40);
  }
  awsSessionToken(): string {
    return `IQoJb3JpZ2luX2Vj${this.mixed(B64, this.int(300, 420))}`;
  }
  pem(kind: 'RSA' | 'EC' | 'DSA' | 'PKCS8' | 'ENCRYPTED' | 'OPENSSH' | 'OPENSSH_ENC'): string {
    if (kind === 'OPENSSH' || kind === 'OPENSSH_ENC') return this.openssh(kind === 'OPENSSH_ENC');
    // Real key material would be slow to generate per file; a DER-like random body of the right
    // size is what a scanner sees anyway. RSA/EC/DSA keys come from a small pool of real keys.
    const body = this.str(B64, kind === 'EC' ? 160 : kind === 'DSA' ? 900 : 1580);
    const header =
      kind === 'PKCS8'
        ? 'PRIVATE KEY'
        : kind === 'ENCRYPTED'
          ? 'ENCRYPTED PRIVATE KEY'
          : `${kind} PRIVATE KEY`;
    const lines = body.match(/.{1,64}/g) ?? [];
    return [`-----BEGIN ${header}-----`, ...lines, `-----END ${header}-----`].join('\n');
  }
  private openssh(encrypted: boolean): string {
    const str = (s: string | Buffer): Buffer => {
      const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return Buffer.concat([len, b]);
    };
    const rand = Buffer.from(this.str(B64, 300), 'latin1');
    const blob = Buffer.concat([
      Buffer.from('openssh-key-v1\0', 'latin1'),
      str(encrypted ? 'aes256-ctr' : 'none'),
      str(encrypted ? 'bcrypt' : 'none'),
      str(encrypted ? rand.subarray(0, 24) : ''),
      Buffer.from([0, 0, 0, 1]),
      str(rand.subarray(24, 75)),
      str(rand),
    ]);
    const lines = blob.toString('base64').match(/.{1,70}/g) ?? [];
    return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----'].join('\n');
  }
  discordToken(): string {
    const id = String(this.int(1, 9)) + this.str(DIGITS, 17);
    return `${Buffer.from(id).toString('base64').replace(/=+$/, '')}.${this.str(B64URL, 6)}.${this.mixed(B64URL, 38)}`;
  }
}

let realPool: string[] | undefined;
/** A few real PEM private keys (generated once per run, in memory). */
export function realPrivateKeys(): string[] {
  realPool ??= [
    generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs1',
      format: 'pem',
    }) as string,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'sec1',
      format: 'pem',
    }) as string,
    generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  ].map((k) => k.trimEnd());
  return realPool;
}
