/**
 * Detectors for credentials with a documented, recognisable shape (a literal prefix, a fixed
 * length, sometimes a checksum). Each is tried only where the engine's prefilter found one of
 * its anchors, with a sticky regex at that position, so the cost is proportional to the number
 * of anchor occurrences rather than to the number of detectors times the size of the text.
 */
import { createHash } from 'node:crypto';
import { hasValidBase62Checksum } from './checksum.ts';
import { charClasses, isHex, joinedLiterals, looksLikePlaceholder, shannonEntropy } from './heuristics.ts';
import type { Hit, KindInfo } from './model.ts';
import { makeHit, PRIORITY, withHit } from './model.ts';
import type { Confidence } from './types.ts';

type Verdict = false | Confidence | { confidence: Confidence; attributes?: Hit['attributes']; type?: string };

export interface TokenSpec extends KindInfo {
  /** Literal strings the credential contains at a fixed place (the prefilter looks for these). */
  readonly anchors: readonly string[];
  /** Sticky regex tried at the anchor; match[0] runs from the anchor to the credential's end. */
  readonly pattern: RegExp;
  /** Minimum Shannon entropy of the part after the anchor (default 3.0). */
  readonly minEntropy?: number;
  /** Extra validation (checksum, structure); false rejects. Default confidence is `high`. */
  readonly validate?: (value: string) => Verdict;
  /** The file must name this issuer (lowercase, Capitalized or UPPERCASE) for a match to count. */
  readonly fileContext?: string;
  /** The confidence of a match in a file that does not name the issuer (default: not reported). */
  readonly withoutContext?: Confidence;
  readonly priority?: number;
  /** Where the credential starts when the anchor is not its first character (or -1 to reject). */
  readonly startBefore?: (text: string, anchorAt: number) => number;
  /** A word this credential may follow directly, without a boundary (Telegram's `…/bot<token>/` URLs). */
  readonly prefixWord?: string;
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * SHA-256 of example credentials published in issuers' documentation and RFCs (stored hashed
 * so this file holds no credential-shaped strings). A match is an example, not a leak.
 */
const DOCUMENTED_EXAMPLES = new Set([
  // Google Authenticator's Key Uri Format example TOTP secret (JBSWY3DP…), used across TOTP libraries' docs and tests.
  '8be5d113c0871ce1a122d68a7dff940ab7b09ad8dfcfd9a85aa5c1acc026279e',
  // The Cargo book's registry token in credentials.toml (854DvwSl…).
  '3c14aab79351be94e9c4202d8f6d28c4a5d73cfb2e6e302d2d2478159ef57f9f',
  // Stripe API reference test keys (sk_test_4eC39…, sk_test_BQokik…, sk_test_26PHem…, rk_test_26PHem…).
  '2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326',
  'f2d6ca16515033e5dce14eba840b979d27b5cbae24bb3e5bf484339667f86397',
  '7e8de44ea9ecf6d53415c90f5b249a8591f7abafbf7d65a2c0d855afeca3ec09',
  '4695960a4c78863e469628d04a2e77d71066793355b6f27c93ad071965852420',
  // RFC 6749 / 6750 examples: access token, refresh token, Basic credentials, code, client secret, password.
  '6c96130f130ab0d6d158397e24d2bcc1c9a5e73ae081f6e983f1c7b545d24a4c',
  '00cf4c781dc37003f7c7dd7d4c9a6ef1e0f4c62d9a291aa8bc398774e3fefd32',
  'ca7459e2b26776de081b9a07e40227fd6cff232a1e3233ff6b6aa6d036ca9981',
  'a35b81a7d7927b70ec99270dd2362b88580a28574af812f2c02f56469579186f',
  'e9974c507d2a802143f614c878fcbb622a3800e05e6e0d329fee2c5b6b243329',
  '53f5da0aaa93d64cd5772c554cbf940f0539e689dddbeb8f923eec3f72c02ea9',
  // Slack API docs bot token, Google Maps docs API key, Telegram Bot API docs token.
  '2ddc147f3a3b5a1722b8ed6be3c45c49a7156b17fca5d11410137a6d04def6eb',
  'ac9265e56c79b234607ec72c53753cfea9f88c99eb713790ddf9be5593bb4465',
  '0b5dd075ccdd03c42f4edda8e299e6838e2a75d3486a2a8d86940ed1541e9178',
  // Slack's request-signing test vector (docs "Verifying requests from Slack"), copied into countless
  // verifier tests: the signing secret 8f742231…, and the verification token xyzz0Wba… in its body.
  '6adbfd178516c8efe5896d4d0d66d2704d167cbb4ca881efde33af658d39826f',
  '2a81f24ea84e99d2f52bbd3e6db1ea4cada1ba2ca8554fc17eb1d1dfd95b649d',
  // The gcloud CLI's OAuth client secret for installed apps (d-FL95…), public by design: it ships in
  // gcloud's source and in every `application_default_credentials.json` that `gcloud auth` writes.
  'f0386f9be1fe905fb2f97a8daff11a9baa9988ceca7c2ecae4aec8db182db1b4',
  // jwt.io's example token (HS256, "John Doe", signed with "your-256-bit-secret"), pasted into countless READMEs.
  '7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606',
  // Hardhat's and Anvil's 20 funded development accounts (`0xac0974be…` first): the keys at
  // m/44'/60'/0'/0/0–19 of the mnemonic "test test … test junk" that both tools print on start.
  '60a09e4357868c1e9b801052726d061c370429f723db84523ed58ac354f6eb8a',
  '095101cf732c298a0ce0320b9de704209cdd8640b70d8fdf4e5be51aa2eb272e',
  'bb4978fbe7638de8e6ee13d9a59a5fb047beb0f0ee059fe166541b1f96b6af63',
  'f02322197a196ceb746aa52cee2a869abf0fe231c4d6d050a8a5f02c6625a1d4',
  '5de22089c247b9b2722ec5c33498e6bc481b1faba85f4da957f8b84679fcf88c',
  '59feecfa04eb096ba44eed297e4239fa32d8840cbc1ffb8ff2f7fd8e8e0edd38',
  'b69d88ff1ad5834ab1d8ed45f20d72b6ccf3429c9ccc75b93d14ca0ee00dec16',
  'b6b9ee08c38f62da71fa150a8ada4a7a09c7d3c4a9f6445e51e5a4b2c6395368',
  'be394de37f9d6cf6682434e9f15a4f891eca9b614bf79da2da22a8e48a658fcd',
  'dd0102d1cd0c6ac702573e3e7551fc6cec26596b6287348804c1b0f9544b5bf9',
  'bc695e76adbd4ba589f63b5522e4cff1617857f6255c87950e52ef51c2d18000',
  'f08cf7b46c09669b731db4160bd42c7327126eac2caf35ba299cd92bf086aef4',
  '7112de5abbaaf6185c02a8af80086678d3bd7cfae2b692e1f06e07d2bf95f063',
  'c9af1927cd58e92d438303f3f1d4b1ed246b01060b2abdbca149d2321a2d04bd',
  '9ebbe88c52f8681820a94a6501aa00fa230094dfc40147a908f53538e8cfa3a6',
  '9794bae81f0d5dd24f7025d1bfbb9f5541f685d6903a2a0a8267c9c6e57f8487',
  '89fdd4bd49fc0e2a4b08d8379d7906d328c871b1399680e16d1008de30b16ed2',
  '97bc0c40d645cfaa2f3b3eb6527201816192c0f3056fd4ec191da8c1db901b02',
  '609101d4dd3170f57ff777c34aff90d822bb450ad30ef420017137b8625a8c28',
  '7d2c370c3a5748fad23c20a93abaa2b19badc0c8a0e7d6336b529170645011c0',
  // Google Authenticator's example TOTP secret (JBSWY3DPEHPK3PXP, its key-URI-format wiki page),
  // upper and lower case: the `otpauth://…?secret=` of every TOTP library's tests.
  '8be5d113c0871ce1a122d68a7dff940ab7b09ad8dfcfd9a85aa5c1acc026279e',
  'a64ed54f0b45945b885ce74e2fd47e765a09f3509c4807921a844ea986391de9',
]);

