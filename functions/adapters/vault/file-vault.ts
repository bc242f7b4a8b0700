/**
 * The vault on a laptop: one AES-256-GCM sealed file per fingerprint in a private folder. The key is
 * LEAKSTOP_VAULT_KEY (64 hex chars) or a random key created once beside the files with mode 0600.
 * Nothing in the folder is plaintext; deleting an entry removes its file.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Vault } from '../../domain/ports.ts';

const FINGERPRINT = /^[0-9a-f]{64}$/;

export class FileVault implements Vault {
  private key: Promise<Buffer> | undefined;

  constructor(
    private readonly dir: string,
    private readonly hexKey?: string,
  ) {}

  private async loadKey(): Promise<Buffer> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    if (this.hexKey) {
      if (!/^[0-9a-f]{64}$/i.test(this.hexKey))
        throw new Error('LEAKSTOP_VAULT_KEY must be 64 hex characters (32 bytes)');
      return Buffer.from(this.hexKey, 'hex');
    }
    const keyFile = join(this.dir, 'vault.key');
    try {
      return Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'hex');
    } catch {
      const key = randomBytes(32);
      // 'wx': if two processes race, one creates it and the other reads the winner's key.
      try {
        await writeFile(keyFile, key.toString('hex'), { mode: 0o600, flag: 'wx' });
        return key;
      } catch {
        return Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'hex');
      }
    }
  }

  private file(fingerprint: string): string {
    if (!FINGERPRINT.test(fingerprint)) throw new Error('vault entries are named by 64-hex fingerprints');
    return join(this.dir, `${fingerprint}.sealed`);
  }

  async put(fingerprint: string, value: string): Promise<void> {
    this.key ??= this.loadKey();
    const key = await this.key;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(fingerprint));
    const sealed = Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    await writeFile(this.file(fingerprint), sealed.toString('base64'), { mode: 0o600 });
  }

  async get(fingerprint: string): Promise<string | undefined> {
    this.key ??= this.loadKey();
    const key = await this.key;
    let sealed: Buffer;
    try {
      sealed = Buffer.from(await readFile(this.file(fingerprint), 'utf8'), 'base64');
    } catch {
      return undefined;
    }
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
    decipher.setAAD(Buffer.from(fingerprint));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([
      decipher.update(sealed.subarray(12, sealed.length - 16)),
      decipher.final(),
    ]).toString('utf8');
  }

  async delete(fingerprint: string): Promise<void> {
    await rm(this.file(fingerprint), { force: true });
  }
}

/** For --in-memory runs and tests: nothing touches the disk. */
export class MemoryVault implements Vault {
  private readonly entries = new Map<string, string>();

  async put(fingerprint: string, value: string): Promise<void> {
    this.entries.set(fingerprint, value);
  }

  async get(fingerprint: string): Promise<string | undefined> {
    return this.entries.get(fingerprint);
  }

  async delete(fingerprint: string): Promise<void> {
    this.entries.delete(fingerprint);
  }

  get size(): number {
    return this.entries.size;
  }
}
