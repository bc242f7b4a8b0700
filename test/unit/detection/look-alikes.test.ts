/**
 * Quiet on look-alikes: near misses of every format (one character short, a placeholder body,
 * a wrong checksum), documented examples, templates and references, hashes, UUIDs, commit
 * SHAs, lockfile integrity, public keys and certificates, base64 media, minified bundles,
 * redacted values.
 */
import { describe, expect, it } from 'vitest';
import { B64, HEX, STANDALONE, strongPassword } from '../../../bench/scan/tokens.ts';
import { gen, scan, typesIn } from './helpers.ts';

/** Kinds whose body has a fixed length (one character less is not the format any more). */
const FIXED_LENGTH = [
  'aws_access_key',
  'github_pat_classic',
  'github_oauth_token',
  'github_user_to_server_token',
  'github_installation_token',
  'github_fine_grained_pat',
  'npm_access_token',
  'google_api_key',
  'google_oauth_client_secret',
  'anthropic_api_key',
  'anthropic_admin_key',
  'sendgrid_api_key',
  'gitlab_pipeline_trigger_token',
  'huggingface_token',
  'dockerhub_access_token',
  'shopify_access_token',
  'shopify_shared_secret',
  'linear_api_key',
  'telegram_bot_token',
  'azure_storage_account_key',
  'postman_api_key',
  'digitalocean_token',
  'new_relic_user_api_key',
  'grafana_service_account_token',
  'rubygems_api_key',
  'supabase_access_token',
  'age_secret_key',
  'groq_api_key',
  'replicate_api_token',
  'pulumi_access_token',
  'figma_access_token',
];

describe('near misses of each format', () => {
  it.each(FIXED_LENGTH)('%s one character short is not reported', (type) => {
    const value = STANDALONE[type]?.(gen(11)) as string;
    // Drop a character from the middle of the random part (the end may be a checksum or `==`).
    const pad = value.indexOf('==;');
    const cut = pad > 0 ? pad - 5 : value.length - 8;
    const short = value.slice(0, cut) + value.slice(cut + 1);
    expect(typesIn(`VALUE=${short}\n`)).not.toContain(type);
  });

  it.each(Object.keys(STANDALONE))('%s with a run of x as its random part is a placeholder', (type) => {
    const value = STANDALONE[type]?.(gen(12)) as string;
    const placeholder = value.slice(0, 12) + 'x'.repeat(value.length - 16) + value.slice(-4);
    expect(typesIn(`VALUE=${placeholder}\n`)).not.toContain(type);
  });
});

