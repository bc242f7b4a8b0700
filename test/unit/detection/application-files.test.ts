/**
 * Credentials in the files applications and their operators keep: SQL that creates logins,
 * wp-config.php keys, web.config machine keys, Rails master and encryption keys, Terraform
 * state, scripts writing a .pgpass, base64-encoded PEM keys (kubeconfig), HAR header lists.
 * Found where a second blind corpus (gen.py under /tmp/heldout2, not committed) showed gaps.
 */
import { describe, expect, it } from 'vitest';
import {
  ALNUM,
  B64URL,
  HEX,
  IN_CONTEXT,
  STANDALONE,
  strongPassword,
  uuidOf,
} from '../../../bench/scan/tokens.ts';
import { generateKeyPairSync } from 'node:crypto';
import { gen, lowScanner, scan, typesIn } from './helpers.ts';

const g = gen(91);
const pw = strongPassword(g);

describe('SQL that sets a password', () => {
  it.each([
    ['MySQL CREATE USER', `CREATE USER IF NOT EXISTS 'shop_app'@'%' IDENTIFIED BY '${pw}';`],
    ['Oracle CREATE USER', `CREATE USER ledger_owner IDENTIFIED BY "${pw}";`],
    ['lowercase ALTER USER', `alter user app identified by '${pw}';`],
    ['Postgres CREATE ROLE', `CREATE ROLE reporting WITH LOGIN PASSWORD '${pw}' CONNECTION LIMIT 5;`],
    ['Postgres ALTER ROLE', `ALTER ROLE etl_loader WITH PASSWORD '${pw}' VALID UNTIL '2026-01-01';`],
  ])('%s', (_name, line) => {
    expect(
      scan(`-- roles\n${line}\n`, 'db/migrations/0023_roles.sql').map((f) => [f.type, f.line, f.secret]),
    ).toEqual([['generic_password', 2, pw]]);
  });

  it.each([
    [
      'a stored SCRAM verifier',
      `CREATE ROLE app WITH LOGIN PASSWORD 'SCRAM-SHA-256$4096:${g.mixed(B64URL, 24)}=$${g.mixed(B64URL, 44)}=';`,
    ],
    [
      'a MySQL auth plugin hash',
      `CREATE USER 'app'@'%' IDENTIFIED WITH caching_sha2_password AS '$A$005$${g.mixed(ALNUM, 40)}';`,
    ],
    ['a bind variable', 'ALTER USER app IDENTIFIED BY :new_password;'],
    ['the word in prose', 'Users are identified by their email address.'],
  ])('is quiet on %s', (_name, line) => {
    expect(typesIn(`${line}\n`, 'db/roles.sql')).toEqual([]);
  });
});

