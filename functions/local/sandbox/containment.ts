/**
 * The sandbox's containment side, assembled for the local runtime: one credential registry and one
 * fault injector shared by every provider stand-in, the STS and IAM stand-ins (mounted at
 * `/sandbox/aws/<service>`), GitLab and npm, and the hooks the GitHub and Slack stand-ins take
 * (`POST /credentials/revoke`, `GET /user`; `auth.test`, `auth.revoke`).
 */
import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponse } from '../http.ts';
import { RoleSessions, type AwsAuthContext } from './aws-auth.ts';
import { createIamSandbox } from './aws-iam.ts';
import { createStsSandbox } from './aws-sts.ts';
import { credentialRoutes, CredentialRegistry } from './credentials.ts';
import { faultRoutes, FaultInjector } from './faults.ts';
import { createGitHubCredentialsApi } from './github-credentials.ts';
import { createGitLabSandbox } from './gitlab.ts';
import { createNpmSandbox } from './npm.ts';
import type { SlackSandboxOptions, SlackTokenState } from './slack.ts';

export interface ContainmentSandboxOptions {
  readonly now?: () => Date;
  /** The role name leakstop assumes in member accounts (its configuration). */
  readonly roleName: () => string;
  readonly externalId: () => string | undefined;
}

export interface ContainmentSandbox {
  readonly credentials: CredentialRegistry;
  readonly faults: FaultInjector;
  /** For createGitHubSandbox's `credentials` option. */
  readonly github: ReturnType<typeof createGitHubCredentialsApi>;
  /** For createSlackSandbox: planted tokens, their revocation, and faults. */
  readonly slack: Pick<SlackSandboxOptions, 'tokens' | 'revokeToken' | 'faults'>;
  /** The account of a role session the STS stand-in issued, for the other AWS stand-ins' callers. */
  accountOfSession(accessKeyId: string): string | undefined;
  /** `/sandbox/credentials`, `/sandbox/faults`, `/sandbox/aws/{sts,iam}`, `/sandbox/gitlab/…`, `/sandbox/npm/…`. */
  handle(req: HttpRequest): Promise<HttpResponse | undefined>;
}

export function createContainmentSandbox(options: ContainmentSandboxOptions): ContainmentSandbox {
  const now = options.now ?? (() => new Date());
  const credentials = new CredentialRegistry(now);
  const faults = new FaultInjector();
  const auth: AwsAuthContext = { registry: credentials, sessions: new RoleSessions(), now };
  const handlers = [
    credentialRoutes(credentials),
    faultRoutes(faults),
    createStsSandbox({ auth, faults, roleName: options.roleName, externalId: options.externalId }).handle,
    createIamSandbox({ auth, faults }).handle,
    createGitLabSandbox({ registry: credentials, faults }).handle,
    createNpmSandbox({ registry: credentials, faults }).handle,
  ];

  const slackTokens = (token: string): SlackTokenState => {
    const credential = credentials.find(token);
    if (!credential || credential.provider !== 'slack') return undefined;
    if (!credential.live) return { status: 'revoked' };
    const id = createHash('sha256').update(credential.owner).digest('hex').slice(0, 9).toUpperCase();
    const bot = token.startsWith('xoxb-');
    return {
      status: 'active',
      scopes: credential.scopes,
      identity: {
        url: 'https://leakstop-sandbox.slack.com/',
        team: 'leakstop sandbox',
        user: credential.owner,
        team_id: 'T0SANDBOX01',
        user_id: `U${id}`,
        ...(bot ? { bot_id: `B${id}` } : {}),
        is_enterprise_install: false,
      },
    };
  };

  return {
    credentials,
    faults,
    github: createGitHubCredentialsApi({ registry: credentials, faults, now }),
    slack: {
      tokens: slackTokens,
      faults,
      revokeToken: (token) => {
        const credential = credentials.find(token);
        if (!credential || credential.provider !== 'slack') return undefined;
        const wasLive = credential.live;
        credentials.revoke(credential);
        return wasLive ? 'revoked' : 'already_revoked';
      },
    },
    accountOfSession: (accessKeyId) => auth.sessions.get(accessKeyId)?.account,
    async handle(req) {
      for (const handle of handlers) {
        const response = await handle(req);
        if (response) return response;
      }
      return undefined;
    },
  };
}