/** Lengths of the examples above: a value of another length is not one of them (no hash needed). */
const EXAMPLE_LENGTHS = new Set([10, 16, 22, 24, 28, 32, 39, 44, 53, 66, 155]);

export function isDocumentedExample(value: string): boolean {
  return EXAMPLE_LENGTHS.has(value.length) && DOCUMENTED_EXAMPLES.has(sha256(value));
}

/** The Azure storage emulator's well-known account key, published in Microsoft's docs. */
export function isAzureEmulatorKey(value: string): boolean {
  return value.startsWith('Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq');
}

function checksummed(prefixLength: number): (value: string) => Verdict {
  return (value) => (hasValidBase62Checksum(value, prefixLength) ? 'high' : false);
}

/**
 * A test-mode Stripe key (`sk_test_`, `rk_test_`) reaches only the account's test data and moves
 * no money: reported at low confidence (`--min-confidence low`), as TruffleHog reports only live
 * keys. Tutorials, fixtures and CI settings are full of them.
 */
function stripeMode(value: string): Verdict {
  return value.startsWith('sk_test_') || value.startsWith('rk_test_')
    ? { confidence: 'low', attributes: { mode: 'test' } }
    : { confidence: 'high', attributes: { mode: 'live' } };
}

function mixedCase(value: string): Verdict {
  const c = charClasses(value);
  return c.lower && c.upper ? 'high' : false;
}

/** Discord bot tokens start with the base64 of the bot's numeric id: decoding must give digits. */
function discordToken(value: string): Verdict {
  const first = value.slice(0, value.indexOf('.'));
  const decoded = Buffer.from(first, 'base64').toString('latin1');
  return /^\d{17,20}$/.test(decoded) ? 'high' : false;
}

/** OpenSSH keys are encrypted when the cipher name in the decoded header is not `none`. */
export function openSshCipher(body: string): string | undefined {
  const bytes = Buffer.from(body.slice(0, 200), 'base64');
  const magic = 'openssh-key-v1\0';
  if (bytes.toString('latin1', 0, magic.length) !== magic) return undefined;
  if (bytes.length < magic.length + 4) return undefined;
  const len = bytes.readUInt32BE(magic.length);
  if (len > 64 || bytes.length < magic.length + 4 + len) return undefined;
  return bytes.toString('latin1', magic.length + 4, magic.length + 4 + len);
}

type Extra = Partial<
  Pick<
    TokenSpec,
    | 'minEntropy'
    | 'validate'
    | 'fileContext'
    | 'withoutContext'
    | 'priority'
    | 'startBefore'
    | 'prefixWord'
    | 'source'
  >
>;

const T = (
  type: string,
  provider: string,
  revocable: boolean,
  shape: string,
  anchors: string[],
  pattern: RegExp,
  extra: Extra = {},
): TokenSpec => ({ type, provider, revocable, shape, anchors, pattern, ...extra });

const B62_36 = '[A-Za-z0-9]{36}(?![A-Za-z0-9_])';
const GH_FORMATS =
  'https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/';
const GH_CHECKSUM = { validate: checksummed(4), priority: PRIORITY.checksum, source: GH_FORMATS };
const SLACK_TOKENS = 'https://api.slack.com/authentication/token-types';
const GITLAB_TOKENS = 'https://docs.gitlab.com/security/tokens/';
const ROUTABLE =
  '(?:[A-Za-z0-9_-]{27,300}\\.[0-9a-z]{2}\\.[0-9a-z]{7,9}|[A-Za-z0-9_-]{20})(?![A-Za-z0-9_.-])';
const gitlab = (
  type: string,
  prefix: string,
  revocable = false,
  body = ROUTABLE,
  shape = `${prefix} + 20 of [A-Za-z0-9_-] (or a routable token: payload.01.checksum)`,
): TokenSpec =>
  T(type, 'gitlab', revocable, shape, [prefix], new RegExp(`${prefix}${body}`, 'y'), {
    minEntropy: body.includes('[0-9a-f]{40}') ? 3.0 : 3.4,
    source: GITLAB_TOKENS,
  });

