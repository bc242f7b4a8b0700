/**
 * Files whose format says what a value is, with no key name on its line: a Rails master key
 * (`config/master.key`, `config/credentials/production.key`: 32 hex, decrypts the credentials
 * file next to it), a Terraform state file's generated passwords (`random_password`'s `result`,
 * in plain text in every `terraform.tfstate`), PostgreSQL password files and the lines scripts
 * write into them (pgpass.ts), cloud-init's `chpasswd` list, other one-password-per-line files
 * (PASSWORD_LINES), and the base64 values of a Kubernetes
 * Secret's `data:` (decoded and judged by the engine).
 */
import type { FileContext } from './context.ts';
import { judgeBarePassword, judgeBareSecret } from './generic.ts';
import { isHashLength, shannonEntropy } from './heuristics.ts';
import type { Hit, HitKind } from './model.ts';
import { GENERIC_PASSWORD, GENERIC_SECRET, PRIORITY, valueHit } from './model.ts';
import { isPgpassFile, matchPgpass, matchWrittenPgpass } from './pgpass.ts';

const RAILS_KEY_FILE = /(?:^|\/)config\/(?:master|credentials\/[\w.-]+)\.key$/;
const TFSTATE = /\.tfstate(?:\.backup)?$/;
const SECURE_STRING = '"type": "SecureString"';
const HAPROXY_CFG = /haproxy[^/]*\.cfg$|(?:^|\/)haproxy\/(?:[^/]+\/)*[^/]+\.cfg$/;

/**
 * Every format here that applies to the file: chosen by its path (a password file, a Rails key,
 * a Terraform state) or by a word in a configuration file (`pgpass`, `chpasswd:`).
 */
export function matchFileFormats(text: string, file: FileContext, hits: Hit[]): void {
  const { path, kind } = file;
  // Formats for any path look in configuration and scripts only (each marker test is a pass over
  // the text), but for a Go DSN, which Go source holds too.
  const configLike = kind === 'config' || kind === 'other';
  for (const format of PASSWORD_LINES)
    if (
      (format.path ? format.path.test(path) : configLike || format.anyKind) &&
      (!format.marker || text.includes(format.marker))
    )
      matchPasswordLines(text, format.line, format.kind ?? GENERIC_PASSWORD, hits);
  if (isPgpassFile(path)) matchPgpass(text, hits);
  // Scripts, Dockerfiles and cloud-init write password files; source code does not.
  else if ((kind === 'config' || kind === 'doc' || kind === 'other') && text.includes('pgpass'))
    matchWrittenPgpass(text, hits);
  if (OPENVPN_FILE.test(path)) matchOpenVpnCredentials(text, hits);
  if (RAILS_KEY_FILE.test(path)) matchRailsKey(text, hits);
  else if (TFSTATE.test(path)) matchTerraformState(text, hits);
  if (kind === 'config' && text.includes('chpasswd:')) matchCloudInitPasswords(text, hits);
}

/**
 * Files of one password per line, each line in the tool's own syntax; group 1 of \`line\` is the
 * password. Hashes and weak values are left out by the same judge as a bare password.
 */
