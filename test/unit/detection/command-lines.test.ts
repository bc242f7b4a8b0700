/**
 * Credentials whose position, not a keyword, says what they are: passwords given to command-line
 * tools, Twilio's SID:token userinfo, `.pgpass` lines, Terraform variable defaults, assignments
 * inside a notebook's JSON-escaped source, dotted and service-named keys.
 */
import { describe, expect, it } from 'vitest';
import { ALNUM, B64URL, HEX, strongPassword } from '../../../bench/scan/tokens.ts';
import { gen, lowScanner, scan, typesIn } from './helpers.ts';

const g = gen(81);
const pw = strongPassword(g);

describe('passwords on command lines', () => {
  const cases: Array<[string, string]> = [
    ['mysql, attached to -p', `mysql -u root -p${pw} -h db.internal shop`],
    ['mysqldump, quoted after -p', `mysqldump -u backup -p'${pw}' --all-databases > all.sql`],
    ['sshpass -p', `sshpass -p '${pw}' ssh deploy@10.0.0.4 uptime`],
    ['curl -u user:password', `curl -u admin:${pw} https://jenkins.internal/api/json`],
    ['curl --user=user:password', `curl -s --user=admin:${pw} https://jenkins.internal/api/json`],
    ['docker login -p', `docker login -u bot -p ${pw} registry.internal`],
    ['helm registry login -p', `helm registry login registry.internal -u bot -p ${pw}`],
    ['redis-cli -a', `redis-cli -h cache.internal -a ${pw} ping`],
    ['ldapsearch -w', `ldapsearch -x -D "cn=admin,dc=acme,dc=io" -w ${pw} -b dc=acme,dc=io`],
    ['smbclient -U user%password', `smbclient //files/share -U backup%${pw}`],
    ['sqlcmd -P', `sqlcmd -S db.internal -U sa -P ${pw} -Q "SELECT 1"`],
    ['htpasswd in batch mode', `htpasswd -bc /etc/nginx/.htpasswd admin ${pw}`],
    ['sqlplus user/password@db', `sqlplus -S app_owner/${pw}@//db.internal:1521/ORCL @deploy.sql`],
    ['a full path to the tool', `/usr/bin/mysql -uroot -p${pw} shop`],
    [
      'PowerShell ConvertTo-SecureString -AsPlainText',
      `$pw = ConvertTo-SecureString "${pw}" -AsPlainText -Force`,
    ],
  ];
  it.each(cases)('%s', (_name, line) => {
    const findings = scan(`#!/bin/sh\nset -e\n${line}\n`, 'scripts/ops.sh');
    expect(findings.map((f) => [f.type, f.secret, f.line])).toEqual([['command_line_password', pw, 3]]);
    const text = line;
    expect(text.slice((findings[0]?.column ?? 0) - 1).startsWith(pw)).toBe(true);
  });

  it('follows backslash line continuations, as a multi-line curl in a README is written', () => {
    const text = [
      '```sh',
      'curl -X POST https://ci.internal/job/deploy/build \\',
      '  -H "Content-Type: application/json" \\',
      `  -u deployer:${pw}`,
      '```',
    ].join('\n');
    expect(scan(`${text}\n`, 'docs/deploy.md').map((f) => [f.type, f.line])).toEqual([
      ['command_line_password', 4],
    ]);
  });

  it('reads the command inside the string a program runs', () => {
    const findings = scan(
      `subprocess.run("sshpass -p ${pw} scp dump.sql backup@nas:", shell=True)\n`,
      'ops/backup.py',
    );
    expect(findings.map((f) => f.secret)).toEqual([pw]);
  });

  it.each([
    ['mysql -p alone prompts', 'mysql -u root -p shop'],
    ['a password from the environment', 'mysql -u root -p"$MYSQL_ROOT_PASSWORD" shop'],
    ['a password from a command', `sshpass -p "$(cat /run/secrets/ssh)" ssh deploy@bastion`],
    ['a password from a backtick command', 'sshpass -p `cat ~/.ssh/pass` ssh deploy@bastion'],
    ['curl -u with only a user prompts', 'curl -u admin https://ci.internal/api/json'],
    ['curl -u from variables', 'curl -u "$CI_USER:$CI_TOKEN" https://ci.internal/api/json'],
    ['a GitHub Actions secret', 'docker login -u ci -p ${{ secrets.REGISTRY_PASSWORD }} ghcr.io'],
    ['a Windows variable', 'sqlcmd -S db -U sa -P %SA_PASSWORD% -Q "SELECT 1"'],
    ['a placeholder', "sshpass -p '<password>' ssh deploy@bastion"],
    ['a weak word', 'mysql -u root -ppassword123 shop'],
    ['docker login reading stdin', 'echo "$PW" | docker login -u ci --password-stdin ghcr.io'],
    ['the word curl in prose', `Use curl to fetch it; the -u flag takes user:password.`],
    ['htpasswd without batch mode prompts', 'htpasswd -c /etc/nginx/.htpasswd admin'],
    ['sqlplus with operating-system authentication', 'sqlplus / as sysdba'],
    ['sqlplus without a logon', 'sqlplus /nolog @create_schema.sql'],
    ['sqlplus prompting for the password', 'sqlplus app_owner@ORCL'],
    [
      'an exported SecureString (encrypted, no -AsPlainText)',
      `$s = ConvertTo-SecureString "${'01000000d08c9ddf0115d1118c7a00c04fc297eb'}"`,
    ],
  ])('is quiet on %s', (_name, line) => {
    expect(typesIn(`${line}\n`, 'scripts/ops.sh')).toEqual([]);
  });

  it('reports a command line in API documentation comments at low confidence', () => {
    const text = `/**\n * Example:\n *   mysql -u app -p${pw} shop\n */\nexport function connect() {}\n`;
    expect(scan(text, 'src/db.ts')).toEqual([]);
    expect(lowScanner.scanText(text, 'src/db.ts').map((f) => [f.type, f.confidence])).toEqual([
      ['command_line_password', 'low'],
    ]);
  });

  it('does not look for command lines in lockfiles, type declarations or bundles', () => {
    const line = `mysql -u root -p${pw} shop\n`;
    expect(typesIn(line, 'dist/app.min.js')).toEqual([]);
    expect(typesIn(line, 'types/index.d.ts')).toEqual([]);
    expect(typesIn(line, 'scripts/restore.sh')).toEqual(['command_line_password']);
  });
});