export const TOKEN_SPECS: readonly TokenSpec[] = [
  // GitHub: 30 random base62 + CRC32/base62 checksum.
  T(
    'github_pat_classic',
    'github',
    true,
    'ghp_ + 30 base62 + 6-char CRC32 checksum',
    ['ghp_'],
    new RegExp(`ghp_${B62_36}`, 'y'),
    GH_CHECKSUM,
  ),
  T(
    'github_oauth_token',
    'github',
    true,
    'gho_ + 30 base62 + 6-char CRC32 checksum',
    ['gho_'],
    new RegExp(`gho_${B62_36}`, 'y'),
    GH_CHECKSUM,
  ),
  T(
    'github_user_to_server_token',
    'github',
    true,
    'ghu_ + 30 base62 + 6-char CRC32 checksum',
    ['ghu_'],
    new RegExp(`ghu_${B62_36}`, 'y'),
    GH_CHECKSUM,
  ),
  T(
    'github_installation_token',
    'github',
    false,
    'ghs_ + 30 base62 + 6-char CRC32 checksum',
    ['ghs_'],
    new RegExp(`ghs_${B62_36}`, 'y'),
    GH_CHECKSUM,
  ),
  T(
    'github_refresh_token',
    'github',
    true,
    'ghr_ + 30 base62 + 6-char CRC32 checksum, or ghr_ + 76 base62',
    ['ghr_'],
    /ghr_(?:[A-Za-z0-9]{76}|[A-Za-z0-9]{36})(?![A-Za-z0-9_])/y,
    { ...GH_CHECKSUM, validate: (v) => (v.length === 40 ? checksummed(4)(v) : 'medium') },
  ),
  T(
    'github_fine_grained_pat',
    'github',
    true,
    'github_pat_ + 22 base62 + _ + 59 base62',
    ['github_pat_'],
    /github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9_])/y,
    {
      minEntropy: 4.0,
      source:
        'https://github.blog/security/application-security/introducing-fine-grained-personal-access-tokens-for-github/',
    },
  ),
  T(
    'npm_access_token',
    'npm',
    true,
    'npm_ + 30 base62 + 6-char CRC32 checksum',
    ['npm_'],
    new RegExp(`npm_${B62_36}`, 'y'),
    {
      ...GH_CHECKSUM,
      source: 'https://github.blog/security/announcing-npms-new-access-token-format/',
    },
  ),

  // Slack.
  T(
    'slack_bot_token',
    'slack',
    true,
    'xoxb-<team digits>-<bot digits>-<24 alphanumerics>',
    ['xoxb-'],
    /xoxb-[0-9]{8,14}-[0-9]{8,14}-[A-Za-z0-9]{20,34}(?![A-Za-z0-9_-])/y,
    { source: SLACK_TOKENS },
  ),
  T(
    'slack_user_token',
    'slack',
    true,
    'xoxp-<digits>-<digits>-<digits>-<32 hex>',
    ['xoxp-'],
    /xoxp-[0-9]{8,14}-[0-9]{8,14}-[0-9]{8,14}-[A-Za-z0-9]{28,34}(?![A-Za-z0-9_-])/y,
    { source: SLACK_TOKENS },
  ),
  T(
    'slack_config_token',
    'slack',
    true,
    'xoxe.xoxp-1- (a configuration token; xoxe.xoxb-1- a rotating bot token) + ~150 alphanumerics',
    ['xoxe.xoxp-', 'xoxe.xoxb-'],
    /xoxe\.xox[pb]-1-[A-Za-z0-9-]{100,200}(?![A-Za-z0-9_-])/y,
    { minEntropy: 4.0, source: 'https://api.slack.com/authentication/config-tokens' },
  ),
  T(
    'slack_config_refresh_token',
    'slack',
    false,
    'xoxe-1- + ~140 alphanumerics',
    ['xoxe-'],
    /xoxe-1-[A-Za-z0-9]{100,200}(?![A-Za-z0-9_-])/y,
    { minEntropy: 4.0, source: 'https://api.slack.com/authentication/config-tokens' },
  ),
  T(
    'slack_legacy_token',
    'slack',
    true,
    'xoxa-, xoxo- or xoxs- + digit groups + 8–64 alphanumerics (legacy workspace, OAuth and session tokens)',
    ['xoxa-', 'xoxo-', 'xoxs-'],
    /xox[aos]-[0-9]+(?:-[0-9]+){1,3}-[0-9A-Za-z]{8,64}(?![A-Za-z0-9_-])/y,
    { minEntropy: 3.0, source: SLACK_TOKENS },
  ),
  T(
    'slack_app_token',
    'slack',
    false,
    'xapp-1-<app id>-<digits>-<64 hex>',
    ['xapp-'],
    /xapp-[0-9]-[A-Z0-9]{8,12}-[0-9]{10,14}-[a-f0-9]{60,68}(?![A-Za-z0-9_-])/y,
    { source: SLACK_TOKENS },
  ),
  T(
    'slack_webhook_url',
    'slack',
    false,
    'https://hooks.slack.com/services/T…/B…/<24 alphanumerics> (or workflows/triggers)',
    ['hooks.slack.com/'],
    /hooks\.slack\.com\/(?:services\/T[A-Z0-9]{8,12}\/B[A-Z0-9]{8,12}\/[A-Za-z0-9]{24}|workflows\/T[A-Z0-9]{8,12}\/A[A-Z0-9]{8,12}\/[0-9]{15,20}\/[A-Za-z0-9]{24,32}|triggers\/T[A-Z0-9]{8,12}\/[0-9]{10,20}\/[a-f0-9]{32})(?![A-Za-z0-9])/y,
    { minEntropy: 3.2, startBefore: schemeStart, source: 'https://api.slack.com/messaging/webhooks' },
  ),

  // Payments, cloud and AI providers.
  T(
    'stripe_secret_key',
    'stripe',
    false,
    'sk_live_|sk_test_ + 24–247 alphanumerics',
    ['sk_live_', 'sk_test_'],
    /sk_(?:live|test)_[A-Za-z0-9]{24,247}(?![A-Za-z0-9_])/y,
    { minEntropy: 3.5, source: 'https://docs.stripe.com/keys', validate: stripeMode },
  ),
  T(
    'stripe_restricted_key',
    'stripe',
    false,
    'rk_live_|rk_test_ + 24–247 alphanumerics',
    ['rk_live_', 'rk_test_'],
    /rk_(?:live|test)_[A-Za-z0-9]{24,247}(?![A-Za-z0-9_])/y,
    {
      minEntropy: 3.5,
      source: 'https://docs.stripe.com/keys#create-restricted-api-secret-key',
      validate: stripeMode,
    },
  ),
  T(
    'sonarqube_token',
    'sonarqube',
    false,
    'squ_ (user), sqp_ (project), sqa_ (global analysis) + 40 hex',
    ['squ_', 'sqp_', 'sqa_'],
    /sq[upa]_[0-9a-f]{40}(?![0-9A-Za-z_])/y,
    {
      minEntropy: 3.0,
      source: 'https://docs.sonarsource.com/sonarqube-server/latest/user-guide/managing-tokens/',
    },
  ),
  T(
    'stripe_webhook_secret',
    'stripe',
    false,
    'whsec_ + 32+ base64',
    ['whsec_'],
    /whsec_[A-Za-z0-9+/]{32,88}={0,2}(?![A-Za-z0-9+/=_])/y,
    { minEntropy: 3.8, source: 'https://docs.stripe.com/webhooks#verify-events' },
  ),
  T(
    'google_api_key',
    'google',
    false,
    'AIza + 35 of [A-Za-z0-9_-]',
    ['AIza'],
    /AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/y,
    { minEntropy: 3.6, source: 'https://cloud.google.com/docs/authentication/api-keys' },
  ),
  T(
    'google_oauth_access_token',
    'google',
    false,
    'ya29. + 30+ of [A-Za-z0-9_-] (an OAuth 2.0 access token, valid for about an hour)',
    ['ya29.'],
    /ya29\.[A-Za-z0-9_-]{30,2048}(?![A-Za-z0-9_-])/y,
    { minEntropy: 4.0, source: 'https://developers.google.com/identity/protocols/oauth2' },
  ),
  T(
    'google_oauth_client_secret',
    'google',
    false,
    'GOCSPX- + 28 of [A-Za-z0-9_-]',
    ['GOCSPX-'],
    /GOCSPX-[A-Za-z0-9_-]{28}(?![A-Za-z0-9_-])/y,
    { minEntropy: 3.5, source: 'https://support.google.com/cloud/answer/15549257' },
  ),
  T(
    'openai_api_key',
    'openai',
    false,
    'sk-… containing T3BlbkFJ, or sk-proj- / sk-svcacct- / sk-admin- + 40+ of [A-Za-z0-9_-]',
    ['sk-'],
    /sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_-]{16,250}(?![A-Za-z0-9_-])/y,
    {
      minEntropy: 4.0,
      source: 'https://platform.openai.com/docs/api-reference/authentication',
      validate: (v) => {
        if (v.startsWith('sk-ant-')) return false;
        const i = v.indexOf('T3BlbkFJ');
        // A project, service-account or admin key is named by its prefix alone once it is long
        // enough (OpenAI's are ~160 characters); a bare `sk-` needs the T3BlbkFJ marker.
        const prefixed = /^sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}$/.test(v);
        if (!prefixed && (i < 20 || v.length - i - 8 < 20)) return false;
        return v.startsWith('sk-admin-') ? { confidence: 'high', type: 'openai_admin_key' } : 'high';
      },
    },
  ),
  T(
    'anthropic_api_key',
    'anthropic',
    false,
    'sk-ant-api03- + 93 of [A-Za-z0-9_-] + AA',
    ['sk-ant-api'],
    /sk-ant-api0\d-[A-Za-z0-9_-]{93}AA(?![A-Za-z0-9_-])/y,
    { minEntropy: 4.2, source: 'https://docs.anthropic.com/en/api/overview#authentication' },
  ),
  T(
    'anthropic_admin_key',
    'anthropic',
    false,
    'sk-ant-admin01- + 93 of [A-Za-z0-9_-] + AA',
    ['sk-ant-admin'],
    /sk-ant-admin0\d-[A-Za-z0-9_-]{93}AA(?![A-Za-z0-9_-])/y,
    { minEntropy: 4.2, source: 'https://docs.anthropic.com/en/api/administration-api' },
  ),
  T(
    'sendgrid_api_key',
    'sendgrid',
    false,
    'SG. + 22 + . + 43 of [A-Za-z0-9_-]',
    ['SG.'],
    /SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/y,
    { minEntropy: 4.0, source: 'https://www.twilio.com/docs/sendgrid/ui/account-and-settings/api-keys' },
  ),
  T(
    'twilio_api_key',
    'twilio',
    false,
    'SK + 32 lowercase hex (API key SID, in a file that mentions Twilio)',
    ['SK'],
    /SK[0-9a-f]{32}(?![A-Za-z0-9_])/y,
    {
      minEntropy: 2.8,
      fileContext: 'twilio',
      source: 'https://www.twilio.com/docs/iam/api-keys',
      validate: (v) => (/[a-f]/.test(v.slice(2)) && /[0-9]/.test(v.slice(2)) ? 'medium' : false),
    },
  ),
  T(
    'mailgun_api_key',
    'mailgun',
    false,
    'key- + 32 hex (medium confidence in a file that does not mention Mailgun)',
    ['key-'],
    /key-[0-9a-f]{32}(?![A-Za-z0-9_-])/y,
    {
      minEntropy: 2.8,
      fileContext: 'mailgun',
      // No `key-` + 32 hex in ~1 GB of installed packages, docs and headers: distinctive enough
      // to report unnamed, as an obscured `new Connector('key-…')` is.
      withoutContext: 'medium',
      source: 'https://documentation.mailgun.com/docs/mailgun/api-reference/authentication/',
    },
  ),
  gitlab('gitlab_personal_access_token', 'glpat-', true),
  gitlab(
    'gitlab_pipeline_trigger_token',
    'glptt-',
    false,
    '[0-9a-f]{40}(?![A-Za-z0-9_-])',
    'glptt- + 40 hex',
  ),
  gitlab('gitlab_runner_token', 'glrt-'),
  gitlab('gitlab_deploy_token', 'gldt-'),
  gitlab(
    'gitlab_ci_build_token',
    'glcbt-',
    false,
    '(?:[0-9a-f]{1,5}_)?[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])',
    'glcbt- + [partition_] + 20 of [A-Za-z0-9_-]',
  ),
  gitlab(
    'gitlab_feed_token',
    'glft-',
    false,
    '[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])',
    'glft- + 20 of [A-Za-z0-9_-]',
  ),
  gitlab(
    'gitlab_incoming_mail_token',
    'glimt-',
    false,
    '[A-Za-z0-9_-]{25}(?![A-Za-z0-9_-])',
    'glimt- + 25 of [A-Za-z0-9_-]',
  ),
  gitlab(
    'gitlab_agent_token',
    'glagent-',
    false,
    '[A-Za-z0-9_-]{50,}(?![A-Za-z0-9_-])',
    'glagent- + 50+ of [A-Za-z0-9_-]',
  ),
  gitlab(
    'gitlab_oauth_app_secret',
    'gloas-',
    false,
    '[A-Za-z0-9_-]{64}(?![A-Za-z0-9_-])',
    'gloas- + 64 of [A-Za-z0-9_-]',
  ),
  gitlab(
    'gitlab_scim_oauth_token',
    'glsoat-',
    false,
    '[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])',
    'glsoat- + 20 of [A-Za-z0-9_-]',
  ),
  gitlab(
    'gitlab_feature_flags_client_token',
    'glffct-',
    false,
    '[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])',
    'glffct- + 20 of [A-Za-z0-9_-]',
  ),
  T(
    'huggingface_token',
    'huggingface',
    false,
    // Letters in Hugging Face's docs and most tokens; older ones hold digits too (the hub-ci token
    // in transformers' testing_utils.py), as TruffleHog's detector allows.
    'hf_ + 34 letters and digits',
    ['hf_'],
    /hf_[A-Za-z0-9]{34}(?![A-Za-z0-9_])/y,
    { minEntropy: 3.8, validate: mixedCase, source: 'https://huggingface.co/docs/hub/security-tokens' },
  ),
  T(
    'huggingface_org_token',
    'huggingface',
    false,
    'api_org_ + 34 letters',
    ['api_org_'],
    /api_org_[A-Za-z]{34}(?![A-Za-z0-9_])/y,
    { minEntropy: 3.8, validate: mixedCase, source: 'https://huggingface.co/docs/hub/security-tokens' },
  ),
  T(
    'pypi_api_token',
    'pypi',
    false,
    'pypi-AgEIcHlwaS5vcmc + 50+ base64url (a macaroon)',
    ['pypi-AgEIcHlwaS5vcmc', 'pypi-AgENdGVzdC5weXBp'],
    /pypi-Ag(?:EIcHlwaS5vcmc|ENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}(?![A-Za-z0-9_-])/y,
    { minEntropy: 4.0, source: 'https://pypi.org/help/#apitoken' },
  ),
  T(
    'nuget_api_key',
    'nuget',
    false,
    'oy2 + 43 lowercase base32 characters with fixed bits (NuGet ApiKeyV4)',
    ['oy2'],
    /oy2[a-p][0-9a-z]{15}[aq][0-9a-z]{11}[eu][bdfhjlnprtvxz357][a-p][0-9a-z]{11}[aeimquy4](?![0-9a-z])/y,
    {
      minEntropy: 3.5,
      source:
        'https://github.com/NuGet/NuGetGallery/blob/main/src/NuGetGallery.Services/Authentication/ApiKeyV4.cs',
    },
  ),
  T(
    'jfrog_api_key',
    'jfrog',
    false,
    'AKCp + a digit + 68 alphanumerics (Artifactory API key)',
    ['AKCp'],
    /AKCp[0-9][A-Za-z0-9]{68}(?![A-Za-z0-9_-])/y,
    {
      minEntropy: 4.5,
      source: 'https://jfrog.com/help/r/jfrog-platform-administration-documentation/api-keys',
    },
  ),
  T(
    'jfrog_reference_token',
    'jfrog',
    false,
    'cmVmdGtuOjAxOj (base64 of `reftkn:01:`) + 50 alphanumerics (Artifactory reference token)',
    ['cmVmdGtuOjAxOj'],
    /cmVmdGtuOjAxOj[A-Za-z0-9]{50}(?![A-Za-z0-9_+/-])/y,
    {
      minEntropy: 4.0,
      source: 'https://jfrog.com/help/r/jfrog-platform-administration-documentation/access-tokens',
    },
  ),
  T(
    'dockerhub_access_token',
    'docker',
    false,
    'dckr_pat_ + 27 (or dckr_oat_ + 27–40) of [A-Za-z0-9_-]',
    ['dckr_pat_', 'dckr_oat_'],
    /dckr_(?:pat_[A-Za-z0-9_-]{27}|oat_[A-Za-z0-9_-]{27,40})(?![A-Za-z0-9_-])/y,
    { minEntropy: 3.6, source: 'https://docs.docker.com/security/for-developers/access-tokens/' },
  ),
  ...(
    [
      ['shopify_access_token', 'shpat_', 'Admin API access token'],
      ['shopify_custom_app_token', 'shpca_', 'custom app access token'],
      ['shopify_private_app_token', 'shppa_', 'private app access token'],
      ['shopify_shared_secret', 'shpss_', 'app shared secret'],
    ] as const
  ).map(([type, prefix, what]) =>
    T(
      type,
      'shopify',
      false,
      `${prefix} + 32 hex (${what})`,
      [prefix],
      new RegExp(`${prefix}[a-fA-F0-9]{32}(?![A-Za-z0-9_])`, 'y'),
      {
        minEntropy: 2.8,
        source:
          'https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/generate-app-access-tokens-admin',
      },
    ),
  ),
  T(
    'vault_service_token',
    'hashicorp',
    false,
    'hvs. + 24+ of [A-Za-z0-9_-]',
    ['hvs.'],
    /hvs\.[A-Za-z0-9_-]{24,250}(?![A-Za-z0-9_-])/y,
    { minEntropy: 3.8, source: 'https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes' },
  ),
  T(
    'vault_batch_token',
    'hashicorp',
    false,
    'hvb. + 100+ of [A-Za-z0-9_-]',
    ['hvb.'],
    /hvb\.[A-Za-z0-9_-]{100,300}(?![A-Za-z0-9_-])/y,
    { minEntropy: 4.0, source: 'https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes' },
  ),
  T(
    'vault_recovery_token',
    'hashicorp',
    false,
    'hvr. + 24+ of [A-Za-z0-9_-]',
    ['hvr.'],
    /hvr\.[A-Za-z0-9_-]{24,250}(?![A-Za-z0-9_-])/y,
    { minEntropy: 3.8, source: 'https://developer.hashicorp.com/vault/docs/concepts/tokens#token-prefixes' },
  ),
  T(
    'terraform_cloud_token',
    'hashicorp',
    false,
    '14 alphanumerics + .atlasv1. + 60–70 of [A-Za-z0-9_-]',
    ['.atlasv1.'],
    /\.atlasv1\.[A-Za-z0-9_=-]{60,70}(?![A-Za-z0-9_=-])/y,
    {
      minEntropy: 4.0,
      startBefore: (text, at) => runStart(text, at, isAlnum, 14, 14),
      source: 'https://developer.hashicorp.com/terraform/cloud-docs/users-teams-organizations/api-tokens',
    },
  ),
  T(
    'doppler_token',
    'doppler',
    false,
    'dp.pt.|dp.st.[env.]|dp.ct.|dp.sa.|dp.scim.|dp.audit. + 40–44 alphanumerics',
    ['dp.pt.', 'dp.st.', 'dp.ct.', 'dp.sa.', 'dp.scim.', 'dp.audit.'],
    /dp\.(?:pt|st(?:\.[a-z0-9_-]{2,35})?|ct|sa|scim|audit)\.[A-Za-z0-9]{40,44}(?![A-Za-z0-9])/y,
    { minEntropy: 3.8, source: 'https://docs.doppler.com/docs/token-formats' },
  ),
  T(
    'hubspot_private_app_token',
    'hubspot',
    false,
    'pat- + region (na1, eu1, …) + - + a UUID (private app access token)',
    ['pat-na', 'pat-eu', 'pat-ap'],
    /pat-(?:na|eu|ap)\d-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9A-Za-z_-])/y,
    { source: 'https://developers.hubspot.com/docs/guides/apps/private-apps/overview' },
  ),
  T(
    'linear_api_key',
    'linear',
    false,
    'lin_api_ + 40 alphanumerics (or lin_oauth_ + 64 hex)',
    ['lin_api_', 'lin_oauth_'],
    /lin_(?:api_[A-Za-z0-9]{40}|oauth_[a-f0-9]{64})(?![A-Za-z0-9_])/y,
    // 3.3 bits: 64 random hex characters (an OAuth token) average ~3.8, below a 40-character key's.
    { minEntropy: 3.3, source: 'https://linear.app/developers/graphql#personal-api-keys' },
  ),
  T(
    'telegram_bot_token',
    'telegram',
    false,
    '<8–10 digit bot id>:AA + 33 of [A-Za-z0-9_-]',
    [':AA'],
    /:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/y,
    {
      minEntropy: 3.6,
      startBefore: (text, at) => runStart(text, at, isDigit, 8, 10),
      // The Bot API puts the token in the path: https://api.telegram.org/bot<token>/getMe
      prefixWord: '/bot',
      source: 'https://core.telegram.org/bots/api#authorizing-your-bot',
    },
  ),
  T(
    'discord_bot_token',
    'discord',
    false,
    'base64(bot id) + . + 6 + . + 27–38 of [A-Za-z0-9_-] (in a file that mentions Discord)',
    ['MT', 'Mj', 'Mz', 'ND', 'NT', 'Nj', 'Nz', 'OD', 'OT'],
    /[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}(?![A-Za-z0-9_-])/y,
    {
      minEntropy: 3.8,
      validate: discordToken,
      fileContext: 'discord',
      source: 'https://discord.com/developers/docs/reference#authentication',
    },
  ),
  T(
    'discord_webhook_url',
    'discord',
    false,
    'https://discord.com/api/webhooks/<id>/<68 of [A-Za-z0-9_-]>',
    ['discord.com/api/webhooks/', 'discordapp.com/api/webhooks/'],
    /discord(?:app)?\.com\/api\/webhooks\/[0-9]{17,20}\/[A-Za-z0-9_-]{60,68}(?![A-Za-z0-9_-])/y,
    {
      minEntropy: 3.8,
      startBefore: schemeStart,
      source: 'https://discord.com/developers/docs/resources/webhook',
    },
  ),
  T(
    'azure_storage_account_key',
    'azure',
    false,
    'AccountKey=<88 base64> in a storage connection string',
    ['AccountKey='],
    /AccountKey=[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/y,
    {
      minEntropy: 4.5,
      source: 'https://learn.microsoft.com/azure/storage/common/storage-configure-connection-string',
      validate: (v) => (isAzureEmulatorKey(v.slice('AccountKey='.length)) ? false : 'high'),
    },
  ),
  T(
    'azure_shared_access_key',
    'azure',
    false,
    'SharedAccessKey=<44 base64> in a Service Bus / Event Hubs connection string',
    ['SharedAccessKey='],
    /SharedAccessKey=[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=(?![A-Za-z0-9+/=])/y,
    { minEntropy: 4.0, source: 'https://learn.microsoft.com/azure/service-bus-messaging/service-bus-sas' },
  ),
  T(
    'postman_api_key',
    'postman',
    false,
    'PMAK- + 24 hex + - + 34 hex',
    ['PMAK-'],
    /PMAK-[a-f0-9]{24}-[a-f0-9]{34}(?![A-Za-z0-9_-])/y,
    { minEntropy: 3.0, source: 'https://learning.postman.com/docs/developer/postman-api/authentication/' },
  ),
  T(
    'digitalocean_token',
    'digitalocean',
    false,
    'dop_v1_|doo_v1_|dor_v1_ + 64 hex',
    ['dop_v1_', 'doo_v1_', 'dor_v1_'],
    /do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9_])/y,
    { minEntropy: 3.2, source: 'https://docs.digitalocean.com/reference/api/create-personal-access-token/' },
  ),
  T(
    'sentry_auth_token',
    'sentry',
    false,
    'sntrys_eyJ… (organization token) or sntryu_ + 64 hex (user token)',
    ['sntrys_', 'sntryu_'],
    /sntry(?:s_eyJ[A-Za-z0-9+/=_-]{60,300}|u_[a-f0-9]{64})(?![A-Za-z0-9+/=_-])/y,
    { minEntropy: 3.3, source: 'https://docs.sentry.io/account/auth-tokens/' },
  ),
  T(
    'new_relic_user_api_key',
    'newrelic',
    false,
    'NRAK- + 27 uppercase alphanumerics',
    ['NRAK-'],
    /NRAK-[A-Z0-9]{27}(?![A-Za-z0-9_-])/y,
    { minEntropy: 3.5, source: 'https://docs.newrelic.com/docs/apis/intro-apis/new-relic-api-keys/' },
  ),
  T(
    'grafana_service_account_token',
    'grafana',
    false,
    'glsa_ + 32 alphanumerics + _ + 8 hex',
    ['glsa_'],
    /glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}(?![A-Za-z0-9_])/y,
    { minEntropy: 3.8, source: 'https://grafana.com/docs/grafana/latest/administration/service-accounts/' },
  ),
  T(
    'databricks_token',
    'databricks',
    false,
    'dapi + 32 hex [+ -N]',
    ['dapi'],
    /dapi[a-f0-9]{32}(?:-\d)?(?![A-Za-z0-9_])/y,
    { minEntropy: 2.8, source: 'https://docs.databricks.com/dev-tools/auth/pat.html' },
  ),
  T(
    'rubygems_api_key',
    'rubygems',
    false,
    'rubygems_ + 48 hex',
    ['rubygems_'],
    /rubygems_[a-f0-9]{48}(?![A-Za-z0-9_])/y,
    { minEntropy: 3.0, source: 'https://guides.rubygems.org/api-key-scopes/' },
  ),
  T(
    'atlassian_api_token',
    'atlassian',
    false,
    'ATATT3 + ~180 of [A-Za-z0-9_=-]',
    ['ATATT3'],
    /ATATT3[A-Za-z0-9_=-]{150,250}(?![A-Za-z0-9_=-])/y,
    {
      minEntropy: 4.2,
      source:
        'https://support.atlassian.com/atlassian-account/docs/manage-api-tokens-for-your-atlassian-account/',
    },
  ),
  T(
    'supabase_access_token',
    'supabase',
    false,
    'sbp_ + 40 hex',
    ['sbp_'],
    /sbp_[a-f0-9]{40}(?![A-Za-z0-9_])/y,
    { minEntropy: 3.0, source: 'https://supabase.com/docs/reference/api/introduction' },
  ),
  T(
    'age_secret_key',
    'age',
    false,
    'AGE-SECRET-KEY-1 + 58 bech32',
    ['AGE-SECRET-KEY-1'],
    /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Za-z0-9])/y,
    { minEntropy: 3.8, source: 'https://age-encryption.org/v1' },
  ),
  T(
    'groq_api_key',
    'groq',
    false,
    'gsk_ + 52 alphanumerics',
    ['gsk_'],
    /gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9_])/y,
    { minEntropy: 4.0, source: 'https://console.groq.com/docs/api-keys' },
  ),
  T(
    'replicate_api_token',
    'replicate',
    false,
    'r8_ + 37 alphanumerics',
    ['r8_'],
    /r8_[A-Za-z0-9]{37}(?![A-Za-z0-9_])/y,
    { minEntropy: 3.8, source: 'https://replicate.com/docs/reference/http#authentication' },
  ),
  T(
    'planetscale_token',
    'planetscale',
    false,
    'pscale_tkn_|pscale_pw_|pscale_oauth_ + 43 of [A-Za-z0-9_.-]',
    ['pscale_tkn_', 'pscale_pw_', 'pscale_oauth_'],
    /pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{43}(?![A-Za-z0-9_.-])/y,
    { minEntropy: 3.8, source: 'https://planetscale.com/docs/concepts/service-tokens' },
  ),
  T('pulumi_access_token', 'pulumi', false, 'pul- + 40 hex', ['pul-'], /pul-[a-f0-9]{40}(?![A-Za-z0-9_-])/y, {
    minEntropy: 3.0,
    source: 'https://www.pulumi.com/docs/pulumi-cloud/access-management/access-tokens/',
  }),
  T(
    'tailscale_key',
    'tailscale',
    false,
    'tskey-<type>-<id>-<secret>',
    ['tskey-'],
    /tskey-(?:api|auth|client|scim|webhook)-[A-Za-z0-9]{8,20}-[A-Za-z0-9]{20,40}(?![A-Za-z0-9_-])/y,
    { minEntropy: 3.6, source: 'https://tailscale.com/kb/1277/key-prefixes' },
  ),
  T(
    'brevo_api_key',
    'brevo',
    false,
    'xkeysib- + 64 hex + - + 16 alphanumerics',
    ['xkeysib-'],
    /xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}(?![A-Za-z0-9_-])/y,
    { minEntropy: 3.5, source: 'https://developers.brevo.com/docs/getting-started' },
  ),
  T(
    'figma_access_token',
    'figma',
    false,
    'figd_ + 40 of [A-Za-z0-9_-]',
    ['figd_'],
    /figd_[A-Za-z0-9_-]{40}(?![A-Za-z0-9_-])/y,
    { minEntropy: 3.8, source: 'https://www.figma.com/developers/api#access-tokens' },
  ),
];

