/**
 * Passwords given on a command line: `mysql -pS3cret`, `sshpass -p '…' ssh …`, `curl -u user:…`,
 * `docker login -p …`, `redis-cli -a …`, `ldapsearch -w …`, `smbclient -U user%…`,
 * `htpasswd -b file user …`, `sqlplus user/…@db`. Shell history, CI scripts, Makefiles, READMEs
 * and `subprocess.run("…")` strings hold them; no keyword names the value, the tool's option does.
 *
 * The command line is split into words as a POSIX shell would (quotes, backslash escapes, `\`
 * line continuations) up to the end of the command (`;`, `|`, `&`, a newline, a comment, or the
 * quote of the string it is written in), and the value is judged like a password assignment:
 * `$DB_PASSWORD`, `"$(cat /run/secrets/db)"`, `%PASS%`, `<password>` and weak words stay quiet.
 */
import { judgeBarePassword } from './generic.ts';
import type { Hit } from './model.ts';
import { makeHit, PRIORITY, valueHit } from './model.ts';
import { issuerOfUserinfo } from './issuer-pairs.ts';

export const COMMAND_PASSWORD = 'command_line_password';

interface ToolSpec {
  /** Options whose value is a password: `-p VALUE` or `-pVALUE` (only attached when `attachedOnly`). */
  readonly password?: readonly string[];
  /** `mysql -p` alone prompts for the password: only `-pVALUE` gives one. */
  readonly attachedOnly?: boolean;
  /** Options whose value is `user<separator>password` (curl `-u user:pw`, smbclient `-U user%pw`). */
  readonly userPassword?: { readonly options: readonly string[]; readonly separator: string };
  /** Positional forms: `htpasswd -b file user pw`. */
  readonly positional?: (words: readonly Word[]) => { word: Word; value: string } | undefined;
}

const MYSQL: ToolSpec = { password: ['-p'], attachedOnly: true };
const REGISTRY_LOGIN: ToolSpec = { password: ['-p'] };
const LDAP: ToolSpec = { password: ['-w'] };
const MONGO: ToolSpec = { password: ['-p'] };

/** `htpasswd -b[c] FILE USER PASSWORD`, `htpasswd -nb USER PASSWORD`: batch mode takes it as an argument. */
function htpasswdBatch(words: readonly Word[]): { word: Word; value: string } | undefined {
  const flags = words.filter((w) => /^-[a-zA-Z]+$/.test(w.value)).map((w) => w.value.slice(1));
  if (!flags.some((f) => f.includes('b'))) return undefined;
  const args = words.filter((w) => !w.value.startsWith('-'));
  const expected = flags.some((f) => f.includes('n')) ? 2 : 3;
  const word = args[expected - 1];
  return word && args.length === expected ? { word, value: word.value } : undefined;
}

