/**
 * Every kind the engine documents is detected from a value in its issuer's documented shape:
 * right type, provider, line and column, a keyed fingerprint and a preview that never holds
 * the value. Values are generated at test time (nothing credential-shaped is committed).
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { B64URL, IN_CONTEXT, STANDALONE } from '../../../bench/scan/tokens.ts';
import { fileContext } from '../../../functions/domain/detection/context.ts';
import { findHits } from '../../../functions/domain/detection/engine.ts';
import { createScanner, KINDS } from '../../../functions/domain/detection/index.ts';
import { gen, KEY, scan, typesIn } from './helpers.ts';

const KIND = new Map(KINDS.map((k) => [k.type, k]));

describe('coverage', () => {
  it('documents at least 40 kinds, each with a provider and a shape', () => {
    expect(KINDS.length).toBeGreaterThanOrEqual(40);
    for (const k of KINDS) {
      expect(k.provider).not.toBe('');
      expect(k.shape).not.toBe('');
    }
  });

  it('has a generator for every documented kind, so every kind below is tested', () => {
    const generated = new Set([...Object.keys(STANDALONE), ...Object.keys(IN_CONTEXT)]);
    expect(KINDS.map((k) => k.type).filter((t) => !generated.has(t))).toEqual([]);
  });
});

describe.each(Object.entries(STANDALONE))('%s on its own', (type, make) => {
  it('is found on its line and column, with its kind, provider and revocability', () => {
    const value = make(gen(type.length));
    const findings = scan(`# settings\nexport VALUE=${value}\n`, 'deploy/settings.env');
    expect(findings.map((f) => f.type)).toEqual([type]);
    const f = findings[0];
    expect(f?.line).toBe(2);
    expect(f?.provider).toBe(KIND.get(type)?.provider);
    expect(f?.revocable).toBe(KIND.get(type)?.revocable);
    expect(f?.file).toBe('deploy/settings.env');
    // The column points into the value (a connection string's key starts after `AccountKey=`).
    expect(f?.column).toBeGreaterThanOrEqual('export VALUE='.length + 1);
    expect(value.includes(f?.secret ?? '') || (f?.secret ?? '').includes(value.slice(0, 12))).toBe(true);
  });

  it('never shows more than a known prefix and the last characters in its preview', () => {
    const value = make(gen(type.length + 1));
    const [f] = scan(`VALUE=${value}\n`);
    expect(f).toBeDefined();
    const preview = f?.redacted ?? '';
    expect(preview).toContain('…');
    expect(preview.length).toBeLessThan(Math.min(value.length, 40));
  });
});

describe.each(Object.entries(IN_CONTEXT))('%s in context', (type, make) => {
  it('is found on the line the credential is on', () => {
    const sample = make(gen(type.length));
    const findings = scan(`${sample.lines.join('\n')}\n`, sample.file);
    expect(findings.map((f) => f.type)).toEqual([type]);
    expect(findings[0]?.line).toBe(sample.line + 1);
    expect(findings[0]?.provider).toBe(KIND.get(type)?.provider);
  });
});

describe('hit shape', () => {
  it('gives the hits of every kind the same fields in the same order, so the scan loops stay monomorphic', () => {
    const shapes = new Map<string, string[]>();
    const record = (text: string, file: string): void => {
      for (const hit of findHits(text, fileContext(file))) {
        const shape = `${Object.keys(hit).join()} / ${Object.keys(hit.preview).join()}`;
        shapes.set(shape, [...(shapes.get(shape) ?? []), hit.type]);
      }
    };
    for (const [type, make] of Object.entries(STANDALONE))
      record(`export VALUE=${make(gen(type.length))}\n`, 'deploy/settings.env');
    for (const [type, make] of Object.entries(IN_CONTEXT)) {
      const sample = make(gen(type.length));
      record(`${sample.lines.join('\n')}\n`, sample.file);
    }
    expect(shapes.size).toBe(1);
  });
});

describe('finding fields', () => {
  it('fingerprints with HMAC-SHA256 under the scanner key, never the bare hash of the value', () => {
    const token = STANDALONE.github_pat_classic?.(gen(1)) as string;
    const [f] = scan(`GITHUB_TOKEN=${token}\n`);
    expect(f?.fingerprint).toBe(createHmac('sha256', KEY).update(token).digest('hex'));
    const [other] = createScanner({ fingerprintKey: 'another-key' }).scanText(`GITHUB_TOKEN=${token}\n`, 'x');
    expect(other?.fingerprint).not.toBe(f?.fingerprint);
  });

  it('reports an AWS key id with the secret near it as one finding holding both', () => {
    const g = gen(2);
    const id = g.awsKeyId();
    const secret = g.awsSecret();
    const findings = scan(
      `[default]\naws_access_key_id = ${id}\naws_secret_access_key = ${secret}\n`,
      '.aws/credentials',
    );
    expect(findings.map((f) => [f.type, f.line])).toEqual([['aws_access_key', 2]]);
    expect(JSON.parse(findings[0]?.secret ?? '{}')).toEqual({ accessKeyId: id, secretAccessKey: secret });
    expect(findings[0]?.attributes).toMatchObject({ paired: true });
    expect(findings[0]?.fingerprint).toBe(createHmac('sha256', KEY).update(id).digest('hex'));
  });

  it('reads a token split into string literals joined on one line as that token, at its first piece', () => {
    const token = gen(4).githubToken('ghs_');
    const cases: Array<[string, string]> = [
      ['lib/notify.dart', `  static const String token = '${token.slice(0, 14)}' + '${token.slice(14)}';`],
      [
        'ops/sync.ps1',
        `$Token = ('${token.slice(0, 10)}' + '${token.slice(10, 25)}' + '${token.slice(25)}')`,
      ],
      ['bin/sync.pl', `my $token = "${token.slice(0, 10)}" . "${token.slice(10)}";`],
      ['src/Sync.vb', `Const Token As String = "${token.slice(0, 10)}" & "${token.slice(10)}"`],
    ];
    for (const [file, line] of cases) {
      const findings = scan(`${line}\n`, file);
      expect(findings.map((f) => [f.type, f.column, f.secret])).toEqual([
        ['github_installation_token', line.indexOf(token.slice(0, 10)) + 1, token],
      ]);
    }
    // Joined with code, or pieces that do not make the format: nothing.
    expect(scan(`const t = "${token.slice(0, 10)}" + suffix;\n`, 'src/a.js')).toEqual([]);
    expect(scan(`const t = "${token.slice(0, 10)}" + "${token.slice(10, 20)}";\n`, 'src/a.js')).toEqual([]);
  });

  it("names the line of an AWS key pair's secret as a part of the finding, before or after the id", () => {
    const g = gen(3);
    const id = g.awsKeyId();
    const secret = g.awsSecret();
    const after = scan(`# deploy\nAWS_ACCESS_KEY_ID=${id}\nAWS_SECRET_ACCESS_KEY=${secret}\n`);
    expect(after.map((f) => [f.line, f.parts])).toEqual([
      [2, [{ part: 'secret_access_key', line: 3, column: 23, endColumn: 63 }]],
    ]);
    const before = scan(`\n\nsecret: ${secret}\nkey_id: ${id}\n`, 'deploy/aws.yml');
    expect(before.map((f) => [f.line, f.parts])).toEqual([
      [4, [{ part: 'secret_access_key', line: 3, column: 9, endColumn: 49 }]],
    ]);
    // On the id's own line there is no other line to name.
    expect(scan(`creds,${id},${secret}\n`, 'keys.csv')[0]?.parts).toBeUndefined();
  });

  it('reports a provider token used as a clone URL password as that token, so it can be revoked', () => {
    for (const type of ['github_fine_grained_pat', 'gitlab_personal_access_token', 'github_pat_classic']) {
      const token = STANDALONE[type]?.(gen(type.length)) as string;
      const line = `RUN git clone https://x-access-token:${token}@github.com/acme/lib.git /deps/lib`;
      const findings = scan(`FROM node:20\n${line}\n`, 'Dockerfile');
      expect(findings.map((f) => [f.type, f.line, f.revocable])).toEqual([[type, 2, true]]);
      expect(findings[0]?.column).toBe(line.indexOf(token) + 1);
    }
  });

  it('still reports a plain password in a connection URL as that URL', () => {
    const password = gen(5).mixed('abcdefghijkmnopqrstuvwxyzABCDEFGH23456789', 18);
    expect(typesIn(`DATABASE_URL=postgres://app:${password}@db.internal:5432/orders\n`)).toEqual([
      'postgres_uri',
    ]);
  });

  it('reads a URL password that begins with % but is not percent-encoding, and not a %NAME% template', () => {
    const rest = gen(8).mixed('abcdefghijkmnopqrstuvwxyzABCDEFGH23456789', 18);
    expect(typesIn(`url = 'https://deploy:%wW${rest}@artifacts.internal/repo'\n`, 'lib/client.rb')).toEqual([
      'url_with_password',
    ]);
    expect(
      typesIn(`url = 'https://deploy:%DEPLOY_PASSWORD%@artifacts.internal/repo'\n`, 'lib/client.rb'),
    ).toEqual([]);
  });

  it('reports a private JWK by its d member, and not a public one', () => {
    const g = gen(9);
    const rsa = (d?: string) =>
      JSON.stringify(
        { kty: 'RSA', kid: 'k1', n: g.mixed(B64URL, 342), e: 'AQAB', ...(d ? { d } : {}) },
        null,
        2,
      );
    const d = g.mixed(B64URL, 342);
    const findings = scan(`${rsa(d)}\n`, 'config/signing-key.json');
    expect(findings.map((f) => [f.type, f.line, f.attributes?.keyType])).toEqual([
      ['jwk_private_key', 6, 'RSA'],
    ]);
    expect(JSON.parse(findings[0]?.secret ?? '{}')).toMatchObject({ kty: 'RSA', d });
    expect(typesIn(`${rsa()}\n`, 'config/jwks.json')).toEqual([]);
    // In a JavaScript object literal too.
    const js = `const key = { kty: 'OKP', crv: 'Ed25519', x: '${g.mixed(B64URL, 43)}', d: '${g.mixed(B64URL, 43)}' };\n`;
    expect(typesIn(js, 'src/sign.ts')).toEqual(['jwk_private_key']);
  });

  it("reports a base64-encoded token in a Kubernetes Secret as the issuer's token, revocable", () => {
    const token = STANDALONE.github_pat_classic?.(gen(10)) as string;
    const encoded = Buffer.from(token).toString('base64');
    const text = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ndata:\n  GITHUB_TOKEN: ${encoded}\n`;
    const findings = scan(text, 'k8s/ci-secret.yaml');
    expect(findings.map((f) => [f.type, f.line, f.revocable, f.secret])).toEqual([
      ['github_pat_classic', 6, true, token],
    ]);
    expect(findings[0]?.fingerprint).toBe(scan(`GITHUB_TOKEN=${token}\n`)[0]?.fingerprint);
    // Encoded or not, a token whose checksum fails is not one.
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect(
      typesIn(text.replace(encoded, Buffer.from(wrong).toString('base64')), 'k8s/ci-secret.yaml'),
    ).toEqual([]);
  });

  it("reports each base64 value of a Kubernetes Secret's data that decodes to a credential, whatever its key", () => {
    const g = gen(11);
    const stripe = STANDALONE.stripe_restricted_key?.(g) as string;
    const password = g.mixed(B64URL, 22);
    const url = `redis://:${password}@redis-master.cache.svc.cluster.local:6379/1`;
    const b64 = (v: string) => Buffer.from(v).toString('base64');
    const text = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: app-env',
      'type: Opaque',
      'data:',
      `  username: ${b64('readonly')}`,
      `  host: ${b64('db.internal.example')}`,
      `  STRIPE_RK: ${b64(stripe)}`,
      `  cache-url: "${b64(url)}"`,
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'data:',
      `  STRIPE_RK: ${b64(stripe)}`,
    ].join('\n');
    const findings = scan(`${text}\n`, 'deploy/k8s/secret.yaml');
    expect(findings.map((f) => [f.type, f.line, f.attributes?.encoding])).toEqual([
      ['stripe_restricted_key', 9, 'base64'],
      ['redis_uri', 10, 'base64'],
    ]);
    expect(findings[0]?.secret).toBe(stripe);
  });

  it('reads a generated URL password holding %d, and not a %s template', () => {
    const rest = gen(12).mixed('abcdefghijkmnopqrstuvwxyzABCDEFGH23456789', 10);
    expect(typesIn(`export MYSQL_URL=mysql://admin:${rest}%d=1@mysql.prod.internal:3306/shop\n`)).toEqual([
      'mysql_uri',
    ]);
    expect(typesIn(`url = "mysql://%s:%s@%s:3306/%s" % (user, password, host, db)\n`, 'db.py')).toEqual([]);
  });

  it('reports a Mailgun key-… key in a file that never names Mailgun, at medium confidence', () => {
    const key = `key-${gen(14).mixed('0123456789abcdef', 32)}`;
    const confidences = (text: string, file: string) => scan(text, file).map((f) => [f.type, f.confidence]);
    expect(confidences(`$billing = new Connector('${key}');\n`, 'lib/notify.php')).toEqual([
      ['mailgun_api_key', 'medium'],
    ]);
    expect(confidences(`// Mailgun\n$mg = Mailgun::create('${key}');\n`, 'lib/notify.php')).toEqual([
      ['mailgun_api_key', 'high'],
    ]);
  });

  it('reads a token split into literals joined by Elixir’s <> or written side by side', () => {
    const token = STANDALONE.github_pat_classic?.(gen(15)) as string;
    const [a, b] = [token.slice(0, 20), token.slice(20)];
    expect(typesIn(`@github_token "${a}" <> "${b}"\n`, 'lib/ledger.ex')).toEqual(['github_pat_classic']);
    expect(typesIn(`TOKEN = "${a}" "${b}"\n`, 'ledger.py')).toEqual(['github_pat_classic']);
  });

  it("finds Slack's rotating bot tokens (xoxe.xoxb-1-) as configuration-style tokens", () => {
    const token = `xoxe.xoxb-1-${gen(13).mixed('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 140)}`;
    expect(typesIn(`SLACK_BOT_TOKEN=${token}\n`)).toEqual(['slack_config_token']);
  });

  it('finds a Telegram bot token in a Bot API URL path', () => {
    const token = STANDALONE.telegram_bot_token?.(gen(6)) as string;
    const findings = scan(
      `curl -s "https://api.telegram.org/bot${token}/sendMessage?chat_id=-100123&text=hi"\n`,
      'ops/notify.sh',
    );
    expect(findings.map((f) => f.type)).toEqual(['telegram_bot_token']);
    // Glued to any other word it is still not a token.
    expect(typesIn(`x = "robot${token}"\n`)).toEqual([]);
  });

  it('keeps an AWS key id and a secret far apart as two findings', () => {
    const g = gen(3);
    const filler = Array.from({ length: 30 }, (_, i) => `line_${i} = ${i}`).join('\n');
    const text = `AWS_ACCESS_KEY_ID=${g.awsKeyId()}\n${filler}\nAWS_SECRET_ACCESS_KEY=${g.awsSecret()}\n`;
    expect(scan(text).map((f) => f.type)).toEqual(['aws_access_key', 'aws_secret_access_key']);
  });

  it('marks an encrypted private key as encrypted, with medium confidence', () => {
    const g = gen(4);
    for (const kind of ['ENCRYPTED', 'OPENSSH_ENC'] as const) {
      const [f] = scan(`${g.pem(kind)}\n`, 'keys/key.pem');
      expect(f?.attributes).toMatchObject({ encrypted: true });
      expect(f?.confidence).toBe('medium');
    }
    const [plain] = scan(`${g.pem('RSA')}\n`, 'keys/key.pem');
    expect(plain?.attributes).toMatchObject({ encrypted: false });
  });

  it('marks a legacy PEM with Proc-Type 4,ENCRYPTED as encrypted', () => {
    const body = (
      gen(5)
        .str('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 1600)
        .match(/.{1,64}/g) ?? []
    ).join('\n');
    const pem = `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D4E5F60718293A4B5C6D7E8F9\n\n${body}\n-----END RSA PRIVATE KEY-----\n`;
    expect(scan(pem, 'id_rsa')[0]?.attributes).toMatchObject({ encrypted: true });
  });

  it('finds a PEM key embedded with \\n escapes in a JSON string and hands the vault real newlines', () => {
    const pem = gen(6).pem('PKCS8');
    const [f] = scan(`{"key": "${pem.replace(/\n/g, '\\n')}"}\n`, 'secrets.json');
    expect(f?.type).toBe('pkcs8_private_key');
    expect(f?.secret).toBe(pem);
  });

  it('gives the vault the whole service-account JSON for a GCP key', () => {
    const sample = IN_CONTEXT.gcp_service_account_key?.(gen(8));
    const [f] = scan(`${sample?.lines.join('\n')}\n`, 'sa.json');
    const parsed = JSON.parse(f?.secret ?? '{}') as Record<string, string>;
    expect(parsed.type).toBe('service_account');
    expect(parsed.private_key).toContain('-----BEGIN PRIVATE KEY-----');
    expect(f?.attributes).toMatchObject({ account: parsed.client_email });
  });
});
