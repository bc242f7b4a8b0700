/**
 * Keyword-based detection across the syntaxes credentials are written in, judged by the file
 * they are in; suppression with `leakstop:allow` and with a baseline of fingerprints; the
 * low-confidence floor for deliberate fakes; and classifying a raw alert value.
 */
import { describe, expect, it } from 'vitest';
import { ALNUM, B64URL, strongPassword, uuidOf } from '../../../bench/scan/tokens.ts';
import { classifySecret, createScanner } from '../../../functions/domain/detection/index.ts';
import { gen, KEY, lowScanner, scan, typesIn } from './helpers.ts';

describe('generic assignments in the syntaxes people write', () => {
  const g = gen(51);
  const secret = g.mixed(B64URL, 40);
  const password = strongPassword(g);
  const cases: Array<[string, string, string, string]> = [
    ['.env', `DB_PASSWORD=${password}`, 'generic_password', password],
    ['config.yaml', `  client_secret: "${secret}"`, 'generic_secret', secret],
    ['settings.json', `  "apiToken": "${secret}",`, 'generic_token', secret],
    ['app.py', `SECRET_KEY = '${secret}'`, 'generic_secret', secret],
    ['main.go', `\tapiKey := "${secret}"`, 'generic_api_key', secret],
    [
      'Config.java',
      `    private static final String DB_PASSWORD = "${password}";`,
      'generic_password',
      password,
    ],
    ['config.php', `    'password' => '${password}',`, 'generic_password', password],
    ['web.config', `  <add key="PaymentApiKey" value="${secret}" />`, 'generic_api_key', secret],
    ['settings.xml', `  <password>${password}</password>`, 'generic_password', password],
    ['Billing.vb', `    Dim keystorePassword As String = "${password}"`, 'generic_password', password],
    ['Billing.vb', `    Private Const ApiKey As String = "${secret}"`, 'generic_api_key', secret],
    ['src/catalog.clj', `  (let [opts {:service-token "${secret}" :timeout 30}]`, 'generic_token', secret],
    ['src/catalog.clj', `(def ^:private client-secret "${secret}")`, 'generic_secret', secret],
    ['config.edn', ` :db-password "${password}"`, 'generic_password', password],
    [
      'Search.fs',
      `let ApiKey = "${secret.slice(0, 8)}" + "${secret.slice(8, 30)}" + "${secret.slice(30)}"`,
      'generic_api_key',
      secret,
    ],
    ['deploy.sh', `mysql --password="${password}" shop`, 'generic_password', password],
    ['settings.py', `os.environ.setdefault("API_TOKEN", "${secret}")`, 'generic_token', secret],
    ['Program.cs', `var conn = "Server=db;User Id=app;Password=${password};";`, 'generic_password', password],
    ['main.tf', `  password = "${password}"`, 'generic_password', password],
    ['README.md', `Set \`API_KEY=${secret}\` before running.`, 'generic_api_key', secret],
    ['.netrc', `machine api.partner.example login deploy password ${password}`, 'generic_password', password],
    ['Dockerfile', `ENV API_TOKEN ${secret}`, 'generic_token', secret],
    [
      'Mail.java',
      `DataSourceBuilder.create().password("${password}").build();`,
      'generic_password',
      password,
    ],
    ['etl.R', `db_pass <- "${password}"`, 'generic_password', password],
    ['sssd.conf', `ldap_default_authtok = ${password}`, 'generic_password', password],
    ['grafana.ini', `password = """${password}"""`, 'generic_password', password],
    ['src/redis.rs', `        .keystore_password("${password}")`, 'generic_password', password],
    [
      'scripts/routes.js',
      `const smtpPassword = process.env.SMTP_PASSWORD || "${password}";`,
      'generic_password',
      password,
    ],
    [
      'GeoApiTest.kt',
      `val partnerApiKey = System.getenv("PARTNER_API_KEY") ?: "${secret}"`,
      'generic_api_key',
      secret,
    ],
    ['settings.py', `SECRET_KEY = os.getenv("SECRET_KEY", "${secret}")`, 'generic_secret', secret],
    ['config.go', `var twilioAuthToken = []byte("${secret}")`, 'generic_token', secret],
    ['Options.cs', `var signingSecret = Encoding.UTF8.GetBytes("${secret}");`, 'generic_secret', secret],
    ['Client.jl', `const SERVICE_API_KEY = raw"${secret}"`, 'generic_api_key', secret],
    [
      'load_data.R',
      `ENCRYPTION_KEY <- paste0("${secret.slice(0, 18)}", "${secret.slice(18)}")`,
      'generic_api_key',
      secret,
    ],
    ['settings.py', `API_TOKEN = "${secret.slice(0, 20)}" "${secret.slice(20)}"`, 'generic_token', secret],
    ['Lab-Wifi.nmconnection', `psk=${password}`, 'generic_password', password],
    ['wg0.conf', `PresharedKey = ${secret}`, 'generic_api_key', secret],
    ['airflow.cfg', `fernet_key = ${secret}`, 'generic_api_key', secret],
    [
      'NuGet.Config',
      `      <add key="ClearTextPassword" value="${password}" />`,
      'generic_password',
      password,
    ],
    [
      'datasources.yaml',
      `    basicAuthPassword: glc_${secret}${secret}${secret}${secret}`,
      'generic_password',
      `glc_${secret}${secret}${secret}${secret}`,
    ],
    ['redis/redis.conf', `requirepass ${password}`, 'generic_password', password],
    [
      'docker-compose.yml',
      `    command: ["redis-server", "--requirepass", "${password}"]`,
      'generic_password',
      password,
    ],
    [
      'chart/templates/secret.yaml',
      `  password: {{ .Values.db.password | default "${password}" | quote }}`,
      'generic_password',
      password,
    ],
    [
      'chart/templates/secret.yaml',
      `  token: {{ default "${secret}" .Values.apiToken }}`,
      'generic_token',
      secret,
    ],
    [
      'group_vars/all.yml',
      `db_password: "{{ vault_db_password | default('${password}') }}"`,
      'generic_password',
      password,
    ],
    ['client.py', `requests.get(url, auth=("admin", "${password}"))`, 'generic_password', password],
  ];
  it.each(cases)('%s: %s', (file, line, type, value) => {
    const findings = scan(`${line}\n`, file);
    expect(findings.map((f) => [f.type, f.secret])).toEqual([[type, value]]);
  });

  it('reads the Heroku CLI key from a .netrc', () => {
    const key = uuidOf(gen(59));
    expect(
      scan(`machine api.heroku.com\n  login dev@example.com\n  password ${key}\n`, '.netrc').map((f) => [
        f.type,
        f.line,
      ]),
    ).toEqual([['heroku_api_key', 3]]);
  });

  it('finds the value of a name/value pair (Kubernetes env, GitHub Actions, ECS)', () => {
    const v = gen(52).mixed(ALNUM, 32);
    expect(
      scan(`    - name: SECRET_KEY\n      value: "${v}"\n`, 'k8s/deploy.yaml').map((f) => [f.type, f.line]),
    ).toEqual([['generic_secret', 2]]);
    expect(scan(`{"name": "API_TOKEN", "value": "${v}"}\n`, 'task.json').map((f) => f.type)).toEqual([
      'generic_token',
    ]);
  });

  it('judges a base64 password in a Kubernetes Secret by what it decodes to', () => {
    const weak = Buffer.from('changeme').toString('base64');
    const strong = Buffer.from(strongPassword(gen(53))).toString('base64');
    expect(scan(`data:\n  password: ${weak}\n`, 'secret.yaml')).toEqual([]);
    expect(scan(`data:\n  password: ${strong}\n`, 'secret.yaml').map((f) => f.type)).toEqual([
      'generic_password',
    ]);
  });

  it('takes an unquoted value in source code for an expression, not a secret', () => {
    expect(
      scan(
        'const { setCredentialFeature: setCredentialFeature2 } = init();\npassword = read_password2(args)\n',
        'lib/index.js',
      ),
    ).toEqual([]);
  });

  it('ignores weak, dictionary and regular-expression values', () => {
    const lines = [
      'password = "password123"',
      'password: "Summer"',
      'token = "(?<token>[^@\\\\s]{1,200})"',
      'secret = "post-RA-sched"',
    ];
    expect(scan(`${lines.join('\n')}\n`, 'config.ini')).toEqual([]);
  });

  it('reports a short generated secret (12–15 characters, every class) under a secret or token name', () => {
    const g2 = gen(52);
    for (let i = 0; i < 20; i++) {
      const short = strongPassword(g2, 12, 15);
      if (!/[a-z]/.test(short) || !/[A-Z]/.test(short) || !/\d/.test(short) || !/[^A-Za-z0-9]/.test(short))
        continue;
      expect(typesIn(`client_secret = "${short}"\n`, 'app.py'), short).toEqual(['generic_secret']);
      expect(typesIn(`  accessToken: '${short}',\n`, 'src/config.js'), short).toEqual(['generic_token']);
    }
  });

  it('reads base64 of random bytes as a secret when its slashes make it look like a path', () => {
    const values = [
      ['b/TRG0jRJRv/2G/', 'KG7z76noXXsPxOjBl'],
      ['/zrYAmgX7YEp42h', 'Ib1688dx2zhs6N9wJ'],
    ].map((parts) => parts.join(''));
    for (const value of values)
      expect(typesIn(`client_secret: "${value}"\n`, 'config/app.yaml'), value).toEqual(['generic_secret']);
    const paths = ['/run/secrets/db_password', 'vault/kv/prod/payments-api', 'secrets/TLS_KEY/current'];
    for (const path of paths)
      expect(typesIn(`client_secret: "${path}"\n`, 'config/app.yaml'), path).toEqual([]);
  });

  it('does not take short words joined by separators for a secret (shortcuts, versions)', () => {
    const lines = [
      'shortcut_token = "Ctrl-Shift-F12"',
      'api_key = "My.App-V2.Key1"',
      'secret = "Alt+Shift+F10"',
    ];
    expect(scan(`${lines.join('\n')}\n`, 'keys.py')).toEqual([]);
  });

  it('leaves the ciphertext of a Bitnami SealedSecret alone, and still reads the same shape elsewhere', () => {
    const g = gen(12);
    const sealed = () => `Ag${g.mixed(`${ALNUM}+/`, 700)}==`;
    const manifest = [
      'apiVersion: bitnami.com/v1alpha1',
      'kind: SealedSecret',
      'metadata:',
      '  name: app',
      'spec:',
      '  encryptedData:',
      `    API_TOKEN: ${sealed()}`,
      `    DB_PASSWORD: ${sealed()}`,
    ];
    expect(scan(`${manifest.join('\n')}\n`, 'deploy/k8s/sealed-secret.yaml')).toEqual([]);
    expect(typesIn(`API_TOKEN: ${sealed()}\n`, 'deploy/config.yaml')).toEqual(['generic_token']);
  });
});

