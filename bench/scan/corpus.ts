/**
 * The benchmark's labeled corpus: realistic files of many types (env, YAML, JSON, Python,
 * JS/TS, Go, Java, C#, Ruby, PHP, Terraform, XML, INI, shell, Markdown, Dockerfile, lockfiles,
 * minified bundles…) with planted credentials of every kind leakstop knows and hard negatives
 * (placeholders, templates, documented examples, wrong checksums, hashes, UUIDs, commit SHAs,
 * lockfile integrity, public keys, certificates, base64 media, minified code, redacted values).
 * Built deterministically from a seed; labels name file, line and kind.
 */
import {
  Gen,
  createRng,
  ALNUM,
  B64,
  B64URL,
  DIGITS,
  HEX,
  LETTERS,
  IN_CONTEXT,
  STANDALONE,
  realPrivateKeys,
  strongPassword,
  uuidOf,
} from './tokens.ts';

export interface Label {
  readonly file: string;
  readonly line: number;
  readonly type: string;
}

export interface CorpusFile {
  readonly path: string;
  readonly content: string;
}

type Lang =
  | 'env'
  | 'yaml'
  | 'json'
  | 'py'
  | 'js'
  | 'ts'
  | 'go'
  | 'java'
  | 'cs'
  | 'rb'
  | 'php'
  | 'tf'
  | 'xml'
  | 'ini'
  | 'properties'
  | 'sh'
  | 'md'
  | 'dockerfile'
  | 'toml';

const LANG_FILES: Record<Lang, string[]> = {
  env: ['.env', '.env.production', '.env.local', 'config/app.env'],
  yaml: [
    'config.yaml',
    'docker-compose.yml',
    'values.yaml',
    '.github/workflows/deploy.yml',
    'k8s/secret.yaml',
  ],
  json: ['config.json', 'settings.json', 'appsettings.json', 'credentials.json'],
  py: ['settings.py', 'app/config.py', 'scripts/deploy.py', 'tests/test_client.py'],
  js: ['src/config.js', 'server.js', 'lib/client.js', 'scripts/seed.mjs'],
  ts: ['src/config.ts', 'src/services/api.ts', 'src/index.ts'],
  go: ['main.go', 'internal/config/config.go', 'cmd/server/main.go'],
  java: ['src/main/java/com/acme/Config.java', 'src/main/java/com/acme/Client.java'],
  cs: ['Program.cs', 'Services/ApiClient.cs'],
  rb: ['config/initializers/services.rb', 'lib/client.rb'],
  php: ['config/services.php', 'src/Client.php'],
  tf: ['main.tf', 'variables.tf', 'providers.tf'],
  xml: ['pom.xml', 'web.config', 'settings.xml'],
  ini: ['config.ini', 'setup.cfg', '.pypirc'],
  properties: ['application.properties', 'gradle.properties'],
  sh: ['deploy.sh', 'scripts/bootstrap.sh'],
  md: ['README.md', 'docs/setup.md', 'CONTRIBUTING.md'],
  dockerfile: ['Dockerfile', 'docker/Dockerfile.prod'],
  toml: ['config.toml', 'pyproject.toml'],
};
const LANGS = Object.keys(LANG_FILES) as Lang[];

const WORDS = (
  'user account order invoice payment customer product report event queue worker cache session ' +
  'request response handler service client server config logger metrics router schema record item ' +
  'batch stream buffer file image message channel team project build deploy release region bucket'
).split(' ');

/** Render `key = value` in the file's own syntax. */
function assign(g: Gen, lang: Lang, key: string, value: string): string {
  const lower = key.toLowerCase();
  const camel = lower.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  switch (lang) {
    case 'env':
      return g.pick([`${key}=${value}`, `${key}="${value}"`, `export ${key}=${value}`]);
    case 'sh':
      return g.pick([`export ${key}="${value}"`, `${key}='${value}'`]);
    case 'dockerfile':
      return g.pick([`ENV ${key}=${value}`, `ENV ${key} ${value}`, `ARG ${key}=${value}`]);
    case 'yaml':
      return g.pick([
        `  ${lower}: ${value}`,
        `  ${lower}: "${value}"`,
        `    - name: ${key}\n      value: "${value}"`,
      ]);
    case 'json':
      return g.pick([`  "${camel}": "${value}",`, `    "${lower}": "${value}",`]);
    case 'py':
      return g.pick([`${key} = "${value}"`, `    ${lower} = '${value}'`, `    "${lower}": "${value}",`]);
    case 'js':
      return g.pick([
        `const ${camel} = '${value}';`,
        `  ${camel}: "${value}",`,
        `process.env.${key} = "${value}";`,
      ]);
    case 'ts':
      return g.pick([`export const ${key}: string = '${value}';`, `  ${camel}: '${value}',`]);
    case 'go':
      return g.pick([
        `\t${camel} := "${value}"`,
        `const ${camel} = "${value}"`,
        `\t${camel[0]?.toUpperCase()}${camel.slice(1)}: "${value}",`,
      ]);
    case 'java':
      return `    private static final String ${key} = "${value}";`;
    case 'cs':
      return g.pick([
        `        private const string ${camel} = "${value}";`,
        `        var ${camel} = "${value}";`,
      ]);
    case 'rb':
      return g.pick([`${key} = '${value}'`, `  config.${lower} = "${value}"`]);
    case 'php':
      return g.pick([`    '${lower}' => '${value}',`, `$${camel} = "${value}";`]);
    case 'tf':
      return `  ${lower} = "${value}"`;
    case 'xml':
      return `    <${camel}>${value}</${camel}>`;
    case 'ini':
    case 'properties':
      return g.pick([`${lower}=${value}`, `${lower} = ${value}`]);
    case 'toml':
      return `${lower} = "${value}"`;
    case 'md':
      return g.pick([`export ${key}=${value}`, `${key}=${value}`]);
  }
}

interface Plant {
  /** Lines to insert; `labels` are offsets into them with the expected type. */
  readonly lines: string[];
  readonly labels: Array<{ offset: number; type: string }>;
}

