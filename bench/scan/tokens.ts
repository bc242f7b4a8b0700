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

/** The characters api.wordpress.org/secret-key draws WordPress salts from. */
const WP_SALT = `${ALNUM}!@#$%^&*()-_ []{}<>~\`+=,.;:/?|`.replace(' ', '');
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'.toUpperCase();

/** A random password with all four character classes (what a generator or a careful human makes). */
export function strongPassword(g: Gen, min = 12, max = 24): string {
  for (;;) {
    const p = g.str(`${ALNUM}!#%^*-_+=`, g.int(min, max));
    if (
      /[a-z]/.test(p) &&
      /[A-Z]/.test(p) &&
      /[0-9]/.test(p) &&
      /[^A-Za-z0-9]/.test(p) &&
      !/(.)\1{3}/.test(p)
    )
      return p;
  }
}

/**
 * One well-formed value per kind that is recognisable on its own (no key name needed), in the
 * issuer's documented shape. Used by the tests (every kind detected) and the benchmark corpus.
 */
export const STANDALONE: Record<string, (g: Gen) => string> = {
  aws_access_key: (g) => g.awsKeyId('AKIA'),
  aws_temporary_access_key: (g) => g.awsKeyId('ASIA'),
  aws_session_token: (g) => g.awsSessionToken(),
  github_pat_classic: (g) => g.githubToken('ghp_'),
  github_oauth_token: (g) => g.githubToken('gho_'),
  github_user_to_server_token: (g) => g.githubToken('ghu_'),
  github_installation_token: (g) => g.githubToken('ghs_'),
  github_refresh_token: (g) => g.githubToken('ghr_'),
  github_fine_grained_pat: (g) => `github_pat_${g.mixed(ALNUM, 22)}_${g.mixed(ALNUM, 59)}`,
  npm_access_token: (g) => g.githubToken('npm_'),
  slack_bot_token: (g) => `xoxb-${g.str(DIGITS, 12)}-${g.str(DIGITS, 13)}-${g.mixed(ALNUM, 24)}`,
  slack_user_token: (g) =>
    `xoxp-${g.str(DIGITS, 12)}-${g.str(DIGITS, 12)}-${g.str(DIGITS, 13)}-${g.mixed(HEX, 32)}`,
  slack_config_token: (g) => `xoxe.xoxp-1-${g.mixed(ALNUM, 150)}`,
  slack_config_refresh_token: (g) => `xoxe-1-${g.mixed(ALNUM, 140)}`,
  slack_legacy_token: (g) =>
    `xox${g.pick(['a', 'o', 's'])}-${g.str(DIGITS, 12)}-${g.str(DIGITS, 12)}-${g.str(DIGITS, 12)}-${g.mixed(HEX, 32)}`,
  slack_app_token: (g) => `xapp-1-A${g.str(UPPER_ALNUM, 10)}-${g.str(DIGITS, 13)}-${g.mixed(HEX, 64)}`,
  slack_webhook_url: (g) =>
    `https://hooks.slack.com/services/T${g.str(UPPER_ALNUM, 10)}/B${g.str(UPPER_ALNUM, 10)}/${g.mixed(ALNUM, 24)}`,
  stripe_secret_key: (g) => `sk_live_${g.mixed(ALNUM, 99)}`,
  stripe_restricted_key: (g) => `rk_live_${g.mixed(ALNUM, 99)}`,
  stripe_webhook_secret: (g) => `whsec_${g.mixed(ALNUM, 32)}`,
  sonarqube_token: (g) => `squ_${g.mixed(HEX, 40)}`,
  google_api_key: (g) => `AIza${g.mixed(B64URL, 35)}`,
  google_oauth_client_secret: (g) => `GOCSPX-${g.mixed(B64URL, 28)}`,
  google_oauth_access_token: (g) => `ya29.${g.mixed(B64URL, 140)}`,
  openai_api_key: (g) => `sk-proj-${g.mixed(B64URL, 74)}T3BlbkFJ${g.mixed(B64URL, 74)}`,
  openai_admin_key: (g) => `sk-admin-${g.mixed(B64URL, 58)}T3BlbkFJ${g.mixed(B64URL, 58)}`,
  anthropic_api_key: (g) => `sk-ant-api03-${g.mixed(B64URL, 93)}AA`,
  anthropic_admin_key: (g) => `sk-ant-admin01-${g.mixed(B64URL, 93)}AA`,
  sendgrid_api_key: (g) => `SG.${g.mixed(B64URL, 22)}.${g.mixed(B64URL, 43)}`,
  gitlab_personal_access_token: (g) => `glpat-${g.mixed(B64URL, 20)}`,
  gitlab_pipeline_trigger_token: (g) => `glptt-${g.mixed(HEX, 40)}`,
  gitlab_runner_token: (g) => `glrt-${g.mixed(B64URL, 20)}`,
  gitlab_deploy_token: (g) => `gldt-${g.mixed(B64URL, 20)}`,
  gitlab_ci_build_token: (g) => `glcbt-${g.mixed(B64URL, 20)}`,
  gitlab_feed_token: (g) => `glft-${g.mixed(B64URL, 20)}`,
  gitlab_scim_oauth_token: (g) => `glsoat-${g.mixed(B64URL, 20)}`,
  gitlab_feature_flags_client_token: (g) => `glffct-${g.mixed(B64URL, 20)}`,
  gitlab_incoming_mail_token: (g) => `glimt-${g.mixed(B64URL, 25)}`,
  gitlab_agent_token: (g) => `glagent-${g.mixed(B64URL, 50)}`,
  gitlab_oauth_app_secret: (g) => `gloas-${g.mixed(B64URL, 64)}`,
  huggingface_token: (g) => `hf_${g.mixed(LETTERS, 34)}`,
  huggingface_org_token: (g) => `api_org_${g.mixed(LETTERS, 34)}`,
  pypi_api_token: (g) => `pypi-AgEIcHlwaS5vcmc${g.mixed(B64URL, 70)}`,
  // ApiKeyV4: base32 of 32 bytes whose fixed bits show at five places.
  nuget_api_key: (g) =>
    `oy2${g.pick([...'abcdefghijklmnop'])}${g.str(LOWER_ALNUM, 15)}${g.pick(['a', 'q'])}${g.str(LOWER_ALNUM, 11)}${g.pick(['e', 'u'])}${g.pick([...'bdfhjlnprtvxz357'])}${g.pick([...'abcdefghijklmnop'])}${g.str(LOWER_ALNUM, 11)}${g.pick([...'aeimquy4'])}`,
  jfrog_api_key: (g) => `AKCp${g.pick([...'0123456789'])}${g.mixed(ALNUM, 68)}`,
  // base64 of `reftkn:01:<expiry>:<random>`: the prefix is fixed, the rest base64 letters and digits.
  jfrog_reference_token: (g) => `cmVmdGtuOjAxOj${g.mixed(ALNUM, 50)}`,
  dockerhub_access_token: (g) => `dckr_pat_${g.mixed(B64URL, 27)}`,
  shopify_access_token: (g) => `shpat_${g.mixed(HEX, 32)}`,
  shopify_custom_app_token: (g) => `shpca_${g.mixed(HEX, 32)}`,
  shopify_private_app_token: (g) => `shppa_${g.mixed(HEX, 32)}`,
  shopify_shared_secret: (g) => `shpss_${g.mixed(HEX, 32)}`,
  vault_service_token: (g) => `hvs.${g.mixed(B64URL, 90)}`,
  vault_batch_token: (g) => `hvb.${g.mixed(B64URL, 138)}`,
  vault_recovery_token: (g) => `hvr.${g.mixed(B64URL, 24)}`,
  terraform_cloud_token: (g) => `${g.mixed(ALNUM, 14)}.atlasv1.${g.mixed(B64URL, 67)}`,
  doppler_token: (g) => `dp.st.prd.${g.mixed(ALNUM, 43)}`,
  hubspot_private_app_token: (g) =>
    `pat-${g.pick(['na1', 'eu1'])}-${g.str(HEX, 8)}-${g.str(HEX, 4)}-4${g.str(HEX, 3)}-a${g.str(HEX, 3)}-${g.str(HEX, 12)}`,
  linear_api_key: (g) => `lin_api_${g.mixed(ALNUM, 40)}`,
  telegram_bot_token: (g) => `${g.int(100000000, 7999999999)}:AA${g.mixed(B64URL, 33)}`,
  discord_webhook_url: (g) => `https://discord.com/api/webhooks/${g.str(DIGITS, 18)}/${g.mixed(B64URL, 68)}`,
  azure_storage_account_key: (g) =>
    `DefaultEndpointsProtocol=https;AccountName=store${g.int(10, 99)};AccountKey=${g.mixed(B64, 86)}==;EndpointSuffix=core.windows.net`,
  azure_shared_access_key: (g) =>
    `Endpoint=sb://bus${g.int(10, 99)}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${g.mixed(B64, 42)}${g.pick([...'AEIMQUYcgkosw048'])}=`,
  postman_api_key: (g) => `PMAK-${g.mixed(HEX, 24)}-${g.mixed(HEX, 34)}`,
  digitalocean_token: (g) => `dop_v1_${g.mixed(HEX, 64)}`,
  sentry_auth_token: (g) => `sntryu_${g.mixed(HEX, 64)}`,
  new_relic_user_api_key: (g) => `NRAK-${g.mixed(UPPER_ALNUM, 27)}`,
  grafana_service_account_token: (g) => `glsa_${g.mixed(ALNUM, 32)}_${g.mixed(HEX, 8)}`,
  databricks_token: (g) => `dapi${g.mixed(HEX, 32)}`,
  rubygems_api_key: (g) => `rubygems_${g.mixed(HEX, 48)}`,
  atlassian_api_token: (g) => `ATATT3${g.mixed(B64URL, 180)}`,
  supabase_access_token: (g) => `sbp_${g.mixed(HEX, 40)}`,
  age_secret_key: (g) => `AGE-SECRET-KEY-1${g.mixed(BECH32, 58)}`,
  groq_api_key: (g) => `gsk_${g.mixed(ALNUM, 52)}`,
  replicate_api_token: (g) => `r8_${g.mixed(ALNUM, 37)}`,
  planetscale_token: (g) => `pscale_tkn_${g.mixed(ALNUM, 43)}`,
  pulumi_access_token: (g) => `pul-${g.mixed(HEX, 40)}`,
  tailscale_key: (g) => `tskey-auth-${g.mixed(ALNUM, 12)}-${g.mixed(ALNUM, 32)}`,
  brevo_api_key: (g) => `xkeysib-${g.mixed(HEX, 64)}-${g.mixed(ALNUM, 16)}`,
  figma_access_token: (g) => `figd_${g.mixed(B64URL, 40)}`,
  postgres_uri: (g) =>
    `postgres://app_${g.str(LOWER_ALNUM, 4)}:${g.mixed(ALNUM, 20)}@db-${g.int(1, 9)}.internal.example.net:5432/app`,
  mysql_uri: (g) => `mysql://admin:${g.mixed(ALNUM, 18)}@mysql.prod.internal:3306/shop`,
  mongodb_uri: (g) =>
    `mongodb+srv://svc:${g.mixed(ALNUM, 20)}@cluster0.${g.str(LOWER_ALNUM, 5)}.mongodb.net/app?retryWrites=true`,
  redis_uri: (g) => `rediss://:${g.mixed(ALNUM, 24)}@cache.internal:6380/0`,
  amqp_uri: (g) => `amqps://worker:${g.mixed(ALNUM, 20)}@rabbit.internal:5671/vhost`,
  url_with_password: (g) => `https://deploy:${strongPassword(g)}@artifacts.internal.example.org/repo`,
};