describe("Twilio's SID and secret pairs", () => {
  const sid = `AC${g.mixed(HEX, 32)}`;
  const token = g.mixed(HEX, 32);
  it('finds the auth token in a URL with the account SID as its user', () => {
    const text = `curl -X POST https://${sid}:${token}@api.twilio.com/2010-04-01/Accounts/${sid}/Messages.json\n`;
    expect(scan(text, 'scripts/sms.sh').map((f) => f.type)).toEqual(['twilio_auth_token']);
  });

  it('finds the auth token given to curl -u', () => {
    const text = `curl https://api.twilio.com/2010-04-01/Accounts/${sid}/Messages.json -u ${sid}:${token}\n`;
    expect(scan(text, 'scripts/sms.sh').map((f) => [f.type, f.secret])).toEqual([
      ['twilio_auth_token', `${sid}:${token}`],
    ]);
  });

  it('finds an API key secret given with its SK SID', () => {
    const secret = g.mixed(ALNUM, 32);
    const key = `SK${g.mixed(HEX, 32)}`;
    const text = `curl -u "${key}:${secret}" https://api.twilio.com/v1/Services\n`;
    expect(scan(text, 'scripts/sms.sh').map((f) => [f.type, f.secret])).toEqual([
      ['twilio_api_key_secret', `${key}:${secret}`],
    ]);
  });

  it.each([
    ['Python', 'app/sms.py', `from twilio.rest import Client\nclient = Client("${sid}", "${token}")\n`],
    ['C#', 'Sms.cs', `using Twilio;\nTwilioClient.Init("${sid}", "${token}");\n`],
    ['Node', 'sms.js', `const twilio = require('twilio');\nconst client = twilio('${sid}', '${token}');\n`],
  ])('finds the auth token given with the account SID as a %s client’s arguments', (_, file, text) => {
    expect(scan(text, file).map((f) => [f.type, f.line, f.secret])).toEqual([
      ['twilio_auth_token', 2, `${sid}:${token}`],
    ]);
  });

  it('reports the argument on its own line when the call spans lines', () => {
    const text = `import com.twilio.Twilio;\nTwilio.init(\n    "${sid}",\n    "${token}");\n`;
    expect(scan(text, 'Sms.java').map((f) => [f.type, f.line])).toEqual([['twilio_auth_token', 4]]);
  });

  it('finds an API key secret given after its SK SID, as one credential', () => {
    const secret = g.mixed(ALNUM, 32);
    const key = `SK${g.mixed(HEX, 32)}`;
    const text = `const twilio = require('twilio');\nconst client = twilio('${key}', '${secret}', { accountSid: '${sid}' });\n`;
    expect(scan(text, 'sms.js').map((f) => [f.type, f.secret])).toEqual([
      ['twilio_api_key_secret', `${key}:${secret}`],
    ]);
  });

  it('stays quiet on argument pairs in a file that never names Twilio, and on placeholder tokens', () => {
    expect(typesIn(`client = Client("${sid}", "${token}")\n`, 'app/sms.py')).toEqual([]);
    const zeros = '0'.repeat(32);
    expect(typesIn(`from twilio.rest import Client\nClient("${sid}", "${zeros}")\n`, 'app/sms.py')).toEqual(
      [],
    );
  });

  it('does not take a 32-hex password under any other user for a Twilio token', () => {
    expect(typesIn(`curl -u admin:${token} https://ci.internal/\n`, 'scripts/ci.sh')).not.toContain(
      'twilio_auth_token',
    );
  });
});

