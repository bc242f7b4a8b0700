/**
 * Quiet on look-alikes: near misses of every format (one character short, a placeholder body,
 * a wrong checksum), documented examples, templates and references, hashes, UUIDs, commit
 * SHAs, lockfile integrity, public keys and certificates, base64 media, minified bundles,
 * redacted values.
 */
import { describe, expect, it } from 'vitest';
import { ALNUM, B64, B64URL, DIGITS, HEX, STANDALONE, strongPassword } from '../../../bench/scan/tokens.ts';
import { gen, lowScanner, scan, typesIn } from './helpers.ts';

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

describe('values that begin like an issuer token', () => {
  it.each([
    ['STRIPE_SECRET_KEY', 'sk_live_', 10],
    ['gitlab_token', 'glpat-', 8],
    ['SLACK_BOT_TOKEN', 'xoxb-', 12],
  ] as const)(
    '%s = %s and %i characters is too short to be one: quiet, not a generic secret',
    (key, prefix, n) => {
      const value = prefix + gen(n).mixed('abcdefghijkmnopqrstuvwxyzABCDEFGH23456789', n);
      expect(scan(`${key} = "${value}"\n`, 'config/settings.toml')).toEqual([]);
    },
  );

  it('one long enough that no known format matched is still judged by the generic rules', () => {
    // Issuers lengthen their tokens over time: a longer shape leakstop does not know yet.
    const value = `sk_live_-${gen(31).mixed('abcdefghijkmnopqrstuvwxyzABCDEFGH23456789', 30)}`;
    expect(typesIn(`STRIPE_SECRET_KEY = "${value}"\n`, 'config/settings.toml')).toEqual(['generic_secret']);
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

  it("ignores the gcloud CLI's public installed-app client secret in the credentials gcloud writes", () => {
    const text = [
      '{',
      `  "client_id": "764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com",`,
      `  "client_secret": "${['d-FL95Q19q7M', 'QmFpd7hHD0Ty'].join('')}",`,
      '  "type": "authorized_user"',
      '}',
      '',
    ].join('\n');
    expect(scan(text, '.config/gcloud/application_default_credentials.json')).toEqual([]);
  });

  it("ignores Slack's request-signing test vector, as verifier tests copy it", () => {
    const secret = ['8f742231b10e8888', 'abcd99yyyzzz85a5'].join('');
    const body = `token=${['xyzz0WbapA4v', 'BCDEFasx0q6G'].join('')}&team_id=T1DC2JH3J&team_domain=testteamnow`;
    const text = `const signingSecret = '${secret}';\nconst timestamp = '1531420618';\nconst body = '${body}';\n`;
    expect(scan(text, 'src/slack/verify.js')).toEqual([]);
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
      ['8f742231b10e8888', 'abcd99yyyzzz85a5'],
      ['xyzz0WbapA4v', 'BCDEFasx0q6G'],
      ['d-FL95Q19q7M', 'QmFpd7hHD0Ty'],
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

  it('ignores stored password hashes, SOPS ciphertext, key ids and installer defaults in tool configs', () => {
    const g = gen(17);
    const cases: Array<[string, string]> = [
      ['.gitconfig', `[user]\n\tsigningkey = ${g.str(HEX, 16).toUpperCase()}\n`],
      [
        'etc/wpa_supplicant/wpa_supplicant.conf',
        `network={\n\tidentity="kiosk"\n\tpassword=hash:${g.str(HEX, 32)}\n}\n`,
      ],
      [
        '.config/transmission-daemon/settings.json',
        `{\n    "rpc-password": "{${g.str(HEX, 40)}${g.mixed(B64URL, 8)}",\n}\n`,
      ],
      ['opt/harbor/harbor.yml', `# harbor_admin_password: ${['Harbor', '12345'].join('')}\n`],
      [
        'deploy/secrets/app.enc.json',
        `{\n  "password": "ENC[AES256_GCM,data:${g.mixed(B64, 120)},iv:${g.mixed(B64, 44)},tag:${g.mixed(B64, 24)},type:str]"\n}\n`,
      ],
    ];
    for (const [file, text] of cases) expect(scan(text, file), file).toEqual([]);
  });

  it("ignores a Helm chart's checksum/secret annotation: the path's first segment names a hash", () => {
    const g = gen(16);
    const text = `      annotations:\n        checksum/secret: ${g.str(HEX, 64)}\n`;
    expect(scan(text, 'deploy/k8s/deployment.yaml')).toEqual([]);
    expect(typesIn(`        vault/secret: ${g.mixed(B64URL, 40)}\n`, 'deploy/k8s/deployment.yaml')).toEqual([
      'generic_secret',
    ]);
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

describe('what installed software ships (site-packages, the JDK, /etc, node_modules)', () => {
  const g = gen(31);
  const secret = g.mixed(B64, 40);
  const pw = strongPassword(g);

  it('ignores messages under password keys: escaped or non-Latin text, CamelCase names', () => {
    const lines = [
      '{ "key.password", "Schl\\u00FCsselkennwort" },',
      '{ "keystore.password", "\\u30AD\\u30FC\\u30B9\\u30C8\\u30A2\\u306E\\u30D1\\u30B9" },',
      'password = "Schlüsselkennwort2"',
      "\"Additional properties are ignored ('MasterUserPassword', 'StorageEncrypted')\"",
    ];
    expect(scan(`${lines.join('\n')}\n`, 'resources/keytool_de.java')).toEqual([]);
    expect(typesIn(`{ "key.password", "${pw}" },\n`, 'resources/Keys.java')).toEqual(['generic_password']);
  });

  it('ignores names whose last word is not the secret, and algorithm names', () => {
    const lines = [
      'ps("SecretKeyFactory", "PBKDF2WithHmacSHA512/224",',
      'password_encryption = scram-sha-256',
      '# METHOD can be "trust", "reject", "md5", "password", "scram-sha-256",',
      `--token-signature "${secret}"`,
      `"VerificationToken": "${secret}",`,
    ];
    expect(scan(`${lines.join('\n')}\n`, 'conf/settings.conf')).toEqual([]);
    expect(typesIn(`signature_secret = "${secret}"\n`, 'conf/settings.conf')).toEqual(['generic_secret']);
  });

  it('ignores ARNs, document paths and interpolations under key names', () => {
    const lines = [
      '"encryptionKey": "arn:aws:kms:us-west-2:111122223333:key/c9fe2447-0795-4fda-afbe-8464574ae162",',
      '"usernameSecretArn": "arn:aws:secretsmanager:us-west-2:111122223333:secret:windfarm1-auth-1ABCDE"',
      '"output_token": "Jobs[-1].JobId",',
    ];
    expect(scan(`${lines.join('\n')}\n`, 'data/service.json')).toEqual([]);
    expect(scan(`new_token = f"{log_group}@{pages[-1]['name']}"\n`, 'models.py')).toEqual([]);
  });

  it('ignores values typed in order, and spelt-out passwords', () => {
    const lines = [
      '"passphrase": "AB1C2defGHijkLMNo3PqQRstUvwxyzaBCDEfghh4ijklMN5opqrStuVWxyzAbCDEfghIJ"',
      '"token": "abcd1234defg5678"',
      '--change-token 12cs345-67cd-890b-1cd2-c3a4567d89f1',
      '--master-user-password A1b2c3d4',
      'credentials = {"username": "admin", "password": "P@55w0rd!"}',
    ];
    expect(scan(`${lines.join('\n')}\n`, 'docs/usage.txt')).toEqual([]);
  });

  it('reports what an examples document shows only at low confidence, and the same line elsewhere', () => {
    const doc = `Output::\n\n    {\n        "ServicePassword": "${secret}",\n    }\n`;
    expect(scan(doc, 'awscli/examples/iam/create-service-specific-credential.rst')).toEqual([]);
    expect(scan(`{"Password": "${pw}"}\n`, 'botocore/data/iam/2010-05-08/examples-1.json')).toEqual([]);
    expect(scan(`{"Password": "${pw}"}\n`, 'apis/iam-2010-05-08.examples.json')).toEqual([]);
    expect(lowScanner.scanText(doc, 'awscli/examples/iam/x.rst').map((f) => f.confidence)).toEqual(['low']);
    // Not an examples document: a config template, an example program, a README.
    expect(typesIn(doc, 'docs/iam.rst')).toEqual(['generic_password']);
    expect(typesIn(`{"Password": "${pw}"}\n`, 'config.example.json')).toEqual(['generic_password']);
    expect(typesIn(`PASSWORD = "${pw}"\n`, 'examples/connect.py')).toEqual(['generic_password']);
  });

  it("lowers a value on a line holding one of AWS's marked example values", () => {
    const line = `--xks-proxy-authentication-credential "AccessKeyId=ABCDE12345670EXAMPLE, RawSecretAccessKey=${secret}"`;
    expect(scan(`${line}\n`, 'docs/kms.txt')).toEqual([]);
    expect(typesIn(`RawSecretAccessKey=${secret}\n`, 'docs/kms.txt')).toEqual(['aws_secret_access_key']);
  });

  it('reports the key id a presigned S3 URL shows only at low confidence', () => {
    const id = STANDALONE.aws_access_key?.(gen(32)) as string;
    const url = `https://bucket.s3.amazonaws.com/obj?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${id}%2F20190814%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Signature=${g.str(HEX, 64)}`;
    expect(scan(`${url}\n`, 'notes.md')).toEqual([]);
    expect(lowScanner.scanText(`${url}\n`, 'notes.md').map((f) => [f.type, f.confidence])).toEqual([
      ['aws_access_key', 'low'],
    ]);
    expect(typesIn(`aws_access_key_id = ${id}\n`, 'notes.md')).toEqual(['aws_access_key']);
  });

  it('ignores the next key of a list of settings as a value', () => {
    const completion = '__mvncomp "username= message= passphrase= password= scmVersion= $(x)" "-D" "${cur}"';
    expect(scan(`${completion}\n`, 'completions/mvn')).toEqual([]);
    expect(typesIn(`password= ${pw}\n`, 'settings.conf')).toEqual(['generic_password']);
  });

  it('reports a read-only badge token in an image URL only at low confidence', () => {
    const token = g.str(HEX, 40);
    const badges = [
      `[![CircleCI](https://circleci.com/gh/o/r.svg?style=svg&circle-token=${token})](https://circleci.com/gh/o/r)`,
      `[![codecov](https://codecov.io/gh/o/r/branch/main/graph/badge.svg?token=${token})](https://codecov.io/gh/o/r)`,
    ];
    expect(scan(`${badges.join('\n')}\n`, 'README.md')).toEqual([]);
    expect(lowScanner.scanText(`${badges[0]}\n`, 'README.md').map((f) => f.confidence)).toEqual(['low']);
    // The same token in an API call is a credential.
    expect(typesIn(`curl "https://circleci.com/api/v1.1/me?circle-token=${token}"\n`, 'README.md')).toEqual([
      'generic_token',
    ]);
  });

  it('reports a Zoom invitation passcode only at low confidence', () => {
    const invite = `- Where: [Zoom](https://zoom.us/j/95228013874?pwd=${g.mixed(B64.replace(/[+/]/g, ''), 32)}.1)`;
    expect(scan(`${invite}\n`, 'METADATA')).toEqual([]);
    expect(typesIn(`db = connect(host, pwd="${pw}")\n`, 'app.py')).toEqual(['generic_password']);
  });

  it('reports a generic value whose key says it is a test value only at low confidence', () => {
    const value = g.mixed(B64.replace(/[+/]/g, ''), 40);
    const lines = [
      `TEST_API_KEY = "${value}"`,
      `env={"TEST_DB_PASSWORD": "${pw}"}`,
      `fake_token = "${value}"`,
    ];
    expect(scan(`${lines.join('\n')}\n`, 'posthog/test/test_utils.py')).toEqual([]);
    expect(lowScanner.scanText(`${lines[0]}\n`, 'x.py').map((f) => [f.type, f.confidence])).toEqual([
      ['generic_api_key', 'low'],
    ]);
    expect(typesIn(`API_KEY = "${value}"\n`, 'posthog/test/test_utils.py')).toEqual(['generic_api_key']);
  });

  it('ignores class names and leetspeak passwords under password keys', () => {
    const lines = [
      "u'HTTPPasswordMgrWithDefaultRealm', u'HTTPRedirectHandler',",
      'env={"DB_PASSWORD": "p4ssRUNTIME"},',
      '"password": "Pa$$phrase2024"',
    ];
    expect(scan(`${lines.join('\n')}\n`, 'fixes/fix_imports2.py')).toEqual([]);
  });

  it('ignores migration and scheme names, escaped bytes, salts and encoded JSON under secret keys', () => {
    const lines = [
      '("auth", "0006_require_contenttypes_0002"),',
      'ht.set_hash("user1", hash_scheme("password","apr_md5_crypt"))',
      "PASS_TABLE_UTF8 = b't\\xc3\\xa1\\xd0\\x91\\xe2\\x84\\x93\\xc9\\x99' # utf-8",
      `("password", '@salt${g.str(HEX, 44)}'),`,
      `exports.DEFAULT_TOKEN = "${Buffer.from('{"session_id": "default"}').toString('base64url')}";`,
    ];
    expect(scan(`${lines.join('\n')}\n`, 'lib/handlers.py')).toEqual([]);
    // Base64url of random bytes is still judged as a token.
    const random = Buffer.from(g.str(HEX, 48), 'hex').toString('base64url');
    expect(typesIn(`DEFAULT_TOKEN = "${random}"\n`, 'lib/handlers.py')).toEqual(['generic_token']);
  });

  it('ignores the rows of a table of passwords and their hashes, not a call with a default', () => {
    const value = g.mixed(B64.replace(/[+/]/g, ''), 24);
    const table = `known_correct_hashes = [\n    ("passphrase",               "${value}"),\n    ('password', '${value}'),\n]\n`;
    expect(scan(table, 'passlib/tests/test_handlers.py')).toEqual([]);
    expect(typesIn(`db_password = os.environ.get("password", "${value}")\n`, 'app.py')).toEqual([
      'generic_password',
    ]);
    expect(typesIn(`    ("SECRET_KEY", "${value}"),\n`, 'settings.py')).toEqual(['generic_secret']);
  });

  it("ignores Google Authenticator's example TOTP secret, in either case", () => {
    const uri = 'otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example';
    expect(scan(`otp = from_uri("${uri}")\n`, 'tests/test_totp.py')).toEqual([]);
    expect(scan(`otp = from_uri("${uri.toLowerCase()}")\n`, 'tests/test_totp.py')).toEqual([]);
  });

  it("ignores a tokenizer's vocabulary: base64 of text (tabs, non-Latin) under token_bytes", () => {
    const entry = (text: string): string => `      "token_bytes": "${Buffer.from(text).toString('base64')}",`;
    const vocab = [
      '{"vocab": [',
      entry(' \u0627\u0644\u0645'),
      entry('\tprotected'),
      entry('\tdescription'),
      ']}',
    ];
    expect(scan(`${vocab.join('\n')}\n`, 'mistral_common/data/tekken_240718.json')).toEqual([]);
    // Base64 of random bytes under a token key is still a token.
    const random = Buffer.from(g.str(HEX, 48), 'hex').toString('base64');
    expect(typesIn(`{"auth_token": "${random}"}\n`, 'config.json')).toEqual(['generic_token']);
  });

  it('ignores regular expressions, chained assignments and messages that name a password', () => {
    const lines = [
      'token = r"[-!#$%&\'*+.^_`|~0-9a-zA-Z]+"',
      ':!0}),e.AbstractMmlTokenNode=e.AbstractMmlNode=e.indentAttributes=e.TEXCLASS=void 0;var s=r(91);',
      'function parse_EncInfoExt() { throw new Error("File is password-protected: ECMA-376 Extensible"); }',
    ];
    expect(scan(`${lines.join('\n')}\n`, 'h11/_abnf.py')).toEqual([]);
  });

  it('ignores words in leetspeak as test passwords, not a random password beside them', () => {
    const lines = [
      'self.password = b"S3CuR1Ty"',
      'password = "M0nk3y!"',
      'PASSWORD = "Tr0ub4dor&3"',
      'cnx = connect(user="scott", password="s3cre3t!")',
    ];
    expect(scan(`${lines.join('\n')}\n`, 'twisted/web/test/test_httpauth.py')).toEqual([]);
    expect(typesIn(`self.password = b"${pw}"\n`, 'web/auth.py')).toEqual(['generic_password']);
    // A word with a year and no letter swapped may be a real, weak password.
    const weak = ['Summer', 2024, '!'].join(''); // built here: the repository holds no password literal
    expect(typesIn(`password = "${weak}"\n`, 'web/auth.py')).toEqual(['generic_password']);
  });

  it('ignores cipher suite names under PSK keys and ARM template expressions under password keys', () => {
    const lines = [
      '    "PSK_WITH_CAMELLIA_256_CBC_SHA384": "PSK-CAMELLIA256-SHA384",',
      '    "ECDHE_PSK_WITH_AES_128_GCM_SHA256": "ECDHE-PSK-AES128-GCM-SHA256",',
      `                    "adminPassword": "[parameters('publicKey')]",`,
    ];
    expect(scan(`${lines.join('\n')}\n`, 'mysql/connector/constants.py')).toEqual([]);
    expect(typesIn(`    "adminPassword": "${pw}",\n`, 'azure-vm-template.json')).toEqual([
      'generic_password',
    ]);
  });

  it("ignores CPython's tests: a `pass…` verb's argument and a host:port beside a password", () => {
    const lines = [
      "        self.assertEqual(passValue('str\\x00ing\\xbd'), 'str\\x00ing\\xbd')",
      "        self.assertEqual(passValue('string\\U0001f4bb'), 'string\\U0001f4bb')",
      "             ('http', 'user/name', 'password', 'localhost:22')),",
    ];
    expect(scan(`${lines.join('\n')}\n`, 'lib/python3.12/test/test_tcl.py')).toEqual([]);
    expect(typesIn(`db_pass = "${pw}"\npass_phrase = "${pw}"\n`, 'app.py')).toEqual([
      'generic_password',
      'generic_password',
    ]);
  });

  it('reports a shields.io badge token only at low confidence', () => {
    const badge = `[![CircleCI](https://img.shields.io/circleci/build/github/o/r?logo=s&token=${g.str(HEX, 40)})](https://circleci.com/gh/o/r)`;
    expect(scan(`${badge}\n`, 'METADATA')).toEqual([]);
    expect(lowScanner.scanText(`${badge}\n`, 'METADATA').map((f) => f.confidence)).toEqual(['low']);
  });

  it('reports a Hugging Face token with digits as one', () => {
    const token = `hf_${g.mixed(ALNUM, 30)}${g.str(DIGITS, 4)}`;
    expect(typesIn(`TOKEN = "${token}"\n`, 'transformers/testing_utils.py')).toEqual(['huggingface_token']);
  });

  it('judges base64 of a password with the newline `echo | base64` adds as that password', () => {
    const encoded = Buffer.from(`${pw}\n`).toString('base64');
    const manifest = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ${encoded}\n`;
    expect(typesIn(manifest, 'k8s/secret.yaml')).toEqual(['generic_password']);
  });

  it('reports a connection URL in a docstring only at low confidence, and Oracle demo passwords not at all', () => {
    const url = `postgresql://app:${pw.replace(/[:@/]/g, 'x')}@db.internal:5432/app`;
    const doc = `def connect():\n    """Connect.\n\n    engine = create_engine("${url}")\n    """\n`;
    expect(scan(doc, 'lib/db.py')).toEqual([]);
    expect(lowScanner.scanText(doc, 'lib/db.py').map((f) => [f.type, f.confidence])).toEqual([
      ['postgres_uri', 'low'],
    ]);
    expect(typesIn(`engine = create_engine("${url}")\n`, 'lib/db.py')).toEqual(['postgres_uri']);
    expect(scan('"mssql+pyodbc://scott:tiger^5HHH@mssql2017:1433/test?driver=ODBC",\n', 'x.txt')).toEqual([]);
    expect(scan('    postgres://user:p#ssword!@db.internal/foobar\n', 'METADATA')).toEqual([]);
  });

  it('reports a value that documentation introduces as an example only at low confidence', () => {
    const token = g.mixed(B64.replace(/[+/]/g, ''), 32);
    const page = `<p>It has a separate table for each registry, for example:</p>\n<pre><code class="language-toml">[registries.my-registry]\ntoken = "${token}"\n</code></pre>\n`;
    expect(scan(page, 'doc/cargo/reference/registries.html')).toEqual([]);
    expect(scan(`E.g. set\n\n    token = "${token}"\n`, 'docs/setup.md')).toEqual([]);
    // Four lines on, or outside documentation, the prose no longer speaks for the value.
    expect(typesIn(`for example:\n\n\n\ntoken = "${token}"\n`, 'docs/setup.md')).toEqual(['generic_token']);
    expect(typesIn(`# for example:\ntoken = "${token}"\n`, 'config/registry.toml')).toEqual([
      'generic_token',
    ]);
  });

  it('ignores a word and a number as the password of a URL outside databases and queues', () => {
    expect(scan('Must be in valid uri format like dotenv://:key_1234@dotenv.org/vault/.env.vault\n')).toEqual(
      [],
    );
    expect(typesIn(`proxy = http://user:${pw.replace(/[:@/]/g, 'x')}@proxy.corp.example:8080\n`)).toEqual([
      'url_with_password',
    ]);
  });
});