/** `sqlplus [-S] user/password[@connect] [as sysdba]`: Oracle's logon as the first argument. */
function sqlplusLogon(words: readonly Word[]): { word: Word; value: string } | undefined {
  const word = words.find((w) => !w.value.startsWith('-'));
  const logon = word && /^[A-Za-z][\w$#]*\/([^@\s/"]+)(?:@\S+)?(?:\s+as\s+\w+)?$/i.exec(word.value);
  return word && logon ? { word, value: logon[1] as string } : undefined;
}

/** Tools by command name. */
const TOOLS: Record<string, ToolSpec> = {
  sshpass: { password: ['-p'] },
  mysql: MYSQL,
  mysqldump: MYSQL,
  mysqladmin: MYSQL,
  mysqlimport: MYSQL,
  mysqlshow: MYSQL,
  mysqlcheck: MYSQL,
  mysqlpump: MYSQL,
  mariadb: MYSQL,
  'mariadb-dump': MYSQL,
  'mariadb-admin': MYSQL,
  curl: { userPassword: { options: ['-u', '--user', '-U', '--proxy-user'], separator: ':' } },
  lftp: { userPassword: { options: ['-u', '--user'], separator: ',' } },
  smbclient: { userPassword: { options: ['-U', '--user'], separator: '%' } },
  rpcclient: { userPassword: { options: ['-U', '--user'], separator: '%' } },
  'redis-cli': { password: ['-a', '--pass'] },
  ldapsearch: LDAP,
  ldapadd: LDAP,
  ldapmodify: LDAP,
  ldapdelete: LDAP,
  ldapwhoami: LDAP,
  ldappasswd: LDAP,
  sqlcmd: { password: ['-P'] },
  bcp: { password: ['-P'] },
  mongo: MONGO,
  mongosh: MONGO,
  mongodump: MONGO,
  mongorestore: MONGO,
  mongoexport: MONGO,
  mongoimport: MONGO,
  htpasswd: { positional: htpasswdBatch },
  sqlplus: { positional: sqlplusLogon },
  // `<tool> login -u USER -p PASSWORD [REGISTRY]`
  'docker login': REGISTRY_LOGIN,
  'podman login': REGISTRY_LOGIN,
  'nerdctl login': REGISTRY_LOGIN,
  'buildah login': REGISTRY_LOGIN,
  'skopeo login': REGISTRY_LOGIN,
  'registry login': REGISTRY_LOGIN, // helm registry login
  'oras login': REGISTRY_LOGIN,
  'az login': REGISTRY_LOGIN,
  'cf login': REGISTRY_LOGIN, // Cloud Foundry
};

/**
 * The anchors the engine finds: the options that give a password (`-p`, `-u`, `--user`…), found
 * through the `-` it already visits, and `htpasswd` (whose password is positional). Tool names
 * as anchors would cost a pass over every text for a dozen common lowercase words (measured:
 * ~3 ms per MB on installed packages); an option is rarer, and the tool is then looked for
 * before it on its command line.
 */
/** Tools whose password is an argument, not an option's value: found by their own name. */
const POSITIONAL_TOOLS = ['htpasswd', 'sqlplus'];

export const COMMAND_ANCHORS = [
  '-p',
  '-u',
  '-U',
  '-a',
  '-w',
  '-P',
  '--user',
  '--pass',
  '--proxy-user',
  ...POSITIONAL_TOOLS,
];

export interface Word {
  /** The word as the shell passes it (quotes removed, escapes resolved). */
  readonly value: string;
  readonly start: number;
  readonly end: number;
}

const MAX_COMMAND = 2000;

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/** Characters that end a command outside quotes: a newline, `;`, a pipe, `&`, a subshell's `)` or a backtick. */
const ENDS_COMMAND = new Set(['\n', '\r', ';', '|', '&', ')', '`']);

/** A `\` line continuation at `i`: the length to skip, else 0. */
function continuation(text: string, i: number): number {
  if (text[i] !== '\\') return 0;
  if (text[i + 1] === '\n') return 2;
  return text[i + 1] === '\r' && text[i + 2] === '\n' ? 3 : 0;
}

/** Words from `from` to the end of the command: `;`, `|`, `&`, a newline, `#`, `)` or a backtick end it. */
export function shellWords(text: string, from: number): Word[] {
  const limit = Math.min(text.length, from + MAX_COMMAND);
  const words: Word[] = [];
  let i = from;
  while (i < limit) {
    const skip = continuation(text, i);
    if (skip) {
      i += skip;
      continue;
    }
    const c = text[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    // A `#` starting a word starts a comment.
    if (c === '#' || ENDS_COMMAND.has(c as string)) break;
    const start = i;
    let value = '';
    let ended = false;
    while (i < limit && !ended) {
      const ch = text[i] as string;
      if (ch === "'" || ch === '"') {
        const close = closingQuote(text, i, limit);
        // An unclosed quote is the end of the string the command is written in (`run("mysql -p…")`).
        if (close < 0) {
          ended = true;
          break;
        }
        const inner = text.slice(i + 1, close);
        value += ch === '"' ? inner.replace(/\\([\\"$`])/g, '$1') : inner;
        i = close + 1;
      } else if (ch === '\\') {
        if (continuation(text, i)) break;
        value += text[i + 1] ?? '';
        i += 2;
      } else if (isSpace(ch) || ENDS_COMMAND.has(ch)) {
        break;
      } else {
        value += ch;
        i++;
      }
    }
    if (value) words.push({ value, start, end: i });
    if (ended) break;
  }
  return words;
}

function closingQuote(text: string, at: number, limit: number): number {
  const quote = text[at];
  for (let i = at + 1; i < limit; i++) {
    const c = text[i];
    if (c === '\n') return -1;
    if (c === '\\' && quote === '"') i++;
    else if (c === quote) return i;
  }
  return -1;
}

/** A tool's name where a command starts: after a separator, a path, a quote or `$(` (names are letters, `-` and a space). */
const TOOL_WORD = new RegExp(
  `(?:^|[\\s/"'\`;|&(])(${Object.keys(TOOLS)
    .sort((x, y) => y.length - x.length)
    .join('|')})(?:\\.exe)?(?=[ \\t])`,
  'g',
);

/** Offset where the command line holding `at` starts: its line, and the lines a `\` continues from. */
function commandLineStart(text: string, at: number): number {
  let start = text.lastIndexOf('\n', at - 1) + 1;
  while (start >= 2 && at - start < MAX_COMMAND) {
    const cr = text.charCodeAt(start - 2) === 13 ? 1 : 0;
    if (text.charCodeAt(start - 2 - cr) !== 92 /* \\ */) break;
    start = text.lastIndexOf('\n', start - 2) + 1;
  }
  return Math.max(start, at - MAX_COMMAND);
}

/** The last tool named on the command line before `at`, and where its name ends. */
function toolBefore(text: string, at: number): { name: string; end: number } | undefined {
  const from = commandLineStart(text, at);
  const segment = text.slice(from, at);
  let found: { name: string; end: number } | undefined;
  TOOL_WORD.lastIndex = 0;
  for (let m = TOOL_WORD.exec(segment); m; m = TOOL_WORD.exec(segment)) {
    found = { name: m[1] as string, end: from + m.index + m[0].length };
    TOOL_WORD.lastIndex = m.index + m[0].length;
  }
  return found;
}

/** The password a tool's command line carries, with the word it came from. */
function passwordIn(
  spec: ToolSpec,
  words: readonly Word[],
): { word: Word; value: string; user?: string } | undefined {
  for (let k = 0; k < words.length; k++) {
    const word = words[k] as Word;
    const v = word.value;
    for (const option of spec.password ?? []) {
      if (v === option && !spec.attachedOnly) {
        const next = words[k + 1];
        if (next) return { word: next, value: next.value };
      } else if (option.length === 2 && v.startsWith(option) && v.length > 2) {
        return { word, value: v.slice(2) };
      } else if (option.startsWith('--') && v.startsWith(`${option}=`)) {
        return { word, value: v.slice(option.length + 1) };
      }
    }
    const up = spec.userPassword;
    if (up) {
      for (const option of up.options) {
        let credentials: string | undefined;
        let from = word;
        if (v === option) {
          const next = words[k + 1];
          if (next) {
            credentials = next.value;
            from = next;
          }
        } else if (option.length === 2 && v.startsWith(option)) credentials = v.slice(2);
        else if (v.startsWith(`${option}=`)) credentials = v.slice(option.length + 1);
        if (credentials === undefined) continue;
        const split = credentials.indexOf(up.separator);
        // `curl -u user` alone prompts for the password.
        if (split <= 0) return undefined;
        return { word: from, value: credentials.slice(split + 1), user: credentials.slice(0, split) };
      }
    }
  }
  return spec.positional?.(words);
}

/** `at` is where one of COMMAND_ANCHORS was found. */
export function matchCommandPassword(text: string, at: number): Hit | undefined {
  let command: { name: string; end: number } | undefined;
  if (text.charCodeAt(at) === 45 /* - */) {
    // An option starts a word: after a space or a tab.
    const before = text.charCodeAt(at - 1);
    if (before !== 32 && before !== 9) return undefined;
    command = toolBefore(text, at);
  } else {
    // `htpasswd` or `sqlplus` itself: a command word.
    const name = POSITIONAL_TOOLS.find((t) => text.startsWith(t, at)) as string;
    const end = at + name.length;
    const ok = (at === 0 || !/[A-Za-z0-9_.-]/.test(text[at - 1] as string)) && isSpace(text[end]);
    command = ok ? { name, end } : undefined;
  }
  if (!command) return undefined;
  const spec = TOOLS[command.name] as ToolSpec;
  const found = passwordIn(spec, shellWords(text, command.end));
  if (!found) return undefined;
  const { word, value } = found;
  // `curl -u AC…:token https://api.twilio.com/…`: the account's auth token, a hex string.
  const issued = found.user === undefined ? undefined : issuerOfUserinfo(found.user, value);
  if (!issued && !judgeBarePassword(value)) return undefined;
  const start = valueStart(text, word, value);
  if (issued && found.user !== undefined) {
    // The issuer's pair is one credential: the finding spans the SID and the secret, as the
    // REST API takes them, and the secret names it (the same token elsewhere has its fingerprint).
    const userAt = text.lastIndexOf(found.user, start);
    const from = userAt >= word.start ? userAt : start;
    return makeHit({
      ...issued,
      revocable: false,
      start: from,
      end: start + value.length,
      secret: `${found.user}:${value}`,
      identity: value,
      preview: { value, prefix: '' },
      confidence: 'high',
      priority: PRIORITY.specific,
    });
  }
  return commandPassword(start, value);
}

/** PowerShell's way to put a plain-text password into a credential object. */
export const SECURE_STRING_ANCHOR = 'ConvertTo-SecureString';

/**
 * `ConvertTo-SecureString "…" -AsPlainText -Force` (or `-String "…"`): a password written in
 * the script. Without `-AsPlainText` the string is an encrypted SecureString export, not a password.
 */
export function matchSecureStringPassword(text: string, at: number): Hit | undefined {
  const words = shellWords(text, at + SECURE_STRING_ANCHOR.length);
  if (!words.some((w) => /^-AsPlainText$/i.test(w.value))) return undefined;
  const named = words.findIndex((w) => /^-String$/i.test(w.value));
  const word = named >= 0 ? words[named + 1] : words.find((w) => !w.value.startsWith('-'));
  if (!word || !judgeBarePassword(word.value)) return undefined;
  return commandPassword(valueStart(text, word, word.value), word.value);
}

const COMMAND_KIND = { type: COMMAND_PASSWORD, provider: 'generic', revocable: false };

function commandPassword(start: number, value: string): Hit {
  return valueHit(COMMAND_KIND, start, value, 'medium', PRIORITY.keyed);
}

/** Where `value` starts in the text of `word` (after its quotes), or the word's start. */
function valueStart(text: string, word: Word, value: string): number {
  const offset = text.indexOf(value, word.start);
  return offset >= 0 && offset < word.end ? offset : word.start;
}