describe('.pgpass files', () => {
  it('reports the password field of each line, escapes and wildcards included', () => {
    const other = strongPassword(g);
    const text = [
      '# hostname:port:database:username:password',
      `db.internal:5432:orders:app:${pw}`,
      `*:*:*:replicator:${other.slice(0, 4)}\\:${other.slice(4)}`,
      'localhost:5432:dev:dev:dev',
      '',
    ].join('\n');
    expect(scan(text, 'home/deploy/.pgpass').map((f) => [f.type, f.line, f.secret])).toEqual([
      ['postgres_password', 2, pw],
      ['postgres_password', 3, `${other.slice(0, 4)}:${other.slice(4)}`],
    ]);
  });

  it('reads the format only in files libpq reads it from', () => {
    expect(typesIn(`db.internal:5432:orders:app:${pw}\n`, 'notes.txt')).toEqual([]);
    expect(typesIn(`db.internal:5432:orders:app:${pw}\n`, 'AppData/postgresql/pgpass.conf')).toEqual([
      'postgres_password',
    ]);
  });
});

describe('names that sit away from their value', () => {
  it('reads a Terraform variable default under the name of its block', () => {
    const text = [
      'variable "smtp_password" {',
      '  type      = string',
      '  sensitive = true',
      `  default   = "${pw}"`,
      '}',
      '',
    ];
    expect(scan(text.join('\n'), 'infra/variables.tf').map((f) => [f.type, f.line])).toEqual([
      ['generic_password', 4],
    ]);
  });

  it('stops at the end of the variable block', () => {
    const text = [
      'variable "db_password" {',
      '  type = string',
      '}',
      '',
      'locals {',
      `  default = "${pw}"`,
      '}',
      '',
    ];
    expect(typesIn(text.join('\n'), 'infra/variables.tf')).toEqual([]);
  });

  it('reads a CloudFormation parameter default under the name of its parameter', () => {
    const text = [
      'Parameters:',
      '  DBPassword:',
      '    Type: String',
      '    NoEcho: true',
      '    # set on first deploy',
      `    Default: ${pw}`,
      '  InstanceType:',
      '    Type: String',
      '    Default: t3.micro',
      '',
    ];
    expect(scan(text.join('\n'), 'infra/template.yaml').map((f) => [f.type, f.line])).toEqual([
      ['generic_password', 6],
    ]);
  });

  it("stops at the end of the parameter's mapping", () => {
    const text = ['Parameters:', '  DBPassword:', '    Type: String', '  Other:', `    Default: ${pw}`, ''];
    expect(typesIn(text.join('\n'), 'infra/template.yaml')).toEqual([]);
  });

  it("reads an ARM parameter file's value and an ARM template's defaultValue", () => {
    const other = strongPassword(g);
    const parameters = [
      '{',
      '  "parameters": {',
      '    "adminUsername": { "value": "azureuser" },',
      `    "adminPassword": { "value": "${pw}" },`,
      '    "sqlPassword": {',
      '      "reference": { "keyVault": { "id": "/subscriptions/x/vaults/kv" }, "secretName": "sql" }',
      '    }',
      '  }',
      '}',
      '',
    ];
    expect(scan(parameters.join('\n'), 'arm/azuredeploy.parameters.json').map((f) => f.line)).toEqual([4]);
    const template = [
      '{',
      '  "MasterUserPassword": {',
      '    "type": "securestring",',
      `    "defaultValue": "${other}"`,
      '  }',
      '}',
      '',
    ];
    expect(scan(template.join('\n'), 'arm/azuredeploy.json').map((f) => f.line)).toEqual([4]);
  });

  it('reads a typed Go or Bicep declaration', () => {
    expect(typesIn(`var dbPassword string = "${pw}"\n`, 'cmd/main.go')).toEqual(['generic_password']);
    expect(typesIn(`param adminPassword string = '${pw}'\n`, 'infra/main.bicep')).toEqual([
      'generic_password',
    ]);
    expect(typesIn(`var dbPassword string = os.Getenv("DB_PASSWORD")\n`, 'cmd/main.go')).toEqual([]);
  });

  it("reads an Apple ID's app-specific password behind an environment fallback", () => {
    const appPassword = ['xafb', 'wllt', 'zykx', 'llmb'].join('-');
    const line = `  appleIdPassword: process.env.APPLE_APP_SPECIFIC_PASSWORD || '${appPassword}',\n`;
    expect(typesIn(line, 'build/notarize.js')).toEqual(['generic_password']);
  });

  it("reads an assignment inside a notebook's JSON-escaped source line", () => {
    const key = g.mixed(B64URL, 32);
    const text = [
      '{',
      ' "cells": [{',
      '   "source": [',
      `    "x_api_key = \\"${key}\\"\\n",`,
      '   ]',
      ' }]',
      '}',
      '',
    ];
    expect(scan(text.join('\n'), 'notebooks/explore.ipynb').map((f) => [f.type, f.secret])).toEqual([
      ['generic_api_key', key],
    ]);
  });

  it('names a dotted key that ends in a bare `key` by the segment before it', () => {
    const key = g.mixed(ALNUM, 38);
    expect(typesIn(`app.geocoder.api.key: ${key}\n`, 'src/main/resources/application.properties')).toEqual([
      'generic_api_key',
    ]);
    expect(typesIn(`app.cache.key: ${key}\n`, 'src/main/resources/application.properties')).toEqual([]);
  });

  it('takes a key named after a known service for an API key', () => {
    // No issuer format (an sk-proj- prefix would make it OpenAI's): only the name says API key.
    const key = g.mixed(B64URL, 48);
    expect(typesIn(`export OPENAI_KEY="${key}"\n`, 'bin/bootstrap.sh')).toEqual(['generic_api_key']);
    expect(typesIn(`export SORT_KEY="${g.mixed(ALNUM, 40)}"\n`, 'bin/bootstrap.sh')).toEqual([]);
  });

  it('does not take random mixed case for CamelCase words', () => {
    // Lowercase runs without vowels (`Rvxq`, `vwhd`) are not words.
    const random = ['edyema', 'Rvxq', 'SV9', 'vwhd', 'FM8'].join('');
    expect(typesIn(`  config.x.internal_api_key = '${random}'\n`, 'lib/client.rb')).toEqual([
      'generic_api_key',
    ]);
    expect(typesIn(`  config.x.internal_api_key = 'SignatureWithCredentialsV4'\n`, 'lib/client.rb')).toEqual(
      [],
    );
  });
});