describe('VB.NET, Clojure, joined-literal and template forms stay quiet on code and plain values', () => {
  it.each([
    ['Billing.vb', '    Dim keystorePassword As String = GetKeystorePassword()'],
    ['Billing.vb', '    Dim passwordMinLength As Integer = 12'],
    ['src/catalog.clj', '  {:password-min-length 12 :token-ttl "30m"}'],
    ['src/catalog.clj', '(def password-reset-url "https://accounts.example.com/reset")'],
    ['src/catalog.clj', '(println :token "expired")'],
    ['src/client.js', 'const password = "prefix-" + userInput;'],
    ['src/client.js', 'const password = process.env.DB_PASSWORD || "";'],
    ['settings.py', 'SECRET_KEY = os.getenv("SECRET_KEY", "changeme")'],
    ['scripts/Set-Config.ps1', '$LdapBindPassword = Get-Secret -Name ldap-bind-password -AsPlainText'],
    ['test_loading.py', '            should_pass("WinDLL(\'./_sqlite3.dll\')")'],
    [
      'tests/test_redact.py',
      '    assert not looks_like_token("acc3160d3599a5b20b7f8153a8d2fab50dbd6fb9ef0b5ff0e1")',
    ],
    ['src/client.js', 'const tokenUrl = "https://auth.example.com" + "/oauth/token";'],
    ['chart/templates/secret.yaml', '  password: {{ .Values.db.password | default "changeme" | quote }}'],
    ['chart/templates/secret.yaml', '  token: {{ required "apiToken is required" .Values.apiToken }}'],
    ['group_vars/all.yml', "api_token: \"{{ lookup('env', 'API_TOKEN') | default('') }}\""],
  ])('%s: %s', (file, line) => {
    expect(scan(`${line}\n`, file)).toEqual([]);
  });
});