/** AWS access key ids: documented 4-letter prefix + 16 base32 characters. */
export const AWS_KEY_ID_SPEC = T(
  'aws_access_key',
  'aws',
  true,
  'AKIA + 16 of [A-Z2-7]; paired with its 40-character secret when one is near',
  ['AKIA', 'ASIA', 'ABIA', 'ACCA'],
  /(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}(?![A-Za-z0-9])/y,
  {
    minEntropy: 2.8,
    priority: PRIORITY.specific + 5,
    source:
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids',
  },
);

const AWS_KEYS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html';
const PEM = 'https://datatracker.ietf.org/doc/html/rfc7468';

/** Kinds found by code outside TOKEN_SPECS, listed for documentation and classification. */
export const OTHER_KINDS: readonly KindInfo[] = [
  {
    type: 'aws_temporary_access_key',
    provider: 'aws',
    revocable: false,
    shape: 'ASIA (or ABIA/ACCA) + 16 of [A-Z2-7]: STS session credentials',
    source: 'https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html',
  },
  {
    type: 'aws_secret_access_key',
    provider: 'aws',
    revocable: false,
    shape: '40 base64 under an AWS secret key name, with no key id near',
    source: AWS_KEYS,
  },
  {
    type: 'aws_session_token',
    provider: 'aws',
    revocable: false,
    shape: 'IQoJb3JpZ2luX2Vj…/FwoGZXIvYXdz… (100+ base64), or long base64 under aws_session_token',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html',
  },
  {
    type: 'gcp_service_account_key',
    provider: 'gcp',
    revocable: false,
    shape: 'service-account key JSON: "type": "service_account" with a "private_key" PEM',
    source: 'https://cloud.google.com/iam/docs/keys-create-delete',
  },
  {
    type: 'rsa_private_key',
    provider: 'crypto',
    revocable: false,
    shape: '-----BEGIN RSA PRIVATE KEY----- (PKCS#1)',
    source: PEM,
  },
  {
    type: 'ec_private_key',
    provider: 'crypto',
    revocable: false,
    shape: '-----BEGIN EC PRIVATE KEY----- (SEC 1)',
    source: PEM,
  },
  {
    type: 'dsa_private_key',
    provider: 'crypto',
    revocable: false,
    shape: '-----BEGIN DSA PRIVATE KEY-----',
    source: PEM,
  },
  {
    type: 'openssh_private_key',
    provider: 'crypto',
    revocable: false,
    shape: '-----BEGIN OPENSSH PRIVATE KEY----- (openssh-key-v1; encrypted when its cipher is not none)',
    source: 'https://github.com/openssh/openssh-portable/blob/master/PROTOCOL.key',
  },
  {
    type: 'pkcs8_private_key',
    provider: 'crypto',
    revocable: false,
    shape: '-----BEGIN PRIVATE KEY----- / -----BEGIN ENCRYPTED PRIVATE KEY----- (PKCS#8)',
    source: 'https://datatracker.ietf.org/doc/html/rfc5958',
  },
  {
    type: 'pgp_private_key',
    provider: 'crypto',
    revocable: false,
    shape: '-----BEGIN PGP PRIVATE KEY BLOCK-----',
    source: 'https://datatracker.ietf.org/doc/html/rfc4880#section-6.2',
  },
  {
    type: 'jwk_private_key',
    provider: 'crypto',
    revocable: false,
    shape: 'a JSON Web Key with "kty" RSA/EC/OKP and the private member "d"',
    source: 'https://datatracker.ietf.org/doc/html/rfc7518#section-6',
  },
  {
    type: 'ethereum_private_key',
    provider: 'ethereum',
    revocable: false,
    shape: '0x + 64 hex where the line names a key or lists accounts (EVM chains)',
    source: 'https://ethereum.org/en/developers/docs/accounts/#account-creation',
  },
  {
    type: 'openvpn_static_key',
    provider: 'openvpn',
    revocable: false,
    shape: '-----BEGIN OpenVPN Static key V1----- + 16 lines of 32 hex',
    source: 'https://openvpn.net/community-resources/reference-manual-for-openvpn-2-6/',
  },
  {
    type: 'putty_private_key',
    provider: 'crypto',
    revocable: false,
    shape: 'PuTTY-User-Key-File-N: … Private-Lines: …',
    source: 'https://the.earth.li/~sgtatham/putty/0.78/htmldoc/AppendixC.html',
  },
  {
    type: 'postgres_uri',
    provider: 'postgres',
    revocable: false,
    shape: 'postgres[ql]://user:password@host',
    source: 'https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS',
  },
  {
    type: 'mysql_uri',
    provider: 'mysql',
    revocable: false,
    shape: 'mysql[x]|mariadb://user:password@host',
    source: 'https://dev.mysql.com/doc/refman/8.0/en/connecting-using-uri-or-key-value-pairs.html',
  },
  {
    type: 'mongodb_uri',
    provider: 'mongodb',
    revocable: false,
    shape: 'mongodb[+srv]://user:password@host',
    source: 'https://www.mongodb.com/docs/manual/reference/connection-string/',
  },
  {
    type: 'redis_uri',
    provider: 'redis',
    revocable: false,
    shape: 'redis[s]://[user]:password@host',
    source: 'https://www.iana.org/assignments/uri-schemes/prov/redis',
  },
  {
    type: 'amqp_uri',
    provider: 'amqp',
    revocable: false,
    shape: 'amqp[s]://user:password@host',
    source: 'https://www.rabbitmq.com/docs/uri-spec',
  },
  {
    type: 'url_with_password',
    provider: 'generic',
    revocable: false,
    shape: 'other scheme://user:password@host (http, ftp, smtp, ldap, …)',
    source: 'https://datatracker.ietf.org/doc/html/rfc3986#section-3.2.1',
  },
  {
    type: 'npm_legacy_token',
    provider: 'npm',
    revocable: true,
    shape: '_authToken=<uuid> in .npmrc',
    source: 'https://docs.npmjs.com/cli/v10/configuring-npm/npmrc#auth-related-configuration',
  },
  {
    type: 'datadog_api_key',
    provider: 'datadog',
    revocable: false,
    shape: '32 hex under DD_API_KEY / a Datadog API key name',
    source: 'https://docs.datadoghq.com/account_management/api-app-keys/',
  },
  {
    type: 'datadog_app_key',
    provider: 'datadog',
    revocable: false,
    shape: '40 hex under DD_APP_KEY / a Datadog application key name',
    source: 'https://docs.datadoghq.com/account_management/api-app-keys/',
  },
  {
    type: 'twilio_auth_token',
    provider: 'twilio',
    revocable: false,
    shape:
      '32 hex under a Twilio auth token name, or paired with an AC… account SID (URL userinfo, curl -u, a client’s arguments)',
    source: 'https://www.twilio.com/docs/iam/api/authtoken',
  },
  {
    type: 'twilio_api_key_secret',
    provider: 'twilio',
    revocable: false,
    shape: '32 alphanumerics paired with an SK… API key SID (URL userinfo, curl -u, a client’s arguments)',
    source: 'https://www.twilio.com/docs/iam/api-keys',
  },
  {
    type: 'postgres_password',
    provider: 'postgres',
    revocable: false,
    shape: 'the password field of a .pgpass line (hostname:port:database:username:password)',
    source: 'https://www.postgresql.org/docs/current/libpq-pgpass.html',
  },
  {
    type: 'command_line_password',
    provider: 'generic',
    revocable: false,
    shape:
      "a password option's value: mysql -p…, sshpass -p, curl -u user:…, docker login -p, redis-cli -a, ldapsearch -w, htpasswd -b",
  },
  {
    type: 'wordpress_secret_key',
    provider: 'wordpress',
    revocable: false,
    shape:
      "wp-config.php define('AUTH_KEY' | 'SECURE_AUTH_KEY' | 'LOGGED_IN_KEY' | 'NONCE_KEY' | …_SALT, <64 random characters>)",
    source: 'https://developer.wordpress.org/apis/wp-config-php/#security-keys',
  },
  {
    type: 'aspnet_machine_key',
    provider: 'aspnet',
    revocable: false,
    shape: '<machineKey validationKey="hex" decryptionKey="hex"> in web.config',
    source: 'https://learn.microsoft.com/en-us/previous-versions/dotnet/netframework-4.0/w8h3skw9(v=vs.100)',
  },
  {
    type: 'rails_master_key',
    provider: 'rails',
    revocable: false,
    shape: 'config/master.key or config/credentials/<env>.key: 32 hex',
    source: 'https://guides.rubyonrails.org/security.html#custom-credentials',
  },
  {
    type: 'rails_encryption_key',
    provider: 'rails',
    revocable: false,
    shape:
      'active_record_encryption primary_key / deterministic_key / key_derivation_salt in a credentials file',
    source: 'https://guides.rubyonrails.org/active_record_encryption.html#setup',
  },
  {
    type: 'terraform_generated_password',
    provider: 'terraform',
    revocable: false,
    shape: 'the "result" of a random_password resource in a terraform.tfstate',
    source: 'https://registry.terraform.io/providers/hashicorp/random/latest/docs/resources/password',
  },
  {
    type: 'wandb_api_key',
    provider: 'wandb',
    revocable: false,
    shape: '40 hex under a W&B key name (WANDB_API_KEY) or as the api.wandb.ai password of a .netrc',
    source: 'https://docs.wandb.ai/guides/track/environment-variables/',
  },
  {
    type: 'heroku_api_key',
    provider: 'heroku',
    revocable: false,
    shape: 'UUID or HRKU-… under a Heroku key name',
    source: 'https://devcenter.heroku.com/articles/authentication',
  },
  {
    type: 'authorization_header',
    provider: 'generic',
    revocable: false,
    shape: 'Authorization: Bearer <high-entropy token> / Basic <base64 user:password>',
    source: 'https://datatracker.ietf.org/doc/html/rfc9110#section-11.6.2',
  },
  {
    type: 'generic_password',
    provider: 'generic',
    revocable: false,
    shape: 'password / passwd / pwd / passphrase assignment, judged by strength and context',
  },
  {
    type: 'generic_secret',
    provider: 'generic',
    revocable: false,
    shape: 'secret / client_secret / secret_key assignment, judged by entropy and context',
  },
  {
    type: 'generic_token',
    provider: 'generic',
    revocable: false,
    shape: 'token / auth_token / access_token assignment, judged by entropy and context',
  },
  {
    type: 'generic_api_key',
    provider: 'generic',
    revocable: false,
    shape: 'api_key / apikey / access_key / private_key assignment, judged by entropy and context',
  },
];