describe('application configuration', () => {
  it('reads all eight WordPress keys and salts, punctuation and all', () => {
    const names = [
      'AUTH_KEY',
      'SECURE_AUTH_KEY',
      'LOGGED_IN_KEY',
      'NONCE_KEY',
      'AUTH_SALT',
      'SECURE_AUTH_SALT',
      'LOGGED_IN_SALT',
      'NONCE_SALT',
    ];
    const sample = IN_CONTEXT.wordpress_secret_key?.(g);
    const value = /'([^']{64})'/.exec(sample?.lines[1] ?? '')?.[1] ?? '';
    const text = names.map(
      (n) => `define( '${n}', '${value.slice(names.indexOf(n)) + value.slice(0, names.indexOf(n))}' );`,
    );
    expect(scan(`<?php\n${text.join('\n')}\n`, 'wp-config.php').map((f) => f.type)).toEqual(
      Array(8).fill('wordpress_secret_key'),
    );
    expect(typesIn(`define( 'AUTH_KEY', 'put your unique phrase here' );\n`, 'wp-config-sample.php')).toEqual(
      [],
    );
  });

  it('reads an ASP.NET machine key only inside <machineKey>', () => {
    const sample = IN_CONTEXT.aspnet_machine_key?.(g);
    const lines = (sample?.lines ?? []).map((l) =>
      l.replace('AutoGenerate,IsolateApps', g.mixed('0123456789ABCDEF', 48)),
    );
    expect(scan(`${lines.join('\n')}\n`, 'Web.config').map((f) => [f.type, f.line])).toEqual([
      ['aspnet_machine_key', 2],
      ['aspnet_machine_key', 3],
    ]);
    expect(typesIn(`${sample?.lines.join('\n')}\n`, 'Web.config')).toEqual(['aspnet_machine_key']);
    expect(typesIn(`<add key="validationKey" value="${g.mixed(HEX, 64)}" />\n`, 'Web.config')).toEqual([]);
  });

  it('takes a Django EMAIL_HOST_PASSWORD for a password (the host qualifies it), not an EMAIL_HOST', () => {
    expect(typesIn(`EMAIL_HOST_PASSWORD = "${pw}"\n`, 'shop/settings/production.py')).toEqual([
      'generic_password',
    ]);
    expect(typesIn(`PASSWORD_FILE = "${pw}"\n`, 'shop/settings/production.py')).toEqual([]);
  });

  it('accepts a key of a word and a long random part (`key-` and 32 hex: Mailgun’s), not words joined by dashes', () => {
    expect(
      typesIn(`$config['mail_api_key'] = "key-${g.mixed(HEX, 32)}";\n`, 'application/config/config.php'),
    ).toEqual(['mailgun_api_key']);
    expect(
      typesIn(`$config['mail_api_key'] = "key-for-the-mail-service-v2";\n`, 'application/config/config.php'),
    ).toEqual([]);
  });

  it('reads Rails master keys and Active Record encryption keys', () => {
    const key = g.mixed(HEX, 32);
    expect(typesIn(`${key}\n`, 'config/master.key')).toEqual(['rails_master_key']);
    expect(typesIn(`${key}\n`, 'config/credentials/production.key')).toEqual(['rails_master_key']);
    expect(typesIn(`${key}\n`, 'notes/master.txt')).toEqual([]);
    const credentials = IN_CONTEXT.rails_encryption_key?.(g);
    expect(typesIn(`${credentials?.lines.join('\n')}\n`, credentials?.file)).toEqual([
      'rails_encryption_key',
    ]);
    expect(typesIn(`primary_key: ${g.mixed(ALNUM, 32)}\n`, 'config/database.yml')).toEqual([]);
  });

  it("reads a Terraform state's generated passwords, not its other attributes", () => {
    const state = IN_CONTEXT.terraform_generated_password?.(g);
    const findings = scan(`${state?.lines.join('\n')}\n`, 'infra/prod/terraform.tfstate');
    expect(findings.map((f) => [f.type, f.line])).toEqual([
      ['terraform_generated_password', (state?.line ?? 0) + 1],
    ]);
    expect(
      typesIn(`${state?.lines.join('\n').replace('random_password', 'random_pet')}\n`, 'terraform.tfstate'),
    ).toEqual([]);
  });

  it('reads the cells of a CSV or TSV column whose header names a secret, one finding per row', () => {
    const token = g.mixed(HEX, 40);
    const password = strongPassword(g);
    const csv = [
      'id,name,provider,token,token_count,password_hash,created_at',
      `1426,sync,generic,${token},3,$2b$12$${g.mixed(ALNUM, 53)},2024-06-08`,
      '1427,legacy,github,REVOKED,0,,2024-03-13',
      `1428,"ops, shared",slack,"${g.mixed(B64URL, 32)}",1,,2024-06-09`,
    ].join('\n');
    expect(scan(`${csv}\n`, 'reports/api_keys.csv').map((f) => [f.type, f.line, f.column])).toEqual([
      ['generic_token', 2, 19],
      ['generic_token', 4, 27],
    ]);
    const tsv = `user\tpassword\tnote\nana\t${password}\tfirst login\nli\t********\t\n`;
    expect(scan(tsv, 'exports/users.tsv').map((f) => [f.type, f.line, f.secret])).toEqual([
      ['generic_password', 2, password],
    ]);
  });

  it('reads the value of a daemon directive written `name value`, quoted or not', () => {
    const password = strongPassword(g);
    const secret = `${g.mixed(`${ALNUM}+/`, 43)}=`;
    const cases: Array<[string, string, string]> = [
      ['etc/openldap/slapd.conf', `rootpw          ${password}`, password],
      ['etc/nslcd.conf', `bindpw ${password}`, password],
      ['etc/keepalived/keepalived.conf', `        auth_pass ${password}`, password],
      ['etc/cntlm.conf', `Password\t${password}`, password],
      ['etc/bind/rndc.key', `\tsecret "${secret}";`, secret],
      ['etc/haproxy/haproxy.cfg', `    user admin insecure-password ${password}`, password],
      [
        '.fetchmailrc',
        `    user 'ana@example.net' there with password '${password}' is 'ana' here`,
        password,
      ],
    ];
    for (const [file, line, value] of cases)
      expect(
        scan(`${line}\n`, file).map((f) => f.secret),
        file,
      ).toEqual([value]);
  });

  it('reads the password field of files that hold one password per line, in each tool’s syntax', () => {
    const password = strongPassword(g);
    const cases: Array<[string, string]> = [
      ['etc/postfix/sasl_passwd', `[smtp.office365.com]:587   relay@example.net:${password}`],
      ['etc/davfs2/secrets', `https://cloud.example.net/remote.php/dav/files/ana/  ana  ${password}`],
      ['etc/ppp/chap-secrets', `"ana@isp-dsl"\t*\t"${password}"\t*`],
      ['etc/pgbouncer/userlist.txt', `"pgbouncer_admin" "${password}"`],
      ['opt/activemq/conf/jetty-realm.properties', `monitor: ${password}, user`],
      ['etc/nginx/.htpasswd', `metrics-scraper:${password}`],
      ['etc/ipsec.secrets', `@vpn-hq.example.net @vpn-branch.example.net : PSK "${password}"`],
      ['etc/dovecot/users', `noreply@example.net:{PLAIN}${password}:5000:5000::/var/vmail/noreply::`],
      ['Vagrantfile', `    echo "deploy:${password}" | chpasswd`],
      ['.curlrc', `user = "ana:${password}"`],
      ['etc/haproxy/haproxy.cfg', `    stats auth ops:${password}`],
      [
        'etc/squid/squid.conf',
        `cache_peer proxy.isp.example parent 8080 0 no-query default login=egress:${password}`,
      ],
      ['etc/redis/redis.conf', `user exporter on >${password} ~* +info +ping`],
      ['etc/redis/sentinel.conf', `sentinel auth-pass mymaster ${password}`],
      [
        'etc/telegraf/telegraf.conf',
        `  servers = ["telegraf:${password.replace(/[@/:"']/g, '')}@tcp(127.0.0.1:3306)/?tls=false"]`,
      ],
    ];
    for (const [file, line] of cases)
      expect(
        scan(`${line}\n`, file).map((f) => f.secret),
        file,
      ).toEqual([password]);
  });

  it('reads a Consul ACL token (a UUID) in a Consul or Nomad agent config, not a UUID elsewhere', () => {
    const uuid = uuidOf(g);
    const nomad = `consul {\n  address = "127.0.0.1:8500"\n  token   = "${uuid}"\n}\n`;
    expect(scan(nomad, 'etc/nomad.d/nomad.hcl').map((f) => [f.type, f.line])).toEqual([['generic_token', 3]]);
    expect(scan(`session {\n  token = "${uuid}"\n}\n`, 'etc/app/app.hcl')).toEqual([]);
  });

  it('reads a Ceph keyring secret and basic-auth credentials nginx sends upstream', () => {
    const cephx = `AQ${g.mixed(`${ALNUM}+/`, 36)}==`; // 28 bytes: type, creation time, length, 16-byte secret
    expect(
      scan(`[client.admin]\n\tkey = ${cephx}\n`, 'etc/ceph/ceph.client.admin.keyring').map((f) => f.secret),
    ).toEqual([cephx]);
    const basic = Buffer.from(`edge:${strongPassword(g)}`).toString('base64');
    const conf = `location / {\n    proxy_set_header Authorization "Basic ${basic}";\n}\n`;
    expect(scan(conf, 'etc/nginx/sites-available/kibana.conf').map((f) => f.line)).toEqual([2]);
  });

  it('leaves hashed entries of those files alone', () => {
    const cases: Array<[string, string]> = [
      ['etc/nginx/.htpasswd', `ana:$apr1$${g.mixed(ALNUM, 8)}$${g.mixed(ALNUM, 22)}`],
      ['etc/nginx/.htpasswd', `ana:${g.mixed(ALNUM, 13)}`],
      ['etc/pgbouncer/userlist.txt', `"app" "md5${g.mixed(HEX, 32)}"`],
      ['opt/jetty/etc/realm.properties', `admin: MD5:${g.mixed(HEX, 32)}, admin`],
      ['etc/dovecot/users', `ana@example.net:{SSHA512}${g.mixed(ALNUM, 40)}:5000:5000::`],
    ];
    for (const [file, line] of cases) expect(scan(`${line}\n`, file), file).toEqual([]);
  });

  it('leaves PAM control lines, sshd switches and prose about passwords alone', () => {
    const cases: Array<[string, string]> = [
      ['etc/pam.d/common-password', 'password   [success=1 default=ignore]   pam_unix.so obscure yescrypt'],
      ['etc/pam.d/sshd', 'password   include   common-password'],
      ['etc/ssh/sshd_config', 'PasswordAuthentication no'],
      [
        'lists/npm.tsv',
        'react-native-hide-show-password-input\t1.2.0\t896\tComponent For Password Show/Hide',
      ],
      ['METADATA', '- **Not override** existing variables. Pass `override=True` to override them.'],
    ];
    for (const [file, line] of cases) expect(scan(`${line}\n`, file), file).toEqual([]);
  });

  it("reads an Azure storage account key under rclone's bare `key`, only in a file about Azure", () => {
    const accountKey = `${g.mixed(`${ALNUM}+/`, 86)}==`;
    const remote = (type: string, key: string) =>
      `[archive]\ntype = ${type}\naccount = geodata\nkey = ${key}\n`;
    expect(scan(remote('azureblob', accountKey), 'rclone.conf').map((f) => [f.type, f.line])).toEqual([
      ['azure_storage_account_key', 4],
    ]);
    expect(typesIn(remote('b2', accountKey), 'rclone.conf')).toEqual([]);
    const emulator = [
      'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq',
      '/K1SZFPTOtr/KBHBeksoGMGw==',
    ].join('');
    expect(typesIn(remote('azureblob', emulator), 'rclone.conf')).toEqual([]);
  });

  it('reads an Azure storage account key under its own name in any file', () => {
    const accountKey = `${g.mixed(`${ALNUM}+/`, 86)}==`;
    const parameters = `{\n  "parameters": {\n    "storageAccountKey": { "value": "${accountKey}" }\n  }\n}\n`;
    expect(scan(parameters, 'deploy/main.parameters.json').map((f) => [f.type, f.line])).toEqual([
      ['azure_storage_account_key', 3],
    ]);
    // A browser storage key's name, holding its name: not a credential.
    expect(typesIn(`const storageKey = "user-preferences-v2";\n`, 'src/prefs.ts')).toEqual([]);
  });
});