describe('suppression', () => {
  it('skips a line marked leakstop:allow and keeps the others', () => {
    const g = gen(54);
    const a = g.githubToken('ghp_');
    const b = g.githubToken('ghp_');
    const text = `TOKEN_A=${a} # leakstop:allow test fixture\nTOKEN_B=${b}\n`;
    expect(scan(text).map((f) => f.secret)).toEqual([b]);
  });

  it('drops findings whose fingerprint is in the baseline, and only those', () => {
    const g = gen(55);
    const a = g.githubToken('ghp_');
    const b = g.githubToken('ghp_');
    const text = `A=${a}\nB=${b}\n`;
    const [first] = scan(text);
    const baselined = createScanner({ fingerprintKey: KEY, baseline: new Set([first?.fingerprint ?? '']) });
    expect(baselined.scanText(text, 'x.env').map((f) => f.secret)).toEqual([b]);
  });

  it('reports a private key in a test folder only when low confidence is asked for', () => {
    const pem = gen(56).pem('RSA');
    expect(scan(`${pem}\n`, 'test/fixtures/key.pem')).toEqual([]);
    const all = lowScanner.scanText(`${pem}\n`, 'test/fixtures/key.pem');
    expect(all.map((f) => [f.type, f.confidence])).toEqual([['rsa_private_key', 'low']]);
    // A token in a test file is as live as anywhere else.
    const token = gen(57).githubToken('ghp_');
    expect(scan(`TOKEN=${token}\n`, 'tests/test_client.py').map((f) => f.type)).toEqual([
      'github_pat_classic',
    ]);
  });
});