const PASSWORD_LINES: ReadonlyArray<{
  /** The files the format is kept in; without one, configuration and scripts of any name. */
  path?: RegExp;
  /** Without a path, source code too (a Go DSN). */
  anyKind?: true;
  marker?: string;
  line: RegExp;
  /** What the value is, when not a password. */
  kind?: HitKind;
}> = [
  // Postfix `smtp_sasl_password_maps`: `[smtp.example.com]:587  user@example.com:password`.
  { path: /(?:^|\/)sasl_passwd$/, line: /^[ \t]*[^\s#]\S*[ \t]+[^\s:]+:(\S+)[ \t]*$/ },
  // davfs2: `https://host/path  user  password`.
  { path: /(?:^|\/)davfs2\/secrets$/, line: /^[ \t]*[^\s#]\S*[ \t]+\S+[ \t]+"?([^\s"]+)"?[ \t]*$/ },
  // pppd: `"client" server "secret" addresses`.
  {
    path: /(?:^|\/)(?:chap|pap)-secrets$/,
    line: /^[ \t]*(?:"[^"]+"|[^\s#"]\S*)[ \t]+\S+[ \t]+"?([^\s"]+)"?/,
  },
  // PgBouncer `auth_file`: `"user" "password"` (or an md5/SCRAM verifier, which is a hash).
  { path: /(?:^|\/)userlist\.txt$/, marker: '"', line: /^[ \t]*"[^"]+"[ \t]+"([^"]+)"/ },
  // Jetty's HashLoginService: `user: password, role…` (or `MD5:`/`CRYPT:`, hashes).
  { path: /realm\.properties$/, line: /^[ \t]*[\w.@-]+[ \t]*[:=][ \t]*(?!MD5:|CRYPT:|OBF:)([^\s,]+)[ \t]*,/ },
  // htpasswd with a plaintext entry (nginx and Apache also read `user:password`, not only hashes).
  { path: /(?:^|\/)\.?htpasswd$/, line: /^[^\s#:]+:(?!\$|\{SHA\}|[./0-9A-Za-z]{13}$)(\S+)$/ },
  // strongSwan / libreswan: `left right : PSK "…"`, `user : EAP "…"`.
  { path: /ipsec\.secrets$|\.secrets$/, marker: ':', line: /:[ \t]*(?:PSK|EAP|XAUTH|NTLM)[ \t]+"([^"]+)"/ },
  // Dovecot passwd-file and any `{PLAIN}` / `{CLEAR}` scheme: the password stored in the clear.
  { marker: 'PLAIN}', line: /\{PLAIN\}([^\s:]+)/ },
  { marker: 'CLEAR', line: /\{CLEAR(?:TEXT)?\}([^\s:]+)/ },
  // curl's config file: `user = "name:password"`.
  {
    path: /(?:^|\/)[._]curlrc$/,
    line: /^[ \t]*(?:user|-u|--user)[ \t]*[=: \t][ \t]*"?[^:"\s]+:([^"\s]+)"?[ \t]*$/,
  },
  // haproxy's stats page, `stats auth user:password` (haproxy.cfg, or any .cfg under a haproxy/ folder).
  { path: HAPROXY_CFG, marker: 'stats', line: /^[ \t]*stats[ \t]+auth[ \t]+[^:\s]+:(\S+)[ \t]*$/ },
  // squid's parent proxy login: `cache_peer … login=user:password`.
  { path: /squid[^/]*\.conf$/, marker: 'login=', line: /\blogin=[^:\s]+:(\S+)/ },
  // Redis ACL rules, `user name on >password …`, and Sentinel's `sentinel auth-pass master password`.
  { path: /(?:redis[^/]*\.conf|\.acl)$/, marker: '>', line: /^[ \t]*user[ \t]+\S+[ \t].*?[ \t]>(\S+)/ },
  { path: /sentinel[^/]*\.conf$/, line: /^[ \t]*sentinel[ \t]+auth-pass[ \t]+\S+[ \t]+(\S+)[ \t]*$/ },
  // A Ceph keyring: `key = AQ…==`, a CephX secret (base64 of 28 bytes: 40 characters).
  { path: /\.keyring$/, line: /^[ \t]*key[ \t]*=[ \t]*(AQ[A-Za-z0-9+/]{36}==)[ \t]*$/ },
  // nginx passing fixed basic-auth credentials upstream.
  {
    marker: 'proxy_set_header',
    line: /proxy_set_header[ \t]+Authorization[ \t]+"?Basic[ \t]+([A-Za-z0-9+/]+={0,2})"?/i,
  },
  // `vault operator init` prints the unseal key shares; a runbook or a pasted terminal keeps them.
  {
    marker: 'Unseal Key ',
    anyKind: true,
    kind: GENERIC_SECRET,
    line: /^\s*Unseal Key \d+: ([A-Za-z0-9+/]{43,}={0,2})\s*$/,
  },
  // Go's MySQL driver DSN: `user:password@tcp(host:3306)/db` (Telegraf, Grafana, Go services).
  { marker: '@tcp(', anyKind: true, line: /[\w.-]+:([^@\s"'/:]+)@tcp\(/ },
  // Net-SNMP's SNMPv3 users: `createUser [-e id] name SHA-256 "authpass" AES "privpass"`.
  {
    path: /snmpd?\.conf$/,
    marker: 'createUser',
    line: /^[ \t]*createUser[ \t]+(?:-e[ \t]+\S+[ \t]+)?\S+[ \t]+(?:MD5|SHA(?:-\d+)?)[ \t]+"?([^\s"]+)"?/,
  },
  // Nagios/Icinga `resource.cfg`: `$USER3$=…` macros hold the plugins' passwords (and paths, not judged as one).
  { path: /(?:^|\/)resource\.cfg$/, line: /^[ \t]*\$USER\d+\$[ \t]*=[ \t]*(\S+)[ \t]*$/ },
  // OpenLDAP replication and proxies bind with `binddn="…" credentials=…` (slapd.conf, cn=config LDIF).
  { path: /slapd[^/]*\.conf$|\.ldif$/, marker: 'credentials=', line: /(?:^|[ \t])credentials="?([^\s"]+)/ },
  // `echo "user:password" | chpasswd` in a provisioning script.
  {
    marker: 'chpasswd',
    line: /echo[ \t]+["']?[\w.-]+:([^\s"'|]+)["']?[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd/,
  },
];

function matchPasswordLines(text: string, line: RegExp, kind: HitKind, hits: Hit[]): void {
  for (let lineStart = 0; lineStart < text.length;) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const m = line.exec(text.slice(lineStart, lineEnd).replace(/\r$/, ''));
    const password = m?.[1];
    if (m && password && judgeBarePassword(password)) {
      const start = lineStart + m.index + m[0].lastIndexOf(password);
      hits.push(valueHit(kind, start, password, 'high', PRIORITY.specific));
    }
    lineStart = lineEnd + 1;
  }
}

const KUBERNETES_SECRET = /^kind:[ \t]*["']?Secret["']?[ \t]*$/m;
const DATA_BLOCK = /^([ \t]*)data:[ \t]*$/gm;
const DATA_ENTRY = /^([ \t]+)[\w.-]+:[ \t]*(["']?)([A-Za-z0-9+/]{8,}={0,2})\2[ \t]*$/;

/**
 * The base64 values under each \`data:\` map of a Kubernetes Secret manifest (every document of a
 * multi-document file that declares \`kind: Secret\`), with their offsets.
 */
export function secretManifestData(text: string): Array<{ start: number; value: string }> {
  if (!text.includes('Secret') || !KUBERNETES_SECRET.test(text)) return [];
  const found: Array<{ start: number; value: string }> = [];
  DATA_BLOCK.lastIndex = 0;
  let block: RegExpExecArray | null;
  while ((block = DATA_BLOCK.exec(text)) !== null) {
    // The YAML document holding this map must be the Secret (not a ConfigMap next to it).
    const docStart = text.lastIndexOf('\n---', block.index) + 1;
    const next = text.indexOf('\n---', block.index);
    if (!KUBERNETES_SECRET.test(text.slice(docStart, next < 0 ? text.length : next))) continue;
    const indent = (block[1] as string).length;
    let lineStart = text.indexOf('\n', block.index) + 1;
    while (lineStart > 0 && lineStart < text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = text.length;
      const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
      if (line.trim() !== '' && !line.trimStart().startsWith('#')) {
        const m = DATA_ENTRY.exec(line);
        if (!m || (m[1] as string).length <= indent) break;
        const value = m[3] as string;
        found.push({ start: lineStart + line.lastIndexOf(value), value });
      }
      lineStart = lineEnd + 1;
    }
  }
  return found;
}

const OPENVPN_FILE = /(?:^|\/)openvpn\/|\.ovpn$|\.auth$/;
/** A file of a username line and a password line, nothing else. */
const USER_PASS_FILE = /^\s*[^\s#;<]+[ \t]*\r?\n[ \t]*(\S+)[ \t]*(?:\r?\n\s*)?$/;
const INLINE_USER_PASS =
  /<auth-user-pass>[ \t]*\r?\n[ \t]*\S+[ \t]*\r?\n[ \t]*(\S+)[ \t]*\r?\n[ \t]*<\/auth-user-pass>/g;

/**
 * OpenVPN's `auth-user-pass FILE`: the username on the first line, the password on the second, in
 * a file of its own next to the profile or inline in a `.ovpn` as `<auth-user-pass>…</auth-user-pass>`.
 */
function matchOpenVpnCredentials(text: string, hits: Hit[]): void {
  const file = USER_PASS_FILE.exec(text);
  const found = file ? [file] : text.includes('<auth-user-pass>') ? text.matchAll(INLINE_USER_PASS) : [];
  for (const m of found) {
    const password = m[1] as string;
    if (!judgeBarePassword(password)) continue;
    const start = m.index + m[0].lastIndexOf(password);
    hits.push(valueHit(GENERIC_PASSWORD, start, password, 'high', PRIORITY.specific));
  }
}

function matchRailsKey(text: string, hits: Hit[]): void {
  const value = text.trim();
  if (value.length !== 32 || !isHashLength(value) || shannonEntropy(value) < 3.0) return;
  const kind = { type: 'rails_master_key', provider: 'rails', revocable: false };
  hits.push(valueHit(kind, text.indexOf(value), value, 'high', PRIORITY.specific));
}

/**
 * Each `random_password` resource's instances hold `"result": "<the password>"`, and each SSM
 * parameter of type SecureString its `"value"` in the clear (whatever the parameter is named).
 */
function matchTerraformState(text: string, hits: Hit[]): void {
  for (let at = text.indexOf(SECURE_STRING); at >= 0; at = text.indexOf(SECURE_STRING, at + 1)) {
    const close = text.indexOf('}', at);
    const m = /"value":\s*"((?:[^"\\]|\\.)+)"/.exec(text.slice(at, close < 0 ? text.length : close));
    if (!m?.[1]) continue;
    const value = JSON.parse(`"${m[1]}"`) as string;
    if (!judgeBareSecret(value)) continue;
    const start = at + m.index + m[0].length - m[1].length - 1;
    hits.push(valueHit(GENERIC_SECRET, start, value, 'high', PRIORITY.specific));
  }
  const kind = { type: 'terraform_generated_password', provider: 'terraform', revocable: false };
  for (let at = text.indexOf('"random_password"'); at >= 0; at = text.indexOf('"random_password"', at + 1)) {
    const next = text.indexOf('"type": "', at + 17);
    const scope = text.slice(at, next < 0 ? Math.min(text.length, at + 20_000) : next);
    const m = /"result":\s*"((?:[^"\\]|\\.)+)"/.exec(scope);
    if (!m?.[1]) continue;
    const value = JSON.parse(`"${m[1]}"`) as string;
    if (!judgeBarePassword(value)) continue;
    const start = at + (m.index ?? 0) + m[0].length - m[1].length - 1;
    hits.push(valueHit(kind, start, value, 'high', PRIORITY.specific));
  }
}