describe('cloud-init', () => {
  it("reads chpasswd's user:password list, not RANDOM or a hash", () => {
    const text = [
      '#cloud-config',
      'chpasswd:',
      '  expire: false',
      '  list: |',
      `    root:${pw}`,
      '    ubuntu:RANDOM',
      `    admin:$6$rounds=4096$${g.mixed(ALNUM, 16)}$${g.mixed(ALNUM, 43)}`,
      'runcmd:',
      '  - echo ready',
      '',
    ].join('\n');
    expect(scan(text, 'infra/cloud-init/agent.yaml').map((f) => [f.type, f.line, f.secret])).toEqual([
      ['generic_password', 5, pw],
    ]);
  });
});

describe('keys and headers in other clothes', () => {
  it('reports a base64-encoded PEM private key (a kubeconfig client-key-data) as that key', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const cert = Buffer.from(
      '-----BEGIN CERTIFICATE-----\nMIIBkTCB+w==\n-----END CERTIFICATE-----\n',
    ).toString('base64');
    const text = `users:\n- name: admin\n  user:\n    client-certificate-data: ${cert}\n    client-key-data: ${Buffer.from(pem).toString('base64')}\n`;
    const findings = scan(text, 'ops/kubeconfig-prod.yaml');
    expect(findings.map((f) => [f.type, f.line, f.attributes?.encoding])).toEqual([
      ['pkcs8_private_key', 5, 'base64'],
    ]);
    expect(findings[0]?.secret).toContain('-----BEGIN PRIVATE KEY-----');
  });

  it("reads a Bearer token from a HAR header list, but not jwt.io's published example", () => {
    const jwt = [g.mixed(B64URL, 36), g.mixed(B64URL, 120), g.mixed(B64URL, 86)].join('.');
    const har = (token: string) =>
      `{"headers": [\n  {\n    "name": "authorization",\n    "value": "Bearer ${token}"\n  }\n]}\n`;
    expect(scan(har(jwt), 'support/login-issue.har').map((f) => [f.type, f.line])).toEqual([
      ['authorization_header', 4],
    ]);
    const example = [
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
      'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ',
      'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    ].join('.');
    expect(
      typesIn(`curl -H "Authorization: Bearer ${example}" http://localhost:8080/debug\n`, 'docs/setup.md'),
    ).toEqual([]);
  });

  it('reads .pgpass lines a script writes, and only near the file they go to', () => {
    const script = `#!/bin/sh\ncat > ~/.pgpass <<EOF\npg-primary.internal:5432:jobs:worker:${pw}\nEOF\nchmod 600 ~/.pgpass\n`;
    expect(scan(script, 'scripts/bootstrap.sh').map((f) => [f.type, f.line])).toEqual([
      ['postgres_password', 3],
    ]);
    expect(
      typesIn(`echo started\npg-primary.internal:5432:jobs:worker:${pw}\n`, 'scripts/bootstrap.sh'),
    ).toEqual([]);
  });
});

describe('live credentials, not the public and test-mode ones around them', () => {
  it('reports Stripe test-mode keys only at low confidence, live ones at high', () => {
    const body = g.mixed(ALNUM, 24);
    expect(
      scan(`STRIPE_SECRET_KEY=sk_live_${body}\n`).map((f) => [f.type, f.confidence, f.attributes?.mode]),
    ).toEqual([['stripe_secret_key', 'high', 'live']]);
    expect(typesIn(`STRIPE_SECRET_KEY=sk_test_${body}\n`)).toEqual([]);
    expect(typesIn(`STRIPE_RESTRICTED_KEY=rk_test_${body}\n`)).toEqual([]);
    expect(
      lowScanner.scanText(`STRIPE_SECRET_KEY=sk_test_${body}\n`, '.env').map((f) => f.attributes?.mode),
    ).toEqual(['test']);
  });

  it('is quiet on public keys: Stripe publishable keys and Pusher app keys', () => {
    expect(typesIn(`STRIPE_KEY=pk_live_${g.mixed(ALNUM, 99)}\n`, '.env')).toEqual([]);
    expect(typesIn(`PUSHER_APP_KEY=${g.mixed(HEX, 20)}\nPUSHER_APP_ID=1234567\n`, '.env')).toEqual([]);
    expect(typesIn(`PUSHER_APP_SECRET=${g.mixed(HEX, 20)}\n`, '.env')).toEqual(['generic_secret']);
  });

  it("judges Laravel's APP_KEY=base64:… by its bytes: random is a key, text is judged as text", () => {
    const random = Buffer.from(Array.from({ length: 32 }, () => g.int(0, 255))).toString('base64');
    expect(typesIn(`APP_KEY=base64:${random}\n`, '.env')).toEqual(['generic_api_key']);
    const text = Buffer.from('testingkeytestingkeytestingkey12').toString('base64');
    expect(typesIn(`APP_KEY=base64:${text}\n`, '.env.testing')).toEqual([]);
  });

  it("reports a value an API description gives as a field's example at low confidence", () => {
    const spec = `components:\n  schemas:\n    Webhook:\n      properties:\n        secret:\n          type: string\n          example: whsec_${g.mixed(ALNUM, 32)}\n`;
    expect(scan(spec, 'openapi/payments.yaml')).toEqual([]);
    expect(lowScanner.scanText(spec, 'openapi/payments.yaml').map((f) => f.type)).toEqual([
      'stripe_webhook_secret',
    ]);
  });

  it("takes Phoenix's generated dev and test secret_key_base for a developer's, not a leak", () => {
    const line = `config :chat, ChatWeb.Endpoint,\n  secret_key_base: "${g.mixed(ALNUM, 64)}"\n`;
    expect(typesIn(line, 'config/dev.exs')).toEqual([]);
    expect(typesIn(line, 'config/runtime.exs')).toEqual(['generic_secret']);
  });
});