export function allKinds(): KindInfo[] {
  const kinds: KindInfo[] = [];
  const seen = new Set<string>();
  const add = (k: KindInfo): void => {
    if (seen.has(k.type)) return;
    seen.add(k.type);
    kinds.push({
      type: k.type,
      provider: k.provider,
      revocable: k.revocable,
      shape: k.shape,
      ...(k.source ? { source: k.source } : {}),
    });
  };
  add(AWS_KEY_ID_SPEC);
  for (const spec of TOKEN_SPECS) {
    add(spec);
    if (spec.type === 'openai_api_key')
      add({
        type: 'openai_admin_key',
        provider: 'openai',
        revocable: false,
        shape: 'sk-admin-… containing T3BlbkFJ',
        source: 'https://platform.openai.com/docs/api-reference/admin-api-keys',
      });
  }
  for (const k of OTHER_KINDS) add(k);
  return kinds;
}

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isAlnum(code: number): boolean {
  return isWordChar(code);
}

/** Start of a run of `min`–`max` characters accepted by `accept` ending at `at`, or -1. */
function runStart(
  text: string,
  at: number,
  accept: (code: number) => boolean,
  min: number,
  max: number,
): number {
  let i = at;
  while (i > 0 && at - i < max + 1 && accept(text.charCodeAt(i - 1))) i--;
  const len = at - i;
  return len >= min && len <= max ? i : -1;
}

