/**
 * Well-formed fake credentials made at run time (never committed as literals), so tests, benchmarks
 * and the demo's sample pushes plant values the detectors accept without the repository holding
 * anything that looks live. Sample files name them with `{{fake:NAME}}` templates, filled here.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function base62(value: number, width: number): string {
  let out = '';
  let n = value >>> 0;
  do {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, '0');
}

/** A `ghp_` (or other prefix) token whose last six characters are the CRC32/base62 checksum. */
export function githubToken(prefix: 'ghp' | 'gho' | 'ghu' | 'ghs' | 'ghr' = 'ghp'): string {
  const random = randomFrom(BASE62, 30);
  return `${prefix}_${random}${base62(crc32(random), 6)}`;
}

/** An IAM user access key pair: `AKIA` + 16 base32 characters, and a 40-character secret. */
export function awsKeyPair(): { accessKeyId: string; secretAccessKey: string } {
  return {
    accessKeyId: `AKIA${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
    secretAccessKey: randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 40),
  };
}

const DIGITS = '0123456789';

/** A Slack bot (`xoxb-`) or user (`xoxp-`) token shaped as Slack issues them. */
export function slackToken(kind: 'xoxb' | 'xoxp' = 'xoxb'): string {
  const number = () => `${randomFrom('123456789', 1)}${randomFrom(DIGITS, 10)}`;
  return kind === 'xoxb'
    ? `xoxb-${number()}-${number()}-${randomFrom(BASE62, 24)}`
    : `xoxp-${number()}-${number()}-${number()}-${randomFrom('0123456789abcdef', 32)}`;
}

/** A GitLab personal access token (`glpat-` + 20 characters). */
export function gitlabToken(): string {
  return `glpat-${randomFrom(BASE62, 20)}`;
}

/** An npm access token (`npm_` + 30 base62 + CRC32/base62 checksum, like GitHub's). */
export function npmToken(): string {
  const random = randomFrom(BASE62, 30);
  return `npm_${random}${base62(crc32(random), 6)}`;
}

/** A Slack bot token shape: `xoxb-` + team digits + bot digits + 24 alphanumerics. */
export function slackBotToken(): string {
  return slackToken('xoxb');
}

/** Template names a sample file may use; one AWS pair per filled text, so id and secret match. */
export const FAKE_TEMPLATE_NAMES = [
  'aws_access_key_id',
  'aws_secret_access_key',
  'github_token',
  'slack_bot_token',
  'gitlab_token',
  'npm_token',
] as const;
export type FakeTemplateName = (typeof FAKE_TEMPLATE_NAMES)[number];

const TEMPLATE = /\{\{fake:([a-z_]+)\}\}/g;

/**
 * Replace every `{{fake:NAME}}` in `text` with a fresh well-formed fake; the same name gets the
 * same value throughout one call. An unknown name is an error, not a silent leftover.
 */
export function fillFakeCredentials(text: string): string {
  const values = new Map<string, string>();
  const pair = awsKeyPair();
  const make: Record<FakeTemplateName, () => string> = {
    aws_access_key_id: () => pair.accessKeyId,
    aws_secret_access_key: () => pair.secretAccessKey,
    github_token: () => githubToken(),
    slack_bot_token: () => slackToken('xoxb'),
    gitlab_token: () => gitlabToken(),
    npm_token: () => npmToken(),
  };
  return text.replace(TEMPLATE, (_, name: string) => {
    if (!(FAKE_TEMPLATE_NAMES as readonly string[]).includes(name))
      throw new Error(
        `unknown fake credential template {{fake:${name}}} (known: ${FAKE_TEMPLATE_NAMES.join(', ')})`,
      );
    let value = values.get(name);
    if (value === undefined) {
      value = make[name as FakeTemplateName]();
      values.set(name, value);
    }
    return value;
  });
}