const one = (line: string, type: string): Plant => ({
  lines: line.split('\n'),
  labels: [{ offset: line.split('\n').length - 1, type }],
});
const none = (line: string): Plant => ({ lines: line.split('\n'), labels: [] });

/** A plausible variable name for a credential of this kind. */
function keyNameFor(g: Gen, type: string): string {
  const provider = type.split('_')[0]?.toUpperCase() ?? 'APP';
  if (type.endsWith('_uri') || type === 'url_with_password')
    return g.pick(['DATABASE_URL', `${provider}_URL`, 'CONNECTION_STRING']);
  if (type.includes('webhook')) return g.pick([`${provider}_WEBHOOK_URL`, 'WEBHOOK', 'NOTIFY_URL']);
  return g.pick([
    `${provider}_TOKEN`,
    `${provider}_API_KEY`,
    `${provider}_KEY`,
    `${provider}_SECRET`,
    'CREDENTIAL',
    'AUTH',
  ]);
}

/** Kinds recognised by their key name: written in each file's own assignment syntax. */
const KEYED: Record<string, [string, (g: Gen) => string]> = {
  aws_secret_access_key: ['AWS_SECRET_ACCESS_KEY', (g) => g.awsSecret()],
  datadog_api_key: ['DD_API_KEY', (g) => g.mixed(HEX, 32)],
  datadog_app_key: ['DATADOG_APP_KEY', (g) => g.mixed(HEX, 40)],
  twilio_auth_token: ['TWILIO_AUTH_TOKEN', (g) => g.mixed(HEX, 32)],
  heroku_api_key: ['HEROKU_API_KEY', (g) => uuidOf(g)],
};