/**
 * cloud-init's `chpasswd: { list: | … }` (and its `- user:password` list form): one `user:password`
 * per line, set on first boot. `RANDOM` asks cloud-init for a generated one; `$6$…` is a hash.
 * https://cloudinit.readthedocs.io/en/latest/reference/modules.html#set-passwords
 */
function matchCloudInitPasswords(text: string, hits: Hit[]): void {
  for (let at = text.indexOf('chpasswd:'); at >= 0; at = text.indexOf('chpasswd:', at + 9)) {
    // `list:` among the block's first keys (`expire: false` may come first).
    const list = /chpasswd:[ \t]*\r?\n(?:[ \t]+[^\n]*\n){0,5}?([ \t]+)list:[ \t]*\|?[ \t]*\r?\n/y;
    list.lastIndex = at;
    const head = list.exec(text);
    if (!head) continue;
    const indent = (head[1] as string).length;
    let lineStart = list.lastIndex;
    for (let n = 0; n < 50 && lineStart < text.length; n++) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = text.length;
      const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
      const m = /^([ \t]*)(?:-[ \t]+)?([\w.-]+):(\S+)$/.exec(line);
      if (!m || (m[1] as string).length <= indent) break;
      const password = m[3] as string;
      if (!/^(?:R|RANDOM)$/.test(password) && judgeBarePassword(password))
        hits.push(
          valueHit(
            GENERIC_PASSWORD,
            lineStart + line.length - password.length,
            password,
            'medium',
            PRIORITY.generic,
          ),
        );
      lineStart = lineEnd + 1;
    }
  }
}
