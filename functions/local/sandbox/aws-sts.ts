/**
 * The STS stand-in (`/sandbox/aws/sts`, reached with AWS_ENDPOINT_URL_STS): GetCallerIdentity,
 * GetAccessKeyInfo and AssumeRole over the Query protocol.
 *
 * - GetCallerIdentity answers for whoever signed: a live registered key, a role session, leakstop.
 *   A revoked or unregistered key gets 403 InvalidClientTokenId, a wrong secret SignatureDoesNotMatch.
 * - GetAccessKeyInfo returns the owning account of any key id, as AWS does: the registered account,
 *   else the account encoded in the key id itself.
 * - AssumeRole issues a session for `arn:aws:iam::<account>:role/<roleName>` when the account is
 *   onboarded (registering a key onboards its account unless `"onboarded": false`), the role name is
 *   the configured one and the external id matches; AccessDenied otherwise.
 */
import type { HttpRequest, HttpResponse } from '../http.ts';
import type { AwsAuthContext } from './aws-auth.ts';
import { AwsQueryError, required, serveQuery, type QueryService } from './aws-query.ts';
import type { FaultInjector } from './faults.ts';

export interface StsSandboxOptions {
  readonly auth: AwsAuthContext;
  readonly faults?: FaultInjector;
  /** The role leakstop assumes in member accounts. */
  readonly roleName: () => string;
  /** The external id the role's trust policy requires, if any. */
  readonly externalId: () => string | undefined;
}

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** The account id AWS encodes in access key ids (bits 1–40 after the 4-letter prefix, base32). */
export function accountFromKeyId(accessKeyId: string): string | undefined {
  const body = accessKeyId.slice(4);
  if (!/^[A-Z2-7]{16}$/.test(body)) return undefined;
  let bits = 0n;
  for (const char of body) bits = (bits << 5n) | BigInt('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(char));
  const first6 = bits >> 32n; // 80 bits → the leading 48
  const account = (first6 & 0x7fffffffff80n) >> 7n;
  return account.toString().padStart(12, '0');
}

export function createStsSandbox(options: StsSandboxOptions) {
  const { auth } = options;
  const spec: QueryService = {
    service: 'sts',
    namespace: NAMESPACE,
    version: '2011-06-15',
    actions: {
      GetCallerIdentity: (_params, principal) => ({
        UserId: principal.userId,
        Account: principal.account,
        Arn: principal.arn,
      }),
      GetAccessKeyInfo: (params) => {
        const keyId = required(params, 'AccessKeyId');
        const registered = auth.registry.find(keyId);
        const account = registered?.account ?? accountFromKeyId(keyId);
        if (!account)
          throw new AwsQueryError(400, 'ValidationError', 'AccessKeyId is not a valid access key id');
        return { Account: account };
      },
      AssumeRole: (params, principal) => {
        const roleArn = required(params, 'RoleArn');
        const sessionName = required(params, 'RoleSessionName');
        const match = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(roleArn);
        const denied = () =>
          new AwsQueryError(
            403,
            'AccessDenied',
            `User: ${principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          );
        if (!match) throw new AwsQueryError(400, 'ValidationError', 'RoleArn is not a role ARN');
        const [, account, roleName] = match as unknown as [string, string, string];
        if (roleName !== options.roleName() || !auth.registry.isOnboarded(account)) throw denied();
        const expected = options.externalId();
        if (expected !== undefined && params.get('ExternalId') !== expected) throw denied();
        const duration = Number(params.get('DurationSeconds') ?? 3600);
        if (!Number.isInteger(duration) || duration < 900 || duration > 43_200)
          throw new AwsQueryError(400, 'ValidationError', 'DurationSeconds must be between 900 and 43200');
        const session = auth.sessions.issue(account, roleName, sessionName, duration, auth.now());
        return {
          Credentials: {
            AccessKeyId: session.accessKeyId,
            SecretAccessKey: session.secretAccessKey,
            SessionToken: session.sessionToken,
            Expiration: new Date(session.expiration),
          },
          AssumedRoleUser: {
            AssumedRoleId: `AROA${session.accessKeyId.slice(4, 16)}:${sessionName}`,
            Arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
          },
        };
      },
    },
  };
  return {
    async handle(req: HttpRequest): Promise<HttpResponse | undefined> {
      if (req.path !== '/sandbox/aws/sts' && req.path !== '/sandbox/aws/sts/') return undefined;
      return serveQuery(req, spec, auth, options.faults);
    },
  };
}