describe('private keys written as one string literal per line', () => {
  it('finds a key in a Haskell list of lines (`unlines [ "…", … ]`) and vaults it as a plain PEM', () => {
    const pem = g.pem('EC').trim();
    const lines = pem.split('\n');
    const list = lines.map((l, i) => `  ${i === 0 ? '[' : ','} "${l}"`).join('\n');
    const findings = scan(`signingKey :: String\nsigningKey = unlines\n${list}\n  ]\n`, 'src/Acme/Ledger.hs');
    expect(findings.map((f) => [f.type, f.line])).toEqual([['ec_private_key', 3]]);
    expect(findings[0]?.secret).toBe(pem);
  });

  it('keeps the `+` a key line ends with and drops only the `+` joining Java strings', () => {
    const lines = g.pem('RSA').trim().split('\n');
    // A base64 line may end in `+`; in `"…+" +` only the operator after the quote is code.
    lines[1] = `${lines[1]!.slice(0, -1)}+`;
    const pem = lines.join('\n');
    const java = lines.map((l, i) => `    ${i === 0 ? 'String key = ' : '+ '}"${l}\\n"`).join('\n');
    const inJava = scan(`class Keys {\n${java};\n}\n`, 'src/main/java/Keys.java');
    expect(inJava.map((f) => [f.type, f.line, f.secret])).toEqual([['rsa_private_key', 2, pem]]);
    const plain = scan(`${pem}\n`, 'deploy/id_rsa');
    expect(plain.map((f) => f.secret)).toEqual([pem]);
    expect(plain[0]?.fingerprint).toBe(inJava[0]?.fingerprint);
  });
});

describe('names the third blind corpus wrote differently', () => {
  it('reads an Android string resource by its name attribute', () => {
    const value = g.mixed(ALNUM, 20);
    expect(
      typesIn(
        `<resources>\n  <string name="backend_api_secret">${value}</string>\n</resources>\n`,
        'res/values/strings.xml',
      ),
    ).toEqual(['generic_secret']);
    expect(
      typesIn(`  <string name="password_hint">Enter your password</string>\n`, 'res/values/strings.xml'),
    ).toEqual([]);
  });

  it('reads it after other attributes, and base64 of random bytes as a secret', () => {
    const value = Buffer.from(
      g
        .mixed(ALNUM, 24)
        .split('')
        .map((c) => c.charCodeAt(0) * 7),
    ).toString('base64');
    expect(
      typesIn(
        `<resources>\n  <string name="client_secret" translatable="false">${value}</string>\n</resources>\n`,
        'res/values/strings.xml',
      ),
    ).toEqual(['generic_secret']);
    expect(
      typesIn(
        `  <string name="token_label" translatable="false">Access token</string>\n`,
        'res/values/strings.xml',
      ),
    ).toEqual([]);
  });

  it('reads a key named in prose in documentation', () => {
    expect(
      typesIn(`## Keys\n\n- Datadog API key: \`${g.mixed(HEX, 32)}\`\n`, 'docs/internal/onboarding.md'),
    ).toEqual(['datadog_api_key']);
  });

  it('reads a Twilio auth token as the password of a basic-auth pair whose user is the account SID', () => {
    const text = `"auth": {"type": "basic", "basic": [\n  {"key": "username", "value": "AC${g.mixed(HEX, 32)}"},\n  {"key": "password", "value": "${g.mixed(HEX, 32)}"}\n]}\n`;
    expect(scan(text, 'postman/api.postman_collection.json').map((f) => [f.type, f.line])).toEqual([
      ['twilio_auth_token', 3],
    ]);
  });
});

describe('configuration embedded in code', () => {
  const token = g.mixed(ALNUM, 32);
  it('reads an .env held in a JavaScript template literal, a Go raw string or a Python data string', () => {
    expect(typesIn(`const dotenv = \`\nPORT=3000\nAPI_TOKEN=${token}\n\`;\n`, 'src/index.js')).toEqual([
      'generic_token',
    ]);
    expect(typesIn(`const config = \`\nserver:\n  api_token: ${token}\n\`\n`, 'cmd/main.go')).toEqual([
      'generic_token',
    ]);
    expect(typesIn(`INI = """\n[db]\napi_token = ${token}\n"""\n`, 'pipeline/explore.py')).toEqual([
      'generic_token',
    ]);
  });

  it('still takes a docstring for documentation and code in a template literal for code', () => {
    expect(typesIn(`def connect():\n    """\n    api_token = ${token}\n    """\n`, 'pipeline/db.py')).toEqual(
      [],
    );
    expect(
      typesIn(`const page = html\`<p>\${user.name}</p>\`;\nconst apiToken = session.token;\n`, 'src/page.js'),
    ).toEqual([]);
  });

  it('is quiet on a value truncated for show', () => {
    expect(typesIn('set PASSWORD=sk-ant-api03-...\r\n', 'scripts/install.bat')).toEqual([]);
    expect(typesIn('API_TOKEN=ghp_…\n', '.env')).toEqual([]);
  });
});