describe('classifying a raw value (GitHub secret-scanning alerts)', () => {
  it('gives a raw token the same type and fingerprint a file scan gives it', () => {
    const token = gen(58).githubToken('ghp_');
    const [fromFile] = scan(`TOKEN=${token}\n`);
    const classified = classifySecret(token, { fingerprintKey: KEY });
    expect(classified).toMatchObject({
      type: fromFile?.type,
      fingerprint: fromFile?.fingerprint,
      revocable: true,
    });
  });

  it('keeps an AWS key pair whole, whatever characters its random secret happens to lack', () => {
    const accessKeyId = gen(59).awsKeyId('AKIA');
    // No digit (about 1 real secret key in 900), and letters only (about 1 in 4,000).
    for (const secretAccessKey of [
      'hQzvTgRkLmNp/bYcXdAeFsGuHiJoKqPrStUvWxYz',
      'hQzvTgRkLmNpWbYcXdAeFsGuHiJoKqPrStUvWxYz',
      'hQzvTgRkLmNp3bYcXdAeFsGuHiJoKqPrStUvWxYz',
    ]) {
      const classified = classifySecret(JSON.stringify({ accessKeyId, secretAccessKey }), {
        fingerprintKey: KEY,
      });
      expect(classified?.type).toBe('aws_access_key');
      expect(JSON.parse(classified!.secret)).toEqual({ accessKeyId, secretAccessKey });
      const [inFile] = scan(
        `aws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`,
      );
      expect(JSON.parse(inFile!.secret)).toEqual({ accessKeyId, secretAccessKey });
    }
    // Words glued together under the same name are not a secret key.
    expect(scan('aws_secret_access_key = TheAwsSecretAccessKeyValueGoesRightHereX\n')).toEqual([]);
  });

  it("falls back to GitHub's secret type, never revocable, for a shape it does not know", () => {
    const classified = classifySecret('opaque-value-1234', {
      fingerprintKey: KEY,
      hintType: 'stripe_api_key',
    });
    expect(classified).toMatchObject({
      type: 'stripe_secret_key',
      provider: 'stripe',
      revocable: false,
      confidence: 'medium',
    });
  });
});

describe("database clients' positional password argument", () => {
  const password = strongPassword(gen(52)).replace(/["'\\]/g, '');
  it.each([
    [
      'src/Storage.php',
      `return new \\PDO('pgsql:host=db.internal;dbname=storage', 'storage_app', '${password}');`,
    ],
    ['src/legacy.php', `$db = mysqli_connect("db.internal", "shop", "${password}", "shop");`],
    [
      'Billing.java',
      `Connection c = DriverManager.getConnection("jdbc:postgresql://db/billing", "billing", "${password}");`,
    ],
  ])('%s: the third literal is the password', (file, line) => {
    expect(scan(`${line}\n`, file).map((f) => [f.type, f.secret])).toEqual([['generic_password', password]]);
  });

  it('stays quiet on variables and weak values in those calls', () => {
    const lines = ["$db = new PDO($dsn, 'app', 'changeme');", '$db = new PDO($dsn, $user, $password);'];
    expect(scan(`${lines.join('\n')}\n`, 'src/db.php')).toEqual([]);
  });
});

describe('basic-auth credentials decoded from base64 where they are used', () => {
  const password = strongPassword(gen(53)).replace(/:/g, '');
  const encoded = Buffer.from(`api-user:${password}`).toString('base64');
  it.each([
    ['App/RegistryAPI.swift', `private let header = Data(base64Encoded: "${encoded}")!`],
    ['ledger.py', `creds = base64.b64decode("${encoded}").decode()`],
    ['RegistryClient.java', `private static final byte[] HEADER = Base64.getDecoder().decode("${encoded}");`],
  ])('%s: the decoded user:password is the credential', (file, line) => {
    expect(scan(`${line}\n`, file).map((f) => f.secret)).toEqual([`api-user:${password}`]);
  });

  it('stays quiet on base64 that decodes to anything else', () => {
    const other = Buffer.from('{"kid":"2024-06","alg":"RS256"}').toString('base64');
    expect(scan(`payload = base64.b64decode("${other}")\n`, 'jwt.py')).toEqual([]);
  });
});