/** Webhook URLs start at their `https://` when it is there. */
function schemeStart(text: string, at: number): number {
  if (text.startsWith('https://', at - 8)) return at - 8;
  if (text.startsWith('http://', at - 7)) return at - 7;
  return at;
}

/**
 * A credential may start here only if the previous character does not continue a word; an
 * escaped `\n`/`\t` in a JSON or code string counts as a separator.
 */
export function leftBoundaryOk(text: string, at: number): boolean {
  if (at === 0) return true;
  const prev = text.charCodeAt(at - 1);
  if (!isWordChar(prev) && prev !== 95 /* _ */) return true;
  return (prev === 110 || prev === 116 || prev === 114) && at >= 2 && text.charCodeAt(at - 2) === 92;
}

/** Try one spec at the anchor found at `at`; returns a hit or undefined. */
export function matchSpec(spec: TokenSpec, text: string, at: number): Hit | undefined {
  const start = spec.startBefore ? spec.startBefore(text, at) : at;
  if (start < 0) return undefined;
  if (!leftBoundaryOk(text, start) && !(spec.prefixWord && text.endsWith(spec.prefixWord, start)))
    return undefined;
  spec.pattern.lastIndex = at;
  const m = spec.pattern.exec(text);
  if (m) return judgeToken(spec, text.slice(start, at + m[0].length), start);
  return matchJoinedLiterals(spec, text, start, at);
}