describe('values named by the map they sit in (the tenth blind corpus)', () => {
  const token = g.mixed(ALNUM, 40);
  const password = strongPassword(g);

  it("reads Composer's auth.json host maps, not a placeholder there", () => {
    const auth = [
      '{',
      '    "bearer": {',
      `        "packages.example.net": "${token}",`,
      '        "repo.example.org": "your-token-here"',
      '    },',
      '    "http-basic": {',
      `        "satis.example.net": { "username": "ci", "password": "${password}" }`,
      '    }',
      '}',
    ].join('\n');
    expect(scan(auth, 'home/ana/.config/composer/auth.json').map((f) => [f.line, f.secret])).toEqual([
      [3, token],
      [7, password],
    ]);
  });

  it("reads Bundler's BUNDLE_<HOST> credentials, not its other double-underscore settings", () => {
    const config = [
      '---',
      'BUNDLE_PATH: "vendor/bundle"',
      'BUNDLE_BUILD__NOKOGIRI: "--use-system-libraries"',
      `BUNDLE_GEMS__CONTRIBSYS__COM: "a1b2c3d4:${password}"`,
      `BUNDLE_RUBYGEMS__PKG__GITHUB__COM: "${token}"`,
    ].join('\n');
    expect(scan(config, 'home/ana/.bundle/config').map((f) => [f.line, f.secret])).toEqual([
      [4, password],
      [5, token],
    ]);
  });

  it('reads a Consul or Nomad gossip key and the ACL tokens of a tokens block, only in their configs', () => {
    const gossip = Buffer.from(g.mixed(ALNUM, 32)).toString('base64');
    const [agent, management] = [uuidOf(g), uuidOf(g)];
    const hcl = [
      'datacenter = "dc1"',
      `encrypt    = "${gossip}"`,
      'acl {',
      '  enabled = true',
      '  tokens {',
      `    initial_management = "${management}"`,
      `    agent              = "${agent}"`,
      '    default            = "00000000-0000-0000-0000-000000000002"',
      '  }',
      '}',
    ].join('\n');
    expect(scan(hcl, 'etc/consul.d/consul.hcl').map((f) => [f.line, f.secret])).toEqual([
      [2, gossip],
      [6, management],
      [7, agent],
    ]);
    expect(scan(hcl, 'infra/modules/vpc/main.hcl')).toEqual([]);
  });

  it("reads OpenVPN's auth-user-pass file and its inline form, and its static key", () => {
    expect(scan(`svc-branch\n${password}\n`, 'etc/openvpn/client/hq.auth').map((f) => f.secret)).toEqual([
      password,
    ]);
    const profile = `client\nremote vpn.example.net 1194\n<auth-user-pass>\nana\n${password}\n</auth-user-pass>\n`;
    expect(scan(profile, 'home/ana/hq.ovpn').map((f) => [f.line, f.secret])).toEqual([[5, password]]);
    const body = Array.from({ length: 16 }, () => g.str(HEX, 32));
    const key = ['-----BEGIN OpenVPN Static key V1-----', ...body, '-----END OpenVPN Static key V1-----'];
    const inline = ['<tls-crypt>', '#', '# 2048 bit OpenVPN static key', '#', ...key, '</tls-crypt>'].join(
      '\n',
    );
    expect(scan(inline, 'home/ana/hq.ovpn').map((f) => [f.type, f.line])).toEqual([
      ['openvpn_static_key', 5],
    ]);
    const zeros = key.map((l, i) => (i > 0 && i <= 16 ? '0'.repeat(32) : l)).join('\n');
    expect(scan(zeros, 'etc/openvpn/ta.key')).toEqual([]);
  });

  it('reads SNMPv3 users, Nagios resource macros, OpenLDAP syncrepl credentials and NuGet apikeys', () => {
    const nugetKey = g.mixed(ALNUM, 46);
    const cases: Array<[string, string, number]> = [
      ['etc/snmp/snmpd.conf', `createUser monitor SHA-256 "${password}" AES "${strongPassword(g)}"`, 1],
      ['usr/local/nagios/etc/resource.cfg', `$USER1$=/usr/local/nagios/libexec\n$USER6$=${password}`, 2],
      [
        'etc/openldap/slapd.conf',
        `syncrepl rid=001\n    bindmethod=simple\n    binddn="cn=replicator,dc=example,dc=net"\n    credentials=${password}`,
        4,
      ],
      [
        'AppData/Roaming/NuGet/NuGet.Config',
        `<configuration>\n  <apikeys>\n    <add key="https://www.nuget.org/api/v2/package" value="${nugetKey}" />\n  </apikeys>\n</configuration>`,
        3,
      ],
    ];
    for (const [file, text, line] of cases)
      expect(
        scan(`${text}\n`, file).map((f) => f.line),
        file,
      ).toEqual([line]);
    const dpapi = `AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAA${g.mixed(`${ALNUM}+/`, 200)}`;
    const stored = `<configuration>\n  <apikeys>\n    <add key="https://www.nuget.org/api/v2/package" value="${dpapi}" />\n  </apikeys>\n</configuration>\n`;
    expect(scan(stored, 'AppData/Roaming/NuGet/NuGet.Config')).toEqual([]);
  });

  it('reads a NuGet API key by its fixed bits, not any oy2 string', () => {
    const key = STANDALONE.nuget_api_key!(g);
    expect(typesIn(`dotnet nuget push pkg.nupkg --api-key ${key}\n`, 'ci/publish.sh')).toContain(
      'nuget_api_key',
    );
    expect(typesIn(`NOTE=${key.slice(0, 3)}q${key.slice(4)}\n`, 'ci/notes.txt')).toEqual([]);
  });

  it("reads Yarn's npmAuthIdent, FileZilla's base64 <Pass> and a PagerDuty routing key", () => {
    expect(
      typesIn(
        `npmRegistries:\n  "https://npm.example.net":\n    npmAuthIdent: "ci:${password}"\n`,
        '.yarnrc.yml',
      ),
    ).toEqual(['generic_password']);
    const site = `<Server>\n  <User>ana</User>\n  <Pass encoding="base64">${Buffer.from(password).toString('base64')}</Pass>\n</Server>\n`;
    expect(scan(site, 'home/ana/.config/filezilla/sitemanager.xml').map((f) => f.line)).toEqual([3]);
    const routing = g.mixed(HEX, 32);
    expect(
      scan(
        `receivers:\n  - name: oncall\n    pagerduty_configs:\n      - routing_key: ${routing}\n`,
        'etc/alertmanager/alertmanager.yml',
      ).map((f) => f.line),
    ).toEqual([4]);
    expect(typesIn(`exchange: events\nrouting_key: ${routing}\n`, 'config/rabbitmq.yml')).toEqual([]);
  });

  it('judges random lower-case passwords and secrets as random, words as words', () => {
    const appPassword = ['xmjgd', 'nzsuhymvrlj'].join(''); // joined: the repository's self-scan reads literals
    expect(
      scan(`account default\nuser ana@example.net\npassword       ${appPassword}\n`, '.msmtprc').map(
        (f) => f.secret,
      ),
    ).toEqual([appPassword]);
    const gitea = `gto_${g.str('abcdefghijklmnopqrstuvwxyz234567', 52)}`;
    expect(typesIn(`WOODPECKER_GITEA_SECRET=${gitea}\n`, 'etc/woodpecker/server.env')).toEqual([
      'generic_secret',
    ]);
    expect(typesIn(`        auth_pass R3sOHxcx\n`, 'etc/keepalived/keepalived.conf')).toEqual([
      'generic_password',
    ]);
    for (const word of [
      'password = administrators',
      'password = internationalization',
      'password   required',
    ])
      expect(typesIn(`${word}\n`, 'etc/app.conf'), word).toEqual([]);
  });
});