/**
 * Kinds that need a surrounding (a key name, a file structure): a snippet of lines and the
 * 0-based index of the line the finding must name, plus a file name that suits it.
 */
export const IN_CONTEXT: Record<string, (g: Gen) => { file: string; lines: string[]; line: number }> = {
  aws_secret_access_key: (g) => ({
    file: 'config/aws.env',
    lines: [`AWS_SECRET_ACCESS_KEY=${g.awsSecret()}`],
    line: 0,
  }),
  discord_bot_token: (g) => ({
    file: 'bot/config.py',
    lines: ['# Discord bot settings', `DISCORD_TOKEN = "${g.discordToken()}"`],
    line: 1,
  }),
  mailgun_api_key: (g) => ({
    file: 'mail.js',
    lines: ['// Mailgun client', `const key = 'key-${g.mixed(HEX, 32)}';`],
    line: 1,
  }),
  npm_legacy_token: (g) => ({
    file: '.npmrc',
    lines: [`//registry.npmjs.org/:_authToken=${uuidOf(g)}`],
    line: 0,
  }),
  ethereum_private_key: (g) => ({
    file: 'hardhat.config.ts',
    lines: [
      'const config: HardhatUserConfig = {',
      '  networks: {',
      `    sepolia: { url: "https://rpc.sepolia.org", accounts: ["0x${g.mixed(HEX, 64)}"] },`,
      '  },',
      '};',
    ],
    line: 2,
  }),
  datadog_api_key: (g) => ({ file: '.env', lines: [`DD_API_KEY=${g.mixed(HEX, 32)}`], line: 0 }),
  datadog_app_key: (g) => ({ file: '.env', lines: [`DATADOG_APP_KEY=${g.mixed(HEX, 40)}`], line: 0 }),
  twilio_auth_token: (g) => ({ file: '.env', lines: [`TWILIO_AUTH_TOKEN=${g.mixed(HEX, 32)}`], line: 0 }),
  twilio_api_key: (g) => ({
    file: 'sms.py',
    lines: ['# Twilio API key', `API_KEY_SID = "SK${g.mixed(HEX, 32)}"`],
    line: 1,
  }),
  twilio_api_key_secret: (g) => ({
    file: 'scripts/send-sms.sh',
    lines: [
      '#!/bin/sh',
      `curl -X POST "https://api.twilio.com/2010-04-01/Accounts/AC${g.mixed(HEX, 32)}/Messages.json" \\`,
      `  -u "SK${g.mixed(HEX, 32)}:${g.mixed(ALNUM, 32)}" \\`,
      '  --data-urlencode "Body=deploy finished"',
    ],
    line: 2,
  }),
  command_line_password: (g) => ({
    file: 'scripts/backup.sh',
    lines: ['#!/bin/sh', `mysqldump -u backup -p${strongPassword(g)} --all-databases > /backups/all.sql`],
    line: 1,
  }),
  postgres_password: (g) => ({
    file: 'home/deploy/.pgpass',
    lines: ['# hostname:port:database:username:password', `db.internal:5432:orders:app:${strongPassword(g)}`],
    line: 1,
  }),
  wordpress_secret_key: (g) => ({
    file: 'wp-config.php',
    lines: ['<?php', `define( 'SECURE_AUTH_KEY',  '${g.str(WP_SALT, 64)}' );`],
    line: 1,
  }),
  aspnet_machine_key: (g) => ({
    file: 'Web.config',
    lines: [
      '<system.web>',
      `  <machineKey validationKey="${g.mixed('0123456789ABCDEF', 128)}"`,
      '    decryptionKey="AutoGenerate,IsolateApps" validation="HMACSHA256" decryption="AES" />',
      '</system.web>',
    ],
    line: 1,
  }),
  rails_encryption_key: (g) => ({
    file: 'config/credentials/production.yml',
    lines: ['active_record_encryption:', `  primary_key: ${g.mixed(ALNUM, 32)}`],
    line: 1,
  }),
  rails_master_key: (g) => ({ file: 'config/master.key', lines: [g.mixed(HEX, 32)], line: 0 }),
  terraform_generated_password: (g) => ({
    file: 'terraform.tfstate',
    lines: [
      '{',
      '  "resources": [',
      '    {',
      '      "mode": "managed",',
      '      "type": "random_password",',
      '      "name": "db",',
      '      "instances": [',
      '        {',
      '          "attributes": {',
      `            "bcrypt_hash": "$2a$10$${g.str(B64, 53)}",`,
      '            "length": 24,',
      `            "result": "${strongPassword(g, 24, 24)}"`,
      '          }',
      '        }',
      '      ]',
      '    }',
      '  ]',
      '}',
    ],
    line: 11,
  }),
  heroku_api_key: (g) => ({ file: '.env', lines: [`HEROKU_API_KEY=${uuidOf(g)}`], line: 0 }),
  wandb_api_key: (g) => ({ file: '.env', lines: [`WANDB_API_KEY = "${g.mixed(HEX, 40)}"`], line: 0 }),
  authorization_header: (g) => ({
    file: 'scripts/call.sh',
    lines: [`curl -H "Authorization: Bearer ${g.mixed(B64URL, 40)}" https://api.partner.example/v1/orders`],
    line: 0,
  }),
  generic_password: (g) => ({
    file: 'config/database.yml',
    lines: ['production:', `  password: ${strongPassword(g)}`],
    line: 1,
  }),
  generic_secret: (g) => ({
    file: 'settings.py',
    lines: [`CLIENT_SECRET = "${g.mixed(B64URL, 40)}"`],
    line: 0,
  }),
  generic_token: (g) => ({
    file: 'src/client.ts',
    lines: [`const apiToken = '${g.mixed(ALNUM, 32)}';`],
    line: 0,
  }),
  generic_api_key: (g) => ({
    file: 'config.json',
    lines: ['{', `  "partnerApiKey": "${g.mixed(ALNUM, 32)}"`, '}'],
    line: 1,
  }),
  gcp_service_account_key: (g) => {
    const project = `proj-${g.int(100000, 999999)}`;
    return {
      file: 'credentials.json',
      lines: [
        '{',
        '  "type": "service_account",',
        `  "project_id": "${project}",`,
        `  "private_key_id": "${g.str(HEX, 40)}",`,
        `  "private_key": "${g.pem('PKCS8').replace(/\n/g, '\\n')}\\n",`,
        `  "client_email": "deployer@${project}.iam.gserviceaccount.com",`,
        `  "client_id": "${g.str(DIGITS, 21)}"`,
        '}',
      ],
      line: 4,
    };
  },
  rsa_private_key: (g) => ({ file: 'deploy/id_rsa', lines: g.pem('RSA').split('\n'), line: 0 }),
  ec_private_key: (g) => ({ file: 'keys/ec.pem', lines: g.pem('EC').split('\n'), line: 0 }),
  dsa_private_key: (g) => ({ file: 'keys/dsa.pem', lines: g.pem('DSA').split('\n'), line: 0 }),
  openssh_private_key: (g) => ({ file: 'deploy/id_ed25519', lines: g.pem('OPENSSH').split('\n'), line: 0 }),
  pkcs8_private_key: (g) => ({ file: 'certs/server.key', lines: g.pem('PKCS8').split('\n'), line: 0 }),
  pgp_private_key: (g) => ({
    file: 'release/signing.asc',
    lines: [
      '-----BEGIN PGP PRIVATE KEY BLOCK-----',
      '',
      ...(g.str(B64, 1200).match(/.{1,64}/g) ?? []),
      `=${g.str(B64, 4)}`,
      '-----END PGP PRIVATE KEY BLOCK-----',
    ],
    line: 0,
  }),
  jwk_private_key: (g) => ({
    file: 'config/jwks.json',
    lines: [
      '{',
      '  "keys": [',
      '    {',
      '      "kty": "EC",',
      '      "crv": "P-256",',
      `      "x": "${g.mixed(B64URL, 43)}",`,
      `      "y": "${g.mixed(B64URL, 43)}",`,
      `      "d": "${g.mixed(B64URL, 43)}"`,
      '    }',
      '  ]',
      '}',
    ],
    line: 7,
  }),
  openvpn_static_key: (g) => ({
    file: 'vpn/ta.key',
    lines: [
      '#',
      '# 2048 bit OpenVPN static key',
      '#',
      '-----BEGIN OpenVPN Static key V1-----',
      ...Array.from({ length: 16 }, () => g.str(HEX, 32)),
      '-----END OpenVPN Static key V1-----',
    ],
    line: 3,
  }),
  putty_private_key: (g) => ({
    file: 'keys/deploy.ppk',
    lines: [
      'PuTTY-User-Key-File-3: ssh-ed25519',
      'Encryption: none',
      'Comment: deploy',
      'Public-Lines: 2',
      g.str(B64, 64),
      g.str(B64, 4),
      'Private-Lines: 1',
      g.str(B64, 44),
      `Private-MAC: ${g.str(HEX, 64)}`,
    ],
    line: 0,
  }),
};

export function uuidOf(g: Gen): string {
  const h = g.str(HEX, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}