/** Every positive kind, each a generator of one planted credential. */
function positives(g: Gen, lang: Lang): Array<() => Plant> {
  const a = (key: string, value: string, type: string): Plant => one(assign(g, lang, key, value), type);
  // Every documented kind at least once: standalone shapes under a plausible name, the rest in their own context.
  const everyKind: Array<() => Plant> = [
    ...Object.entries(STANDALONE).map(
      ([type, make]) =>
        () =>
          a(keyNameFor(g, type), make(g), type),
    ),
    ...Object.entries(KEYED).map(
      ([type, [key, make]]) =>
        () =>
          a(key, make(g), type),
    ),
    ...Object.entries(IN_CONTEXT)
      .filter(
        ([type]) =>
          !(type in KEYED) &&
          !type.startsWith('generic_') &&
          type !== 'npm_legacy_token' &&
          // Kinds a file's own name gives: planted as whole files below.
          type !== 'postgres_password' &&
          type !== 'rails_master_key' &&
          type !== 'rails_encryption_key' &&
          type !== 'terraform_generated_password',
      )
      .map(([type, make]) => () => {
        const sample = make(g);
        return { lines: sample.lines, labels: [{ offset: sample.line, type }] };
      }),
  ];
  return [
    ...everyKind,
    () => a(g.pick(['GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_PAT']), g.githubToken('ghp_'), 'github_pat_classic'),
    () => a('GITHUB_OAUTH_TOKEN', g.githubToken('gho_'), 'github_oauth_token'),
    () => a('GITHUB_APP_USER_TOKEN', g.githubToken('ghu_'), 'github_user_to_server_token'),
    () => a('INSTALLATION_TOKEN', g.githubToken('ghs_'), 'github_installation_token'),
    () => a('GITHUB_REFRESH_TOKEN', g.githubToken('ghr_'), 'github_refresh_token'),
    () =>
      a('GITHUB_TOKEN', `github_pat_${g.mixed(ALNUM, 22)}_${g.mixed(ALNUM, 59)}`, 'github_fine_grained_pat'),
    () => a('NPM_TOKEN', g.githubToken('npm_'), 'npm_access_token'),
    () => one(`//registry.npmjs.org/:_authToken=${g.githubToken('npm_')}`, 'npm_access_token'),
    () => {
      const first = assign(g, lang, 'AWS_ACCESS_KEY_ID', g.awsKeyId()).split('\n');
      const second = assign(g, lang, 'AWS_SECRET_ACCESS_KEY', g.awsSecret()).split('\n');
      // The pair is one credential, reported at the key id and, as its secret part, at the secret.
      return {
        lines: [...first, ...second],
        labels: [
          { offset: first.length - 1, type: 'aws_access_key' },
          { offset: first.length + second.length - 1, type: 'aws_access_key' },
        ],
      };
    },
    () =>
      one(
        `${g.pick(WORDS)},${g.awsKeyId()},${g.awsSecret()},https://console.aws.amazon.com/`,
        'aws_access_key',
      ),
    () => a('AWS_ACCESS_KEY_ID', g.awsKeyId(), 'aws_access_key'),
    () => {
      const lines = [
        '[default]',
        `aws_access_key_id = ${g.awsKeyId('ASIA')}`,
        `aws_secret_access_key = ${g.awsSecret()}`,
        `aws_session_token = ${g.awsSessionToken()}`,
      ];
      return {
        lines,
        labels: [
          { offset: 1, type: 'aws_temporary_access_key' },
          { offset: 2, type: 'aws_temporary_access_key' },
          { offset: 3, type: 'aws_session_token' },
        ],
      };
    },
    () =>
      a(
        'SLACK_BOT_TOKEN',
        `xoxb-${g.str(DIGITS, 12)}-${g.str(DIGITS, 13)}-${g.mixed(ALNUM, 24)}`,
        'slack_bot_token',
      ),
    () =>
      a(
        'SLACK_USER_TOKEN',
        `xoxp-${g.str(DIGITS, 12)}-${g.str(DIGITS, 12)}-${g.str(DIGITS, 13)}-${g.mixed(HEX, 32)}`,
        'slack_user_token',
      ),
    () =>
      a(
        'SLACK_APP_TOKEN',
        `xapp-1-A${g.str('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10)}-${g.str(DIGITS, 13)}-${g.mixed(HEX, 64)}`,
        'slack_app_token',
      ),
    () => a('SLACK_CONFIG_TOKEN', `xoxe.xoxp-1-${g.mixed(ALNUM, 150)}`, 'slack_config_token'),
    () => a('SLACK_REFRESH_TOKEN', `xoxe-1-${g.mixed(ALNUM, 140)}`, 'slack_config_refresh_token'),
    () =>
      a(
        'SLACK_WEBHOOK_URL',
        `https://hooks.slack.com/services/T${g.str('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10)}/B${g.str('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10)}/${g.mixed(ALNUM, 24)}`,
        'slack_webhook_url',
      ),
    () => a('STRIPE_SECRET_KEY', `sk_live_${g.mixed(ALNUM, 99)}`, 'stripe_secret_key'),
    () => a('STRIPE_KEY', `rk_live_${g.mixed(ALNUM, 99)}`, 'stripe_restricted_key'),
    () => a('STRIPE_WEBHOOK_SECRET', `whsec_${g.mixed(ALNUM, 32)}`, 'stripe_webhook_secret'),
    () => a('GOOGLE_API_KEY', `AIza${g.mixed(B64URL, 35)}`, 'google_api_key'),
    () => a('GOOGLE_CLIENT_SECRET', `GOCSPX-${g.mixed(B64URL, 28)}`, 'google_oauth_client_secret'),
    () =>
      a('OPENAI_API_KEY', `sk-proj-${g.mixed(B64URL, 74)}T3BlbkFJ${g.mixed(B64URL, 74)}`, 'openai_api_key'),
    () => a('OPENAI_API_KEY', `sk-${g.mixed(ALNUM, 20)}T3BlbkFJ${g.mixed(ALNUM, 20)}`, 'openai_api_key'),
    () => a('ANTHROPIC_API_KEY', `sk-ant-api03-${g.mixed(B64URL, 93)}AA`, 'anthropic_api_key'),
    () => a('ANTHROPIC_ADMIN_KEY', `sk-ant-admin01-${g.mixed(B64URL, 93)}AA`, 'anthropic_admin_key'),
    () => a('SENDGRID_API_KEY', `SG.${g.mixed(B64URL, 22)}.${g.mixed(B64URL, 43)}`, 'sendgrid_api_key'),
    () => a('TWILIO_API_KEY', `SK${g.mixed(HEX, 32)}`, 'twilio_api_key'),
    () => a('TWILIO_AUTH_TOKEN', g.mixed(HEX, 32), 'twilio_auth_token'),
    () => a('GITLAB_TOKEN', `glpat-${g.mixed(B64URL, 20)}`, 'gitlab_personal_access_token'),
    () => a('GITLAB_TRIGGER_TOKEN', `glptt-${g.mixed(HEX, 40)}`, 'gitlab_pipeline_trigger_token'),
    () => a('RUNNER_TOKEN', `glrt-${g.mixed(B64URL, 20)}`, 'gitlab_runner_token'),
    () => a('HF_TOKEN', `hf_${g.mixed(LETTERS, 34)}`, 'huggingface_token'),
    () => one(`password = pypi-AgEIcHlwaS5vcmc${g.mixed(B64URL, 70)}`, 'pypi_api_token'),
    () => a('DOCKERHUB_TOKEN', `dckr_pat_${g.mixed(B64URL, 27)}`, 'dockerhub_access_token'),
    () => a('SHOPIFY_ACCESS_TOKEN', `shpat_${g.mixed(HEX, 32)}`, 'shopify_access_token'),
    () => a('SHOPIFY_SECRET', `shpss_${g.mixed(HEX, 32)}`, 'shopify_shared_secret'),
    () => a('VAULT_TOKEN', `hvs.${g.mixed(B64URL, 90)}`, 'vault_service_token'),
    () => a('DOPPLER_TOKEN', `dp.st.prd.${g.mixed(ALNUM, 43)}`, 'doppler_token'),
    () => a('DOPPLER_TOKEN', `dp.pt.${g.mixed(ALNUM, 43)}`, 'doppler_token'),
    () => a('LINEAR_API_KEY', `lin_api_${g.mixed(ALNUM, 40)}`, 'linear_api_key'),
    () => a('DISCORD_BOT_TOKEN', g.discordToken(), 'discord_bot_token'),
    () =>
      a(
        'TELEGRAM_BOT_TOKEN',
        `${g.int(100000000, 7999999999)}:AA${g.mixed(B64URL, 33)}`,
        'telegram_bot_token',
      ),
    () =>
      a(
        'AZURE_STORAGE_CONNECTION_STRING',
        `DefaultEndpointsProtocol=https;AccountName=${g.pick(WORDS)}store${g.int(1, 99)};AccountKey=${g.mixed(B64, 86)}==;EndpointSuffix=core.windows.net`,
        'azure_storage_account_key',
      ),
    () => a('MAILGUN_API_KEY', `key-${g.mixed(HEX, 32)}`, 'mailgun_api_key'),
    () => a('DD_API_KEY', g.mixed(HEX, 32), 'datadog_api_key'),
    () => a('DATADOG_APP_KEY', g.mixed(HEX, 40), 'datadog_app_key'),
    () => a('POSTMAN_API_KEY', `PMAK-${g.mixed(HEX, 24)}-${g.mixed(HEX, 34)}`, 'postman_api_key'),
    () => a('DIGITALOCEAN_TOKEN', `dop_v1_${g.mixed(HEX, 64)}`, 'digitalocean_token'),
    () =>
      a(
        'NEW_RELIC_API_KEY',
        `NRAK-${g.mixed('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 27)}`,
        'new_relic_user_api_key',
      ),
    () =>
      a('GRAFANA_TOKEN', `glsa_${g.mixed(ALNUM, 32)}_${g.mixed(HEX, 8)}`, 'grafana_service_account_token'),
    () => a('DATABRICKS_TOKEN', `dapi${g.mixed(HEX, 32)}`, 'databricks_token'),
    () => a('SUPABASE_ACCESS_TOKEN', `sbp_${g.mixed(HEX, 40)}`, 'supabase_access_token'),
    () => {
      const kind = g.pick(['RSA', 'EC', 'DSA', 'PKCS8', 'ENCRYPTED', 'OPENSSH', 'OPENSSH_ENC'] as const);
      const type = {
        RSA: 'rsa',
        EC: 'ec',
        DSA: 'dsa',
        PKCS8: 'pkcs8',
        ENCRYPTED: 'pkcs8',
        OPENSSH: 'openssh',
        OPENSSH_ENC: 'openssh',
      }[kind];
      return { lines: g.pem(kind).split('\n'), labels: [{ offset: 0, type: `${type}_private_key` }] };
    },
    () => {
      const key = g.pick(realPrivateKeys());
      const type = key.includes('RSA')
        ? 'rsa_private_key'
        : key.includes('EC ')
          ? 'ec_private_key'
          : 'pkcs8_private_key';
      return { lines: key.split('\n'), labels: [{ offset: 0, type }] };
    },
    () => {
      const project = `${g.pick(WORDS)}-${g.int(100000, 999999)}`;
      const pk = g.pem('PKCS8').replace(/\n/g, '\\n');
      const lines = [
        '{',
        '  "type": "service_account",',
        `  "project_id": "${project}",`,
        `  "private_key_id": "${g.str(HEX, 40)}",`,
        `  "private_key": "${pk}\\n",`,
        `  "client_email": "deployer@${project}.iam.gserviceaccount.com",`,
        `  "client_id": "${g.str(DIGITS, 21)}",`,
        '  "auth_uri": "https://accounts.google.com/o/oauth2/auth",',
        '  "token_uri": "https://oauth2.googleapis.com/token"',
        '}',
      ];
      return { lines, labels: [{ offset: 4, type: 'gcp_service_account_key' }] };
    },
    () =>
      a(
        'DATABASE_URL',
        `postgres://${g.pick(WORDS)}_app:${strongPassword(g)}@db-${g.int(1, 9)}.internal.example.net:5432/${g.pick(WORDS)}`,
        'postgres_uri',
      ),
    () => a('MYSQL_URL', `mysql://admin:${strongPassword(g)}@mysql.prod.internal:3306/shop`, 'mysql_uri'),
    () =>
      a(
        'MONGO_URI',
        `mongodb+srv://svc:${strongPassword(g).replace(/[^A-Za-z0-9]/g, 'x')}@cluster0.${g.str('abcdefghijklmnopqrstuvwxyz0123456789', 5)}.mongodb.net/app?retryWrites=true`,
        'mongodb_uri',
      ),
    () =>
      a(
        'MONGO_URL',
        `mongodb://root:${strongPassword(g).replace(/[^A-Za-z0-9]/g, 'q')}@10.0.${g.int(0, 255)}.${g.int(1, 254)}:27017/admin`,
        'mongodb_uri',
      ),
    () => a('REDIS_URL', `redis://:${g.mixed(ALNUM, 24)}@cache.internal:6379/0`, 'redis_uri'),
    () => a('AMQP_URL', `amqps://worker:${g.mixed(ALNUM, 20)}@rabbit.internal:5671/vhost`, 'amqp_uri'),
    () =>
      a(
        g.pick(['DB_PASSWORD', 'MYSQL_ROOT_PASSWORD', 'ADMIN_PASSWORD', 'SMTP_PASSWORD', 'password']),
        strongPassword(g),
        'generic_password',
      ),
    () =>
      a(
        g.pick(['CLIENT_SECRET', 'APP_SECRET', 'JWT_SECRET', 'SESSION_SECRET', 'SECRET_KEY']),
        g.mixed(B64URL, g.int(32, 64)),
        'generic_secret',
      ),
    () =>
      a(
        g.pick(['API_TOKEN', 'ACCESS_TOKEN', 'AUTH_TOKEN', 'SERVICE_TOKEN']),
        g.mixed(ALNUM, g.int(24, 48)),
        'generic_token',
      ),
    () =>
      a(
        g.pick(['API_KEY', 'PARTNER_API_KEY', 'MAPS_APIKEY', 'X_API_KEY']),
        g.mixed(ALNUM, g.int(24, 40)),
        'generic_api_key',
      ),
    () => a('SECRET_KEY_BASE', g.mixed(HEX, 128), 'generic_secret'),
    () =>
      one(
        `curl -H "Authorization: Bearer ${g.mixed(B64URL, 40)}" https://api.partner.example/v1/orders`,
        'authorization_header',
      ),
  ];
}