describe('secrets in the idioms of the ninth blind corpus', () => {
  const key = `0x${g.mixed(HEX, 64)}`;

  it('reads an Ethereum private key where its line names a key or lists accounts, not a hash', () => {
    const cases: Array<[string, string]> = [
      ['script/Deploy.s.sol', `        uint256 deployerKey = ${key};`],
      ['script/Deploy.s.sol', `        uint256 pk = vm.envOr("PRIVATE_KEY", uint256(${key}));`],
      ['hardhat.config.ts', `    sepolia: { url: RPC_URL, accounts: ["${key}"] },`],
    ];
    for (const [file, line] of cases)
      expect(typesIn(`${line}\n`, file), line).toEqual(['ethereum_private_key']);
    for (const line of [
      `    bytes32 public constant MERKLE_ROOT = ${key};`,
      `    bytes32 constant DOMAIN_SEPARATOR_HASH_KEY = ${key};`,
      `    uint256 deployerKey = ${key}${g.mixed(HEX, 2)};`,
    ])
      expect(typesIn(`${line}\n`, 'src/Vault.sol'), line).toEqual([]);
  });

  it("is quiet on Hardhat's and Anvil's published development keys", () => {
    const anvil0 = ['0xac0974bec39a17e36ba4a6b4d238ff944bacb478', 'cbed5efcae784d7bf4f2ff80'].join('');
    expect(typesIn(`        uint256 deployerKey = ${anvil0};\n`, 'script/Deploy.s.sol')).toEqual([]);
    expect(typesIn(`PRIVATE_KEY="${anvil0}"\n`, '.env')).toEqual([]);
  });

  it("finds a key in Zig's multi-line string and a secret in a Julia or Kotlin data string", () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString().trim().split('\n');
    const zig = `const deploy_key =\n${pem.map((l) => `    \\\\${l}`).join('\n')}\n;\n`;
    expect(scan(zig, 'src/client.zig').map((f) => [f.type, f.line])).toEqual([['pkcs8_private_key', 2]]);
    const password = strongPassword(g);
    const julia = `const DEFAULT_CONFIG = """\nrabbitmq:\n  rabbitmq_password: ${password}\n"""\n`;
    expect(scan(julia, 'src/Client.jl').map((f) => f.line)).toEqual([3]);
    const doc = `"""\n    connect(; rabbitmq_password: ${password})\n"""\nfunction connect end\n`;
    expect(scan(doc, 'src/Client.jl')).toEqual([]);
    const kotlin = `val config =\n    """\n    rabbitmq_password: ${password}\n    """\n`;
    expect(scan(kotlin, 'src/main/kotlin/Config.kt').map((f) => f.line)).toEqual([3]);
  });

  it('reads Clojure let bindings and destructuring defaults, not a symbol passed to a call', () => {
    const secret = `${g.mixed(`${ALNUM}+/`, 43)}=`;
    const defaults = `(defn connect\n  [& {:keys [jwt-secret]\n      :or {jwt-secret "${secret}"}}])\n`;
    expect(scan(defaults, 'src/acme/sync.clj').map((f) => f.line)).toEqual([3]);
    expect(
      scan(`(let [api-secret "${secret}"]\n  (run api-secret))\n`, 'src/acme/run.clj').map((f) => f.line),
    ).toEqual([1]);
    expect(scan(`(check-login user api-secret "${secret}")\n`, 'src/acme/check.clj')).toEqual([]);
  });

  it("reads a base64 user:password decoded in a notebook cell's JSON string", () => {
    const basic = Buffer.from(`api-user:${strongPassword(g)}`).toString('base64');
    const cell = `  "source": [\n    "auth = base64.b64decode(\\"${basic}\\").decode()"\n  ]\n`;
    expect(scan(cell, 'notebooks/ledger.ipynb').map((f) => f.line)).toEqual([2]);
  });
});

describe('where credentials leak outside source code (the eleventh blind corpus)', () => {
  const password = strongPassword(g);

  it('reads a value that ends at a JSON escape, as a log pasted into an issue holds it', () => {
    const body = `  "body": "Log excerpt:\\n{noformat}\\nADMIN_PASSWORD=${password}\\n{noformat}",\n`;
    expect(scan(body, 'exports/jira/PLAT-1.json').map((f) => f.secret)).toEqual([password]);
  });

  it('reads a value set in an HTML <code> element, in mail and wiki pages', () => {
    const mail = `<div>LDAP_BIND_PASSWORD: <code>${password}</code></div>\n`;
    expect(scan(mail, 'exports/mail/ana/005.eml').map((f) => [f.secret, f.column])).toEqual([[password, 32]]);
  });

  it('reads a connection URL whose slashes a Slack export escapes', () => {
    const url = `mongodb+srv:\\/\\/appuser:${password.replace(/[#%^+=]/g, '')}@cluster0.example.mongodb.net\\/events`;
    expect(typesIn(`{"text": "replica: \`${url}\`"}\n`, 'exports/slack/eng/2024-02-29.json')).toEqual([
      'mongodb_uri',
    ]);
  });

  it("reads the password a PHP stack trace prints in a log, and Vault's unseal key shares", () => {
    const trace = `#0 /var/www/shop/db/pdo.php(22): PDO->__construct('mysql:host=db;...', 'shop', '${password}', Array)\n`;
    expect(scan(trace, 'var/log/php8.1-fpm/error.log').map((f) => f.secret)).toEqual([password]);
    const share = `${g.mixed(`${ALNUM}+/`, 44)}`;
    const init = `\`\`\`\nUnseal Key 1: ${share}\n\nInitial Root Token: <redacted>\n\`\`\`\n`;
    expect(scan(init, 'runbooks/vault-unseal.md').map((f) => [f.type, f.line])).toEqual([
      ['generic_secret', 2],
    ]);
  });

  it('reads the secret column of a Markdown table, not its other columns', () => {
    const table = [
      '| Vendor | URL | Login | Password | Notes |',
      '|---|---|---|---|---|',
      `| Hetzner | https://robot.hetzner.com | \`K8918132\` | \`${password}\` | |`,
      '| Meraki | https://dashboard.meraki.com | `it@example.net` | (in 1Password) | |',
    ].join('\n');
    expect(scan(`${table}\n`, 'wiki/vendor-accounts.md').map((f) => [f.line, f.secret])).toEqual([
      [3, password],
    ]);
  });

  it('is quiet on words glued under an AWS secret name, now that a value ends at a JSON escape', () => {
    const glued = ['TheAwsSecretAccess', 'KeyValueGoesRightHereX'].join('');
    expect(typesIn(`const cfg = "aws_secret_access_key = ${glued}\\n";\n`, 'src/config.ts')).toEqual([]);
  });

  it('reads an SDK key, as LaunchDarkly names its server-side key', () => {
    expect(typesIn(`LAUNCHDARKLY_SDK_KEY=${g.mixed(ALNUM, 40)}\n`, '.env')).toEqual(['generic_api_key']);
  });
});