/**
 * A token split into string literals joined in code (a common way past push protection): the
 * pieces are read as one value, and the token is reported at its first piece. Only when the
 * format matches the joined value whole, past the first piece.
 */
function matchJoinedLiterals(spec: TokenSpec, text: string, start: number, at: number): Hit | undefined {
  const quote = text[start - 1];
  if (quote !== '"' && quote !== "'" && quote !== '`') return undefined;
  const joined = joinedLiterals(text, start - 1);
  if (!joined || joined.pieces < 2) return undefined;
  spec.pattern.lastIndex = at - start;
  const m = spec.pattern.exec(joined.value);
  if (!m || m[0].length + (at - start) !== joined.value.length) return undefined;
  const hit = judgeToken(spec, joined.value, start);
  return hit && withHit(hit, { end: joined.close, attributes: { ...hit.attributes, joined: true } });
}

/** Validation shared by file scans and by classifying a raw value. */
export function judgeToken(spec: TokenSpec, value: string, start: number): Hit | undefined {
  let anchorAt = -1;
  let anchor = '';
  for (const a of spec.anchors) {
    const i = value.indexOf(a);
    if (i >= 0) {
      anchorAt = i;
      anchor = a;
      break;
    }
  }
  const body = anchorAt >= 0 ? value.slice(anchorAt + anchor.length) : value;
  if (looksLikePlaceholder(body)) return undefined;
  if (shannonEntropy(body) < (spec.minEntropy ?? 3.0)) return undefined;
  // Hex-only bodies must still mix letters and digits (a run of one class is a counter, not a key).
  if (isHex(body) && !(/[0-9]/.test(body) && /[a-fA-F]/.test(body))) return undefined;
  let confidence: Confidence = 'high';
  let attributes: Hit['attributes'];
  let type = spec.type;
  if (spec.validate) {
    const verdict = spec.validate(value);
    if (verdict === false) return undefined;
    if (typeof verdict === 'string') confidence = verdict;
    else {
      confidence = verdict.confidence;
      attributes = verdict.attributes;
      if (verdict.type) type = verdict.type;
    }
  }
  if (isDocumentedExample(value)) return undefined;
  let secret = value;
  let secretStart = start;
  let preview: Hit['preview'] = { value };
  if (spec.type === 'azure_storage_account_key' || spec.type === 'azure_shared_access_key') {
    const eq = value.indexOf('=') + 1;
    secret = value.slice(eq);
    secretStart = start + eq;
    preview = { value: secret, prefix: '' };
  } else if (spec.type === 'slack_webhook_url' || spec.type === 'discord_webhook_url') {
    const path = value.replace(/^https?:\/\//, '');
    secret = `https://${path}`;
    preview = { value: secret, prefix: secret.slice(0, secret.indexOf('/', 8) + 1) };
  }
  return makeHit({
    type,
    provider: spec.provider,
    revocable: spec.revocable,
    start: secretStart,
    end: start + value.length,
    secret,
    identity: secret,
    preview,
    confidence,
    priority: spec.priority ?? PRIORITY.specific,
    attributes,
  });
}

/**
 * Prefixes that begin an issuer's token (anchors the credential starts with, four characters or
 * more; not `key-` or `AccountKey=`-style words that begin other values too), longest first.
 */
const ISSUER_PREFIXES: readonly string[] = [
  ...new Set(
    TOKEN_SPECS.filter((spec) => !spec.startBefore).flatMap((spec) =>
      spec.anchors.filter((a) => a.length >= 4 && !a.endsWith('=') && a !== 'key-'),
    ),
  ),
].sort((a, b) => b.length - a.length);

/**
 * A value that begins like an issuer's token but is too short to be one (`sk_live_` and ten
 * characters): every issuer here puts 20 or more random characters after its prefix, so this is
 * a truncated value or a deliberate fake. (One long enough that no format matched still goes to
 * the generic rules: issuers lengthen their tokens over time.)
 */
export function isTooShortForIssuerPrefix(value: string): boolean {
  const prefix = ISSUER_PREFIXES.find((p) => value.startsWith(p));
  return prefix !== undefined && value.length - prefix.length < 20;
}