describe('checksums', () => {
  it.each(['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'npm_'] as const)(
    '%s token with a wrong checksum is not reported, not even as a generic token',
    (prefix) => {
      const bad = gen(13).badChecksumToken(
        prefix === 'ghu_' || prefix === 'ghs_' || prefix === 'ghr_' ? 'gho_' : prefix,
      );
      const token = prefix + bad.slice(4);
      expect(scan(`GITHUB_TOKEN=${token}\nconst token = "${token}";\n`, 'src/app.js')).toEqual([]);
    },
  );

  it('reports the same token once its checksum is right', () => {
    const token = gen(14).githubToken('ghp_');
    expect(typesIn(`GITHUB_TOKEN=${token}\n`)).toEqual(['github_pat_classic']);
  });
});

describe('documented examples', () => {
  it('ignores the AWS documentation key pair', () => {
    expect(
      scan(
        'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n',
      ),
    ).toEqual([]);
  });

  it("ignores Stripe's published test key and the Azure storage emulator key", () => {
    const emulator = [
      'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq',
      '/K1SZFPTOtr/KBHBeksoGMGw==',
    ].join('');
    const stripe = ['sk_test_', '4eC39HqLyjWDarjtT1zdp7dc'].join('');
    expect(scan(`STRIPE_KEY=${stripe}\nAZURE=AccountName=devstoreaccount1;AccountKey=${emulator}\n`)).toEqual(
      [],
    );
  });
});

describe('every documented example the engine knows', () => {
  it('is recognised (their hashes and lengths are kept in step)', async () => {
    const { isDocumentedExample } = await import('../../../functions/domain/detection/tokens.ts');
    const examples = [
      ['sk_test_', '4eC39HqLyjWDarjtT1zdp7dc'],
      ['sk_test_', 'BQokikJOvBiI2HlWgH4olfQ2'],
      ['sk_test_', '26PHem9AhJZvU623DfE1x4sd'],
      ['rk_test_', '26PHem9AhJZvU623DfE1x4sd'],
      ['2YotnFZFEjr1', 'zCsicMWpAA'],
      ['tGzv3JOkF0XG', '5Qx2TlKWIA'],
      ['czZCaGRSa3F0', 'MzpnWDFmQmF0M2JW'],
      ['SplxlOBeZQQY', 'bYS6WxSbIA'],
      ['7Fjfp0ZBr1Kt', 'DRbnfVdmIw'],
      ['gX1fBa', 't3bV'],
      ['xoxb-17653672481-19874698323-', 'pdFZKVeTuE8sk7oOcBrzbqgy'],
      ['AIzaSyDaGmWKa4JsXZ-', 'HjGw7ISLn_3namBGewQe'],
      ['110201543:AAHdqTcvCH1v', 'GWJxfSeofSAs0K5PALDsaw'],
    ].map((parts) => parts.join(''));
    expect(examples.filter((v) => !isDocumentedExample(v))).toEqual([]);
  });
});

describe('templates, references and placeholders', () => {
  const lines = [
    'API_KEY=your-api-key-here',
    'API_KEY=<YOUR_API_KEY>',
    'TOKEN=<TOKEN>',
    'password: ${DB_PASSWORD}',
    '      token: ${{ secrets.DEPLOY_TOKEN }}',
    'SECRET_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'password = "********"',
    'DB_PASSWORD=changeme',
    'token: "[REDACTED]"',
    'client_secret = REPLACE_ME_WITH_A_REAL_SECRET',
    'DATABASE_URL=postgres://postgres:postgres@localhost:5432/dev',
    'AMQP_URL=amqp://guest:guest@localhost:5672/',
    'MONGO_URI=mongodb+srv://<username>:<password>@cluster0.mongodb.net/test',
    'REDIS_URL=redis://:${REDIS_PASSWORD}@redis:6379',
    'api_key: "{{ .Values.apiKey }}"',
    'password=%(db_password)s',
  ];
  it.each(lines)('stays quiet on %s', (line) => {
    expect(scan(`${line}\n`, 'deploy/values.yaml')).toEqual([]);
  });

  it.each([
    'const apiKey = process.env.API_KEY;',
    'password = os.environ["DB_PASSWORD"]',
    'api_key = os.environ.get("OPENAI_API_KEY")',
    'const token = getToken(config.tokenPath);',
    'password = getpass.getpass("Password: ")',
    'if (!password) throw new Error("password is required");',
    'token = jwt.encode(payload, settings.SECRET_KEY, algorithm="HS256")',
    'this.password = password;',
  ])('stays quiet on the code %s', (line) => {
    expect(scan(`${line}\n`, 'src/app.ts')).toEqual([]);
  });
});

describe('hashes, identifiers and encoded data', () => {
  it('ignores commit SHAs, digests, UUIDs and password hashes under their own names', () => {
    const g = gen(15);
    const text = [
      `commit = "${g.str(HEX, 40)}"`,
      `"sha": "${g.str(HEX, 40)}",`,
      `checksum: sha256:${g.str(HEX, 64)}`,
      `request_id = "${g.str(HEX, 8)}-${g.str(HEX, 4)}-4${g.str(HEX, 3)}-a${g.str(HEX, 3)}-${g.str(HEX, 12)}"`,
      `token_id: ${g.str(HEX, 8)}-${g.str(HEX, 4)}-4${g.str(HEX, 3)}-a${g.str(HEX, 3)}-${g.str(HEX, 12)}`,
      `password_hash = "$2b$12$${g.str('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./', 53)}"`,
      `password: "${g.str(HEX, 32)}"`,
      `etag: "${g.str(HEX, 32)}"`,
    ].join('\n');
    expect(scan(`${text}\n`, 'data/fixtures.yaml')).toEqual([]);
  });

  it('ignores lockfile integrity strings and resolved URLs', () => {
    const g = gen(16);
    const lock = JSON.stringify(
      {
        packages: {
          'node_modules/js-tokens': {
            version: '4.0.0',
            resolved: 'https://registry.npmjs.org/js-tokens/-/js-tokens-4.0.0.tgz',
            integrity: `sha512-${g.str(B64, 86)}==`,
          },
        },
      },
      null,
      2,
    );
    expect(scan(lock, 'package-lock.json')).toEqual([]);
    expect(scan(`js-tokens@^4.0.0:\n  integrity sha512-${g.str(B64, 86)}==\n`, 'yarn.lock')).toEqual([]);
  });

  it('ignores public keys and certificates', () => {
    const g = gen(17);
    const body = (n: number): string => (g.str(B64, n).match(/.{1,64}/g) ?? []).join('\n');
    const text = [
      '-----BEGIN PUBLIC KEY-----',
      body(400),
      '-----END PUBLIC KEY-----',
      '-----BEGIN CERTIFICATE-----',
      body(1100),
      '-----END CERTIFICATE-----',
      `ssh-rsa AAAAB3NzaC1yc2E${g.str(B64, 360)} deploy@ci`,
    ].join('\n');
    expect(scan(`${text}\n`, 'certs/bundle.pem')).toEqual([]);
  });

  it('ignores a private key header with no key under it', () => {
    expect(scan('const HEADER = "-----BEGIN RSA PRIVATE KEY-----";\n', 'src/pem.js')).toEqual([]);
    expect(
      scan('-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----\n', 'README.md'),
    ).toEqual([]);
  });

  it('ignores base64 media and minified bundles', () => {
    const g = gen(18);
    const media = `<img src="data:image/png;base64,${g.str(B64, 6000)}=" alt="logo">`;
    const bundle = `!function(e,t){var n={token:e.token,apiKey:t.apiKey||"",password:e.password,secret:"${g.mixed(B64, 40)}"};${'var a=' + g.str('abcdefghij', 2000) + ';'}return n}(window,config);`;
    expect(scan(`${media}\n`, 'docs/index.html')).toEqual([]);
    expect(scan(`${bundle}\n`, 'dist/app.js')).toEqual([]);
    expect(scan(`${bundle}\n`, 'dist/app.min.js')).toEqual([]);
  });

  it('ignores values in type declarations and documentation comments', () => {
    // Built at test time so this file holds no password-shaped literal of its own.
    const pw = strongPassword(gen(19));
    expect(scan(` * @example\n *   NewPassword: "${pw}",\n`, 'dist-types/ChangePassword.d.ts')).toEqual([]);
    expect(scan(`/**\n * client.login({ password: "${pw}" })\n */\n`, 'src/client.js')).toEqual([]);
    // The same assignment outside a comment is reported.
    expect(scan(`client.login({ password: "${pw}" });\n`, 'src/client.js').map((f) => f.type)).toEqual([
      'generic_password',
    ]);
  });
});