describe('infrastructure and application projects (the twelfth blind corpus)', () => {
  it('reads passphrases and Apple app-specific passwords under a password name only', () => {
    const passphrase = ['umber', 'cobalt', 'vortex', '25'].join('-');
    const apple = ['pvtz', 'taxp', 'xapc', 'jltz'].join('-');
    expect(typesIn(`DB_PASSWORD=${passphrase}\nAPPLE_APP_SPECIFIC_PASSWORD=${apple}\n`, '.env')).toEqual([
      'generic_password',
      'generic_password',
    ]);
    expect(typesIn(`MIGRATION_NAME=${passphrase}\nRELEASE_CHANNEL=${apple}\n`, '.env')).toEqual([]);
  });

  it('reads a human-chosen password of words and digits in a proxy or registry URL', () => {
    const url = `https://billing-ci:${['Wombat', 'toucan', '3998'].join('')}@gems.example.internal`;
    expect(typesIn(`source "${url}" do\n`, 'Gemfile')).toEqual(['url_with_password']);
    expect(typesIn('dotenv://:key_1234@dotenv.org\n', 'notes.txt')).toEqual([]);
  });

  it('reads literals behind Dart defaults and CDK SecretValue, an Opsgenie UUID key and a server key', () => {
    const token = g.mixed(ALNUM, 40);
    expect(
      typesIn(
        `  static const telemetryToken = String.fromEnvironment('TELEMETRY_TOKEN', defaultValue: '${token}');\n`,
        'lib/env.dart',
      ),
    ).toEqual(['generic_token']);
    expect(
      typesIn(`const geocoderKey = cdk.SecretValue.unsafePlainText('${token}');\n`, 'lib/api-stack.ts'),
    ).toEqual(['generic_api_key']);
    const uuid = uuidOf(g);
    expect(typesIn(`opsgenie_api_key = "${uuid}"\n`, 'envs/prod/ci.auto.tfvars')).toEqual([
      'generic_api_key',
    ]);
    expect(
      typesIn(`  leaderboardServerKey: ${g.mixed(HEX, 32)}\n`, 'Assets/Resources/BackendConfig.asset'),
    ).toEqual(['generic_api_key']);
  });

  it("is quiet on a Confluent key's id, a secret's ARN and a public token inside Gradle's string-in-string", () => {
    const id = g.str('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16);
    expect(typesIn(`config:\n  confluentcloud:cloudApiKey: ${id}\n`, 'Pulumi.staging.yaml')).toEqual([]);
    expect(
      typesIn(
        'LDAP_SECRET_ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/ldap/credentials-rd8OY5\n',
        '.env',
      ),
    ).toEqual([]);
    expect(
      typesIn(
        '        buildConfigField "String", "ADJUST_APP_TOKEN", "\\"4w5q2z8k9lds\\""\n',
        'app/build.gradle',
      ),
    ).toEqual([]);
    const token = g.mixed(ALNUM, 40);
    expect(
      typesIn(
        `        buildConfigField "String", "BACKEND_API_TOKEN", "\\"${token}\\""\n`,
        'app/build.gradle',
      ),
    ).toEqual(['generic_token']);
  });
});

describe('CI/CD, build and release files (the fourteenth blind corpus)', () => {
  it('reads a JFrog Artifactory API key and reference token by their shape, under any name', () => {
    const apiKey = STANDALONE.jfrog_api_key!(g);
    const reference = STANDALONE.jfrog_reference_token!(g);
    expect(
      typesIn(`curl -H "X-JFrog-Art-Api: ${apiKey}" -T dist.tgz https://repo.example.test\n`, 'ci.yml'),
    ).toEqual(['jfrog_api_key']);
    expect(typesIn(`ART_REF="${reference}"\n`, 'scripts/upload.sh')).toEqual(['jfrog_reference_token']);
    // One character short: not the format.
    expect(typesIn(`ART_ID=${apiKey.slice(0, -1)}\n`, 'scripts/upload.sh')).toEqual([]);
  });

  it('reads a random-UUID token in a Bearer header and under Codecov and Snyk names, not other UUIDs', () => {
    const token = uuidOf(g);
    expect(
      typesIn(`+ curl -H 'Authorization: Bearer ${token}' https://api.example.test/releases\n`, 'ci.log'),
    ).toEqual(['authorization_header']);
    expect(
      typesIn(`env:\n  CODECOV_TOKEN: ${token}\n  SNYK_TOKEN: ${uuidOf(g)}\n`, '.github/workflows/ci.yml'),
    ).toEqual(['generic_token', 'generic_token']);
    expect(
      typesIn(`env:\n  RUN_ID: ${token}\n  CODECOV_FLAGS: ${token}\n`, '.github/workflows/ci.yml'),
    ).toEqual([]);
    // A time-based UUID, as documentation examples use, is not a minted token.
    expect(typesIn('Authorization: Bearer 123e4567-e89b-12d3-a456-426614174000\n', 'ci.log')).toEqual([]);
  });

  it('reads a password that ends in `=`, not the next setting of a flag list', () => {
    const password = ['cqHHQX-', '3JC1bsD='].join('');
    expect(typesIn(`signing.password=${password}\n`, '.gradle/gradle.properties')).toEqual([
      'generic_password',
    ]);
    // The next word of a shell completion list is checked in look-alikes.test.ts.
  });

  it('reads a token as the password of a git remote URL, two character classes and all', () => {
    const pat = g.str('abcdefghijklmnopqrstuvwxyz234567', 52);
    expect(typesIn(`https://priya:${pat}@dev.azure.com\n`, '.git-credentials')).toEqual([
      'url_with_password',
    ]);
    expect(typesIn('https://priya:release-notes@dev.azure.com\n', '.git-credentials')).toEqual([]);
  });

  it("leaves Maven's encrypted passwords alone, Maven 3's `{…}` and Maven 4's `{[cipher=…]…}`", () => {
    const body = `${g.mixed(`${ALNUM}+/`, 43)}=`;
    for (const encrypted of [`{${body}}`, `{[name=master,cipher=AES/GCM/NoPadding,version=4.0]${body}}`])
      expect(
        typesIn(`<server>\n  <password>${encrypted}</password>\n</server>\n`, '.m2/settings.xml'),
        encrypted,
      ).toEqual([]);
  });
});

describe('what the eighteenth and nineteenth blind corpora (ML, mobile, operations) wrote', () => {
  const hex = (n: number): string => g.mixed(HEX, n);

  it("reads an Info.plist's <key> and the <string> after it, on the next line or the same one", () => {
    const key = g.mixed(ALNUM, 32);
    const plist = `<dict>\n\t<key>APIKey</key>\n\t<string>${key}</string>\n\t<key>API_SECRET</key><string>${g.mixed(ALNUM, 40)}</string>\n\t<key>CFBundleIdentifier</key>\n\t<string>com.example.shopper</string>\n\t<key>PASSWORD</key>\n\t<string>$(PASSWORD)</string>\n</dict>\n`;
    expect(scan(plist, 'ios/Shopper/Info.plist').map((f) => [f.type, f.line])).toEqual([
      ['generic_api_key', 3],
      ['generic_secret', 4],
    ]);
  });

  it('reads random letters as an unquoted password in a properties file, not a word or a CamelCase name', () => {
    const letters = g.mixed('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 16);
    expect(typesIn(`MYAPP_RELEASE_KEY_PASSWORD=${letters}\n`, 'android/gradle.properties')).toEqual([
      'generic_password',
    ]);
    const names = 'signing.password=StorePasswordFromEnv\nkeyPassword=Passphrase\n';
    expect(scan(names, 'android/gradle.properties')).toEqual([]);
  });

  it("reads a .netrc password of 40 hex as an API key (W&B's), not as a password hash", () => {
    const netrc = (host: string): string => `machine ${host}\n  login user\n  password ${hex(40)}\n`;
    expect(typesIn(netrc('api.wandb.ai'), 'configs/.netrc')).toEqual(['wandb_api_key']);
    expect(typesIn(netrc('api.partner.example'), 'configs/.netrc')).toEqual(['generic_api_key']);
  });

  it('reads a key named in prose in an email, and the header nginx compares a request against', () => {
    expect(typesIn(`Hi,\n\nDatadog API key: ${hex(32)}\n\nThanks\n`, 'docs/mail/access.eml')).toEqual([
      'datadog_api_key',
    ]);
    const token = g.mixed(`${ALNUM}/`, 64);
    const conf = `    if ($http_authorization != "Bearer ${token}") { return 403; }\n`;
    expect(typesIn(conf, 'ops/nginx/sites-available/api.conf')).toEqual(['authorization_header']);
    // A comparison with anything else is code.
    expect(
      scan(`if ($http_authorization != "") { return 401; }\nif token == "${token}":\n`, 'x.conf'),
    ).toEqual([]);
  });

  it("reads haproxy's stats auth in any .cfg under a haproxy folder, not elsewhere", () => {
    const line = `    stats auth admin:${pw}\n`;
    expect(typesIn(line, 'ops/haproxy/edge.cfg')).toEqual(['generic_password']);
    expect(typesIn(line, 'ops/monitoring/edge.cfg')).toEqual([]);
  });

  it("reads an SSM SecureString parameter's value from a Terraform state, whatever its name", () => {
    const state = `{"resources": [{"type": "aws_ssm_parameter", "instances": [{"attributes": {\n  "name": "/billing/dd",\n  "type": "SecureString",\n  "value": "${hex(32)}",\n  "version": 4\n}}]}, {"type": "aws_ssm_parameter", "instances": [{"attributes": {\n  "name": "/billing/region",\n  "type": "String",\n  "value": "${hex(32)}"\n}}]}]}\n`;
    expect(scan(state, 'infra/billing/terraform.tfstate').map((f) => [f.type, f.line])).toEqual([
      ['generic_secret', 4],
    ]);
  });

  it('reads OpenAI project keys without the T3BlbkFJ marker, Linear OAuth tokens, not a short sk-proj- placeholder', () => {
    const project = `sk-proj-${g.mixed(B64URL, 156)}`;
    expect(typesIn(`OPENAI_API_KEY=${project}\n`, '.env')).toEqual(['openai_api_key']);
    expect(typesIn(`key = "sk-svcacct-${g.mixed(B64URL, 120)}"\n`, 'a.py')).toEqual(['openai_api_key']);
    expect(scan('OPENAI_API_KEY=sk-proj-...\nOPENAI_API_KEY=sk-proj-abc123\n', '.env.example')).toEqual([]);
    // A bare sk- needs the marker: `sk-` and 48 random characters is no OpenAI format.
    expect(typesIn(`value: sk-${g.mixed(ALNUM, 48)}\n`, 'notes.yaml')).toEqual([]);
    expect(typesIn(`LINEAR=lin_oauth_${hex(64)}\n`, '.env')).toEqual(['linear_api_key']);
  });

  it('reads a private key a CI log echoes with a timestamp before each line', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'sec1',
      format: 'pem',
    }) as string;
    const log = pem
      .trim()
      .split('\n')
      .map(
        (line, i) =>
          `2024-09-04T02:31:${String(49 + i).padStart(2, '0')}.5070006Z ${i === 0 ? 'SIGNING_KEY=' : ''}${line}`,
      )
      .join('\n');
    const findings = scan(`2024-09-04T02:31:48.3610000Z RUNNER_OS=Linux\n${log}\n`, 'ci-logs/1_publish.txt');
    expect(findings.map((f) => [f.type, f.line])).toEqual([['ec_private_key', 2]]);
  });

  it('reads a password with printf-like characters inside it, and a default after Elixir System.get_env', () => {
    const password = `${g.mixed(ALNUM, 6)}%v*${g.mixed(ALNUM, 6)}%*!${g.mixed(ALNUM, 8)}`;
    expect(typesIn(`"text": "creds: \`KEYSTORE_PASSWORD=${password}\`"\n`, 'chat/export.json')).toEqual([
      'generic_password',
    ]);
    expect(scan('password = "%s:%d"\nDB_PASSWORD="user-%v"\n', 'app.py')).toEqual([]);
    const base = g.mixed(`${ALNUM}+/`, 64);
    expect(
      typesIn(`  secret_key_base = System.get_env("SECRET_KEY_BASE") || "${base}"\n`, 'config/runtime.exs'),
    ).toEqual(['generic_secret']);
  });

  it("is quiet on Shopify's API key (the app's client id), not its API secret", () => {
    expect(scan(`SHOPIFY_API_KEY=${hex(32)}\n`, '.env')).toEqual([]);
    expect(typesIn(`SHOPIFY_API_SECRET=${hex(32)}\n`, '.env')).toEqual(['generic_secret']);
  });

  it('reads a configuration token whose body holds hyphens', () => {
    const token = `xoxe.xoxp-1-${g.mixed(ALNUM, 40)}-${g.mixed(ALNUM, 40)}-${g.mixed(ALNUM, 60)}`;
    expect(typesIn(`{"refresh": "${token}"}\n`, 'bots/.slack-tokens.json')).toEqual(['slack_config_token']);
  });

  it("reads Statsig's `secret-` server keys and HubSpot's private app tokens, not FCM device tokens", () => {
    const statsig = `secret-${g.mixed(ALNUM, 43)}`;
    expect(typesIn(`STATSIG_SERVER_SECRET = "${statsig}"\n`, 'dags/readout.py')).toEqual(['generic_secret']);
    expect(scan(`CLIENT_SECRET = "secret-${'x'.repeat(43)}"\n`, 'dags/readout.py')).toEqual([]);
    const hubspot = `pat-eu1-${uuidOf(g)}`;
    expect(typesIn(`HUBSPOT_PRIVATE_APP_TOKEN = "${hubspot}"\n`, 'dags/sync.py')).toEqual([
      'hubspot_private_app_token',
    ]);
    const fcm = `${g.mixed(B64URL, 11)}:APA91b${g.mixed(B64URL, 134)}`;
    expect(scan(`I ShopperApp: FCM token: ${fcm}\n`, 'logs/logcat.txt')).toEqual([]);
  });
});