/** Look-alikes that must stay silent. */
function negatives(g: Gen, lang: Lang): Array<() => Plant> {
  const a = (key: string, value: string): Plant => none(assign(g, lang, key, value));
  const good = g.githubToken('ghp_');
  return [
    () => a('GITHUB_TOKEN', g.badChecksumToken('ghp_')),
    () => a('NPM_TOKEN', g.badChecksumToken('npm_')),
    () => a('GITHUB_TOKEN', good.slice(0, -1)),
    () => a('GITHUB_TOKEN', 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'),
    () => a('GITHUB_TOKEN', `ghp_${'*'.repeat(36)}`),
    () => a('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE'),
    () => a('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'),
    () => a('AWS_ACCESS_KEY_ID', 'AKIAXXXXXXXXXXXXXXXX'),
    () => a('AWS_SECRET_ACCESS_KEY', '${AWS_SECRET_ACCESS_KEY}'),
    () => a('API_KEY', 'your-api-key-here'),
    () => a('API_KEY', '<YOUR_API_KEY>'),
    () => a('STRIPE_SECRET_KEY', 'sk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxx'),
    () => a('STRIPE_SECRET_KEY', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'),
    () => a('STRIPE_PUBLISHABLE_KEY', `pk_live_${g.mixed(ALNUM, 99)}`),
    () => a('SLACK_BOT_TOKEN', 'xoxb-your-bot-token'),
    () => a('SLACK_BOT_TOKEN', 'xoxb-123456789012-1234567890123-XXXXXXXXXXXXXXXXXXXXXXXX'),
    () => a('PASSWORD', 'changeme'),
    () => a('DB_PASSWORD', '********'),
    () => a('DB_PASSWORD', 'password123'),
    () => a('TOKEN', '[REDACTED]'),
    () => a('SECRET_KEY', 'REPLACE_ME_WITH_A_REAL_SECRET'),
    () => none(`      token: \${{ secrets.DEPLOY_TOKEN }}`),
    // Command lines that prompt for the password or take it from the environment.
    () => none('mysql -u root -p shop < dump.sql'),
    () => none('mysqldump -u backup -p"$MYSQL_PASSWORD" --all-databases > all.sql'),
    () => none('sshpass -p "$DEPLOY_PASSWORD" ssh deploy@bastion uptime'),
    () => none('sshpass -e ssh deploy@bastion uptime'),
    () => none('curl -u "$JENKINS_USER:$JENKINS_TOKEN" https://ci.internal/api/json'),
    () => none('curl -u admin https://ci.internal/api/json'),
    () => none('echo "$REGISTRY_PASSWORD" | docker login -u ci --password-stdin registry.internal'),
    () => none('docker login -u ci -p ${{ secrets.REGISTRY_PASSWORD }} registry.internal'),
    () => none('redis-cli -a "$(cat /run/secrets/redis)" ping'),
    () => none("sshpass -p '<password>' ssh deploy@bastion uptime"),
    () => none(`const apiKey = process.env.API_KEY;`),
    () => none(`password = os.environ["DB_PASSWORD"]`),
    () => none(`api_key = os.environ.get("OPENAI_API_KEY")`),
    () => none(`    password: \${DB_PASSWORD}`),
    () => none(`DATABASE_URL=postgres://postgres:postgres@localhost:5432/dev`),
    () => none(`AMQP_URL=amqp://guest:guest@localhost:5672/`),
    () => none(`MONGO_URI=mongodb+srv://<username>:<password>@cluster0.mongodb.net/test`),
    () => none(`REDIS_URL=redis://:\${REDIS_PASSWORD}@redis:6379`),
    () => none(`commit = "${g.str(HEX, 40)}"`),
    () => none(`  "sha": "${g.str(HEX, 40)}",`),
    () => none(`checksum: sha256:${g.str(HEX, 64)}`),
    () => none(`  "integrity": "sha512-${g.str(B64, 86)}==",`),
    () => none(`request_id = "${uuidOf(g)}"`),
    () => none(`  "id": "${uuidOf(g)}",`),
    () => none(`token_id: ${uuidOf(g)}`),
    () => none(`password_hash = "$2b$12$${g.str(`${ALNUM}./`, 53)}"`),
    () => none(`etag: "${g.str(HEX, 32)}"`),
    () => none(`md5sum ${g.str(HEX, 32)}  dist/app.tar.gz`),
    () => none(`ssh-rsa AAAAB3NzaC1yc2E${g.str(B64, 360)} deploy@ci`),
    () => {
      const body = g.str(B64, 400).match(/.{1,64}/g) ?? [];
      return { lines: ['-----BEGIN PUBLIC KEY-----', ...body, '-----END PUBLIC KEY-----'], labels: [] };
    },
    () => {
      const body = g.str(B64, 1100).match(/.{1,64}/g) ?? [];
      return { lines: ['-----BEGIN CERTIFICATE-----', ...body, '-----END CERTIFICATE-----'], labels: [] };
    },
    () => none(`const PEM_HEADER = "-----BEGIN RSA PRIVATE KEY-----";`),
    () => none(`-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----`),
    () => none(`<img src="data:image/png;base64,${g.str(B64, 3000)}=" alt="logo">`),
    () => none(`nonce = "${g.mixed(B64URL, 32)}"`),
    () => none(`salt: "${g.mixed(B64, 24)}"`),
    () => none(`if (!password) throw new Error('password is required');`),
    () => none(`const tokenizer = new Tokenizer(source, { maxTokens: 4096 });`),
    () => none(`def check_password(self, raw_password):`),
    () => none(`token = jwt.encode(payload, settings.SECRET_KEY, algorithm="HS256")`),
    () => none(`password = getpass.getpass("Password: ")`),
    () => none(`export const PASSWORD_MIN_LENGTH = 12;`),
    () => none(`  "passwordResetTokenExpiry": "24h",`),
    () =>
      none(
        `AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==`,
      ),
    () => none(`sk-ant-api03-${g.str(B64URL, 20)}`),
    () => none(`ghp_${g.mixed(ALNUM, 35)}`),
    () => none(`AKIA${g.str('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 15)}`),
    () => none(`hf_${g.str(LETTERS, 20)}`),
    () => none(`  secretName: ${g.pick(WORDS)}-credentials`),
    () => none(`  tokenUrl: https://auth.example.com/oauth/token`),
    () => none(`  "node_modules/js-tokens": {`),
    () =>
      none(
        `js-tokens@^4.0.0:\n  version "4.0.0"\n  resolved "https://registry.yarnpkg.com/js-tokens/-/js-tokens-4.0.0.tgz#${g.str(HEX, 40)}"\n  integrity sha512-${g.str(B64, 86)}==`,
      ),
    () =>
      none(
        `!function(e,t){var n={token:e.token,apiKey:t.apiKey||"",password:e.password};${'var a=' + g.str(LETTERS, 900) + ';'}return n}(window,config);`,
      ),
    () => none(`The API key looks like \`sk_live_...\`; set it with \`export STRIPE_SECRET_KEY=<key>\`.`),
    // More look-alikes: public identifiers, redactions, templates in other syntaxes, hashes in context.
    () => a('STRIPE_PUBLISHABLE_KEY', `pk_test_${g.mixed(ALNUM, 24)}`),
    () => a('GA_TRACKING_ID', `UA-${g.str(DIGITS, 8)}-${g.int(1, 9)}`),
    () => a('AWS_ACCOUNT_ID', g.str(DIGITS, 12)),
    () => a('ROLE_ARN', `arn:aws:iam::${g.str(DIGITS, 12)}:role/${g.pick(WORDS)}-deployer`),
    () => a('GITHUB_TOKEN', `ghp_${'*'.repeat(32)}${g.str(ALNUM, 4)}`),
    () => a('OPENAI_API_KEY', `sk-...${g.str(ALNUM, 4)}`),
    () => a('AWS_ACCESS_KEY_ID', `AKIA${'*'.repeat(16)}`),
    () => a('API_KEY', '<%= ENV["API_KEY"] %>'),
    () => a('PASSWORD', '{{ vault_db_password }}'),
    () => a('SECRET_KEY', '$(cat /run/secrets/secret_key)'),
    () => a('DB_PASSWORD', '%DB_PASSWORD%'),
    () => a('TOKEN', 'null'),
    () => a('API_TOKEN', 'TODO'),
    () => a('PASSWORD_POLICY', 'min-length=12,require-digit'),
    () => a('TOKEN_TTL_SECONDS', String(g.int(60, 86400))),
    () => a('SESSION_COOKIE_NAME', '__Host-session'),
    () =>
      none(
        `<script src="https://cdn.example.com/lib.js" integrity="sha384-${g.str(B64, 64)}" crossorigin="anonymous"></script>`,
      ),
    () => none(`${g.str(HEX, 64)}  dist/${g.pick(WORDS)}-${g.int(1, 9)}.${g.int(0, 9)}.tar.gz`),
    () => none(`* ${g.str(HEX, 7)} Fix ${g.pick(WORDS)} ${g.pick(WORDS)} (#${g.int(100, 9999)})`),
    () => none(`  trace_id: "${g.str(HEX, 32)}"`),
    () => none(`  "nonce": "${g.mixed(B64URL, 22)}",`),
    () => none(`const tokens = lexer.tokenize(input); // ${g.int(1, 99)} tokens`),
    () => none(`def reset_password(user, token_ttl=3600):`),
    () => none(`  password_min_length: 12`),
    () => none(`  slack_channel: C${g.str('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10)}`),
    () => none(`  "apiKey": "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",`),
    () => none(`        <input type="password" name="password" placeholder="Password" required>`),
    () => none(`  $table->string('password');`),
    () => none(`ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${g.str(B64, 43)} ci@build`),
    () => none(`  "sourcesContent": ["const token = getToken();\\nconst password = input.value;"],`),
    () => none(`background: url("data:image/svg+xml;base64,${g.str(B64, 800)}");`),
  ];
}

/** Ordinary lines of each language, some mentioning passwords and tokens in harmless ways. */
function filler(g: Gen, lang: Lang): string {
  const w = (): string => g.pick(WORDS);
  const W = (): string => {
    const s = w();
    return s[0]?.toUpperCase() + s.slice(1);
  };
  switch (lang) {
    case 'env':
    case 'properties':
    case 'ini':
      return g.pick([
        `${w().toUpperCase()}_${w().toUpperCase()}=${w()}`,
        `# ${w()} ${w()} settings`,
        `${w()}.${w()}.enabled=true`,
        `PORT=${g.int(1000, 9999)}`,
        `LOG_LEVEL=info`,
        '',
      ]);
    case 'yaml':
      return g.pick([
        `  ${w()}: ${w()}`,
        `  replicas: ${g.int(1, 5)}`,
        `  image: ghcr.io/acme/${w()}:${g.int(1, 9)}.${g.int(0, 20)}.${g.int(0, 9)}`,
        `- name: ${w()}-${w()}`,
        `  # ${w()} ${w()}`,
        '',
      ]);
    case 'json':
      return g.pick([
        `  "${w()}": "${w()}",`,
        `  "${w()}Count": ${g.int(0, 500)},`,
        `  "enabled": true,`,
        `  "${w()}": [1, 2, 3],`,
      ]);
    case 'py':
      return g.pick([
        `def ${w()}_${w()}(self, ${w()}):`,
        `    return self.${w()}.get("${w()}")`,
        `import ${w()}`,
        `    # ${w()} the ${w()} before ${w()}`,
        `    ${w()} = ${W()}(${w()}=${g.int(1, 99)})`,
        '',
      ]);
    case 'js':
    case 'ts':
      return g.pick([
        `import { ${W()} } from './${w()}.js';`,
        `  const ${w()} = await ${w()}.${w()}(${w()});`,
        `  if (!${w()}) return null;`,
        `// ${w()} ${w()} ${w()}`,
        `export function ${w()}${W()}(${w()}) {`,
        '}',
        '',
      ]);
    case 'go':
      return g.pick([
        `func (s *${W()}) ${W()}(ctx context.Context) error {`,
        `\tif err != nil {\n\t\treturn err\n\t}`,
        `\t${w()} := s.${w()}.${W()}()`,
        '}',
        `// ${W()} ${w()} ${w()}`,
      ]);
    case 'java':
    case 'cs':
      return g.pick([
        `    public ${W()} get${W()}() { return ${w()}; }`,
        `    // ${w()} ${w()}`,
        `    private final ${W()} ${w()};`,
        '    }',
        '',
      ]);
    case 'rb':
    case 'php':
      return g.pick([`  def ${w()}_${w()}`, '  end', `# ${w()} ${w()}`, `    $${w()} = $this->${w()}();`]);
    case 'tf':
      return g.pick([
        `resource "aws_s3_bucket" "${w()}" {`,
        `  bucket = "${w()}-${w()}-${g.int(1, 999)}"`,
        '}',
        `  tags = { Team = "${w()}" }`,
      ]);
    case 'xml':
      return g.pick([
        `  <${w()}>${w()}</${w()}>`,
        `  <dependency><artifactId>${w()}-${w()}</artifactId></dependency>`,
        '  <!-- settings -->',
      ]);
    case 'sh':
      return g.pick([
        `echo "${w()} ${w()}"`,
        `${w()}_dir="$HOME/.${w()}"`,
        'set -euo pipefail',
        `if [ -z "$${w().toUpperCase()}" ]; then exit 1; fi`,
      ]);
    case 'md':
      return g.pick([
        `## ${W()} ${w()}`,
        `The ${w()} ${w()} uses the ${w()} ${w()}.`,
        '```bash',
        '```',
        `- ${W()} the ${w()}`,
        '',
      ]);
    case 'dockerfile':
      return g.pick([
        'FROM node:20-slim',
        `RUN npm ci --omit=dev`,
        `COPY ${w()}/ /app/${w()}/`,
        'WORKDIR /app',
        `EXPOSE ${g.int(3000, 9000)}`,
      ]);
    case 'toml':
      return g.pick([`[${w()}]`, `${w()} = "${w()}"`, `${w()} = ${g.int(1, 100)}`]);
  }
}

export interface LabeledCorpus {
  readonly files: CorpusFile[];
  readonly labels: Label[];
}

const TEST_PATH = /(?:^|\/)tests?\//;

/**
 * A positive for this file. Keys of the `crypto` and `gcp` providers in a test folder are test
 * fixtures to the engine (reported at low confidence, `--min-confidence low`), so none is
 * planted there as a leak to find.
 */
function positiveFor(g: Gen, pos: Array<() => Plant>, path: string): Plant {
  for (;;) {
    const plant = g.pick(pos)();
    if (!TEST_PATH.test(path) || !plant.labels.some((l) => /private_key|service_account/.test(l.type)))
      return plant;
  }
}

/** Build the labeled corpus: `count` files, deterministic for a seed. */
export function buildLabeledCorpus(seed: number, count: number): LabeledCorpus {
  const g = new Gen(createRng(seed));
  const files: CorpusFile[] = [];
  const labels: Label[] = [];
  for (let i = 0; i < count; i++) {
    const lang = g.pick(LANGS);
    const path = `r${String(i).padStart(4, '0')}/${g.pick(LANG_FILES[lang])}`;
    const lines: string[] = [];
    // File sizes are heavy-tailed, as in real repositories: most are small, a few are long.
    for (let n = Math.floor(20 * Math.exp(g.rng() * 3.2)); n > 0; n--)
      lines.push(...filler(g, lang).split('\n'));
    const planted: Array<{ plant: Plant; at: number }> = [];
    const pos = positives(g, lang);
    const neg = negatives(g, lang);
    const nPos = g.chance(0.45) ? 0 : g.int(1, 3);
    const nNeg = g.int(1, 5);
    for (let k = 0; k < nPos; k++)
      planted.push({ plant: positiveFor(g, pos, path), at: g.int(0, lines.length) });
    for (let k = 0; k < nNeg; k++) planted.push({ plant: g.pick(neg)(), at: g.int(0, lines.length) });
    planted.sort((x, y) => x.at - y.at);
    const out: string[] = [];
    let next = 0;
    for (let idx = 0; idx <= lines.length; idx++) {
      while (next < planted.length && (planted[next] as { at: number }).at === idx) {
        const { plant } = planted[next] as { plant: Plant };
        out.push('');
        const first = out.length + 1;
        out.push(...plant.lines);
        for (const l of plant.labels) labels.push({ file: path, line: first + l.offset, type: l.type });
        out.push('');
        next++;
      }
      if (idx < lines.length) out.push(lines[idx] as string);
    }
    files.push({ path, content: `${out.join('\n')}\n` });
  }
  // Whole files of the kinds a repository also holds: lockfiles, bundles, maps, notebooks, data.
  for (let i = 0; i < Math.max(4, Math.floor(count / 25)); i++) {
    const made = g.pick(WHOLE_FILES)(g, `w${String(i).padStart(4, '0')}`);
    files.push({ path: made.path, content: made.content });
    for (const l of made.labels) labels.push({ file: made.path, line: l.line, type: l.type });
  }
  return { files, labels };
}

type WholeFile = (
  g: Gen,
  dir: string,
) => { path: string; content: string; labels: Array<{ line: number; type: string }> };

const WHOLE_FILES: WholeFile[] = [
  // package-lock.json: integrity hashes and resolved URLs only.
  (g, dir) => {
    const packages: Record<string, unknown> = {};
    for (let i = 0, n = g.int(50, 400); i < n; i++) {
      const name = `${g.pick(WORDS)}-${g.pick(WORDS)}${i}`;
      packages[`node_modules/${name}`] = {
        version: `${g.int(0, 9)}.${g.int(0, 30)}.${g.int(0, 9)}`,
        resolved: `https://registry.npmjs.org/${name}/-/${name}-1.0.0.tgz`,
        integrity: `sha512-${g.str(B64, 86)}==`,
      };
    }
    return {
      path: `${dir}/package-lock.json`,
      content: `${JSON.stringify({ lockfileVersion: 3, packages }, null, 2)}\n`,
      labels: [],
    };
  },
  // A minified bundle with keyword-looking properties and random strings.
  (g, dir) => {
    const parts: string[] = [];
    for (let i = 0, n = g.int(200, 1200); i < n; i++)
      parts.push(
        `function ${g.str(LETTERS, 2)}(e,t){return{token:e.token,password:t.password,key:"${g.mixed(B64URL, g.int(8, 40))}"}}`,
      );
    return { path: `${dir}/dist/app.min.js`, content: `${parts.join(';')}\n`, labels: [] };
  },
  // A source map holding escaped sources.
  (g, dir) => {
    const sources = Array.from(
      { length: g.int(5, 40) },
      () => `const password = form.password.value;\nconst token = "${g.mixed(B64URL, 40)}";\n`,
    );
    const map = {
      version: 3,
      sources: sources.map((_, i) => `src/m${i}.ts`),
      sourcesContent: sources,
      mappings: g.str(`${LETTERS};,`, 5000),
    };
    return { path: `${dir}/dist/app.js.map`, content: JSON.stringify(map), labels: [] };
  },
  // A Jupyter notebook that leaks a key in a cell.
  (g, dir) => {
    const value = STANDALONE.openai_api_key?.(g) as string;
    const cells = [
      { cell_type: 'markdown', source: ['# Analysis\n'] },
      { cell_type: 'code', source: ['import os\n', `os.environ["OPENAI_API_KEY"] = "${value}"\n`] },
      {
        cell_type: 'code',
        source: ['df = load()\n'],
        outputs: [{ data: { 'image/png': g.str(B64, 4000) } }],
      },
    ];
    const content = `${JSON.stringify({ cells, nbformat: 4 }, null, 1)}\n`;
    const line = content.split('\n').findIndex((l) => l.includes(value)) + 1;
    return { path: `${dir}/notebooks/analysis.ipynb`, content, labels: [{ line, type: 'openai_api_key' }] };
  },
  // CSV data export: ids, hashes and emails, nothing secret.
  (g, dir) => {
    const rows = ['id,email,sha256,created_at'];
    for (let i = 0, n = g.int(500, 3000); i < n; i++)
      rows.push(
        `${uuidOf(g)},${g.pick(WORDS)}${i}@example.com,${g.str(HEX, 64)},2025-0${g.int(1, 9)}-1${g.int(0, 9)}`,
      );
    return { path: `${dir}/data/export.csv`, content: `${rows.join('\n')}\n`, labels: [] };
  },
  // An HTML page with inline base64 images.
  (g, dir) => {
    const imgs = Array.from(
      { length: g.int(2, 8) },
      () => `<img alt="x" src="data:image/png;base64,${g.str(B64, g.int(2000, 20000))}">`,
    );
    return {
      path: `${dir}/public/index.html`,
      content: `<!doctype html>\n<html><body>\n${imgs.join('\n')}\n</body></html>\n`,
      labels: [],
    };
  },
  // A Kubernetes Secret with base64 data and a GitHub Actions workflow with env pairs.
  (g, dir) => {
    const pass = strongPassword(g);
    const lines = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: app-secrets',
      'type: Opaque',
      'data:',
      `  db-password: ${Buffer.from(pass).toString('base64')}`,
      `  username: ${Buffer.from('app').toString('base64')}`,
    ];
    return {
      path: `${dir}/k8s/secret.yaml`,
      content: `${lines.join('\n')}\n`,
      labels: [{ line: 7, type: 'generic_password' }],
    };
  },
  // An AWS credentials file with two profiles.
  (g, dir) => {
    const lines = [
      '[default]',
      `aws_access_key_id = ${g.awsKeyId()}`,
      `aws_secret_access_key = ${g.awsSecret()}`,
      '',
      '[ci]',
      `aws_access_key_id = ${g.awsKeyId()}`,
      `aws_secret_access_key = ${g.awsSecret()}`,
      'region = eu-west-1',
    ];
    return {
      path: `${dir}/.aws/credentials`,
      content: `${lines.join('\n')}\n`,
      labels: [
        { line: 2, type: 'aws_access_key' },
        { line: 3, type: 'aws_access_key' },
        { line: 6, type: 'aws_access_key' },
        { line: 7, type: 'aws_access_key' },
      ],
    };
  },
  // A certificate bundle: public material only.
  (g, dir) => {
    const blocks = Array.from({ length: g.int(3, 20) }, () =>
      [
        '-----BEGIN CERTIFICATE-----',
        ...(g.str(B64, 1200).match(/.{1,64}/g) ?? []),
        '-----END CERTIFICATE-----',
      ].join('\n'),
    );
    return { path: `${dir}/certs/ca-bundle.crt`, content: `${blocks.join('\n')}\n`, labels: [] };
  },
  // A PostgreSQL password file: the fifth field of each line is the password.
  (g, dir) => ({
    path: `${dir}/.pgpass`,
    content: `# hostname:port:database:username:password\ndb.internal:5432:orders:app:${strongPassword(g)}\n*:*:*:replicator:${strongPassword(g)}\n`,
    labels: [
      { line: 2, type: 'postgres_password' },
      { line: 3, type: 'postgres_password' },
    ],
  }),
  // A Rails app's master key, its decrypted credentials and a Terraform state with a generated password.
  (g, dir) => {
    const sample = IN_CONTEXT.rails_encryption_key?.(g) as { lines: string[]; line: number };
    return {
      path: `${dir}/config/credentials/production.yml`,
      content: `${sample.lines.join('\n')}\n`,
      labels: [{ line: sample.line + 1, type: 'rails_encryption_key' }],
    };
  },
  (g, dir) => ({
    path: `${dir}/config/master.key`,
    content: `${g.mixed(HEX, 32)}\n`,
    labels: [{ line: 1, type: 'rails_master_key' }],
  }),
  (g, dir) => {
    const sample = IN_CONTEXT.terraform_generated_password?.(g) as { lines: string[]; line: number };
    return {
      path: `${dir}/infra/terraform.tfstate`,
      content: `${sample.lines.join('\n')}\n`,
      labels: [{ line: sample.line + 1, type: 'terraform_generated_password' }],
    };
  },
  // An .npmrc with a legacy (UUID) auth token.
  (g, dir) => ({
    path: `${dir}/.npmrc`,
    content: `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${uuidOf(g)}\nalways-auth=true\n`,
    labels: [{ line: 2, type: 'npm_legacy_token' }],
  }),
  // go.sum and yarn.lock.
  (g, dir) => {
    const lines = Array.from(
      { length: g.int(100, 800) },
      (_, i) => `github.com/${g.pick(WORDS)}/${g.pick(WORDS)}${i} v1.${g.int(0, 20)}.0 h1:${g.str(B64, 43)}=`,
    );
    return { path: `${dir}/go.sum`, content: `${lines.join('\n')}\n`, labels: [] };
  },
];
