import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileVault } from '../../../functions/adapters/vault/file-vault.ts';

const fingerprint = 'ab'.repeat(32);

describe('the local file vault', () => {
  it('returns what was put and keeps no plaintext on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-'));
    const vault = new FileVault(dir);
    const value = 'plaintext-credential-value-0123456789';
    await vault.put(fingerprint, value);
    expect(await vault.get(fingerprint)).toBe(value);
    for (const file of await readdir(dir)) {
      const bytes = await readFile(join(dir, file));
      expect(bytes.includes(Buffer.from(value))).toBe(false);
      expect(bytes.includes(Buffer.from(Buffer.from(value).toString('base64')))).toBe(false);
    }
  });

  it('reads entries written by an earlier process with the same key file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-'));
    await new FileVault(dir).put(fingerprint, 'kept across restarts');
    expect(await new FileVault(dir).get(fingerprint)).toBe('kept across restarts');
  });

  it('forgets an entry once deleted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-'));
    const vault = new FileVault(dir);
    await vault.put(fingerprint, 'short-lived');
    await vault.delete(fingerprint);
    expect(await vault.get(fingerprint)).toBeUndefined();
    expect((await readdir(dir)).filter((f) => f.endsWith('.sealed'))).toEqual([]);
  });

  it('refuses names that are not fingerprints (no path traversal)', async () => {
    const vault = new FileVault(await mkdtemp(join(tmpdir(), 'vault-')));
    await expect(vault.put('../../etc/passwd', 'x')).rejects.toThrow(/fingerprint/);
  });

  it('fails loudly when a sealed entry was tampered with', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vault-'));
    const vault = new FileVault(dir);
    await vault.put(fingerprint, 'integrity matters');
    const file = join(dir, `${fingerprint}.sealed`);
    const sealed = Buffer.from(await readFile(file, 'utf8'), 'base64');
    sealed[14] = (sealed[14] ?? 0) ^ 0xff;
    await import('node:fs/promises').then((fs) => fs.writeFile(file, sealed.toString('base64')));
    await expect(vault.get(fingerprint)).rejects.toThrow();
  });
});
