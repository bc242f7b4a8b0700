/**
 * The IAM stand-in (`/sandbox/aws/iam`, reached with AWS_ENDPOINT_URL_IAM) over the Query protocol:
 * the calls containment makes in a member account with its role session.
 *
 * - GetAccessKeyLastUsed → the key's user and its last use (every authenticated call with a
 *   registered key is recorded), for keys of the caller's account; ListAccessKeys → their status.
 * - UpdateAccessKey Status=Inactive deactivates the key and counts a revocation; with role
 *   credentials UserName is required, as in IAM. Status=Active brings it back.
 * - AttachUserPolicy / ListAttachedUserPolicies for AWS managed policies (the deny-all quarantine).
 * - DeleteAccessKey deletes the key; deleting a live key is a revocation too, deleting an inactive
 *   one (the grace-period sweep) is not counted as another.
 */
import type { HttpRequest, HttpResponse } from '../http.ts';
import type { AwsAuthContext, AwsPrincipal } from './aws-auth.ts';
import { AwsQueryError, required, serveQuery, type QueryParams, type QueryService } from './aws-query.ts';
import type { SandboxCredential } from './credentials.ts';
import type { FaultInjector } from './faults.ts';

export interface IamSandboxOptions {
  readonly auth: AwsAuthContext;
  readonly faults?: FaultInjector;
}

const NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

export function createIamSandbox(options: IamSandboxOptions) {
  const { registry } = options.auth;

  /** A key of the caller's account that has not been deleted. */
  function keyOf(principal: AwsPrincipal, keyId: string): SandboxCredential {
    const key = registry.find(keyId);
    if (!key || key.provider !== 'aws' || key.deleted || key.account !== principal.account)
      throw new AwsQueryError(404, 'NoSuchEntity', `The Access Key with id ${keyId} cannot be found.`);
    return key;
  }

  /** UserName, or the signing user when omitted — impossible with role credentials. */
  function userOf(params: QueryParams, principal: AwsPrincipal): string {
    const named = params.get('UserName');
    if (named) return named;
    if (principal.kind === 'user') return principal.credential.owner;
    throw new AwsQueryError(
      400,
      'ValidationError',
      'Must specify userName when calling with non-User credentials',
    );
  }

  function userExists(account: string, user: string): boolean {
    return registry.all().some((c) => c.provider === 'aws' && c.account === account && c.owner === user);
  }

  const spec: QueryService = {
    service: 'iam',
    namespace: NAMESPACE,
    version: '2010-05-08',
    actions: {
      GetAccessKeyLastUsed: (params, principal) => {
        const key = keyOf(principal, required(params, 'AccessKeyId'));
        return {
          UserName: key.owner,
          AccessKeyLastUsed: key.lastUsed
            ? {
                LastUsedDate: new Date(key.lastUsed.at),
                ServiceName: key.lastUsed.service,
                Region: 'us-east-1',
              }
            : { ServiceName: 'N/A', Region: 'N/A' },
        };
      },
      ListAccessKeys: (params, principal) => {
        const user = userOf(params, principal);
        if (!userExists(principal.account, user))
          throw new AwsQueryError(404, 'NoSuchEntity', `The user with name ${user} cannot be found.`);
        return {
          AccessKeyMetadata: registry
            .all()
            .filter(
              (c) =>
                c.provider === 'aws' && c.account === principal.account && c.owner === user && !c.deleted,
            )
            .map((c) => ({
              UserName: user,
              AccessKeyId: c.value,
              Status: c.live ? 'Active' : 'Inactive',
              CreateDate: new Date(c.registeredAt),
            })),
          IsTruncated: false,
        };
      },
      UpdateAccessKey: (params, principal) => {
        const keyId = required(params, 'AccessKeyId');
        const status = required(params, 'Status');
        const user = userOf(params, principal);
        const key = keyOf(principal, keyId);
        if (key.owner !== user)
          throw new AwsQueryError(404, 'NoSuchEntity', `The Access Key with id ${keyId} cannot be found.`);
        if (status === 'Inactive') registry.revoke(key);
        else if (status === 'Active') key.live = true;
        else throw new AwsQueryError(400, 'ValidationError', `Status must be Active or Inactive`);
        return undefined;
      },
      DeleteAccessKey: (params, principal) => {
        const keyId = required(params, 'AccessKeyId');
        const user = userOf(params, principal);
        const key = keyOf(principal, keyId);
        if (key.owner !== user)
          throw new AwsQueryError(404, 'NoSuchEntity', `The Access Key with id ${keyId} cannot be found.`);
        if (key.live) registry.revoke(key);
        key.deleted = true;
        return undefined;
      },
      AttachUserPolicy: (params, principal) => {
        const user = required(params, 'UserName');
        const policyArn = required(params, 'PolicyArn');
        if (!userExists(principal.account, user))
          throw new AwsQueryError(404, 'NoSuchEntity', `The user with name ${user} cannot be found.`);
        if (!/^arn:aws:iam::aws:policy\/[\w+=,.@/-]+$/.test(policyArn))
          throw new AwsQueryError(
            404,
            'NoSuchEntity',
            `Policy ${policyArn} does not exist or is not attachable.`,
          );
        registry.attachPolicy(principal.account, user, policyArn);
        return undefined;
      },
      ListAttachedUserPolicies: (params, principal) => {
        const user = required(params, 'UserName');
        if (!userExists(principal.account, user))
          throw new AwsQueryError(404, 'NoSuchEntity', `The user with name ${user} cannot be found.`);
        return {
          AttachedPolicies: registry
            .attachedPolicies(principal.account, user)
            .map((arn) => ({ PolicyName: arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn })),
          IsTruncated: false,
        };
      },
    },
  };
  return {
    async handle(req: HttpRequest): Promise<HttpResponse | undefined> {
      if (req.path !== '/sandbox/aws/iam' && req.path !== '/sandbox/aws/iam/') return undefined;
      return serveQuery(req, spec, options.auth, options.faults);
    },
  };
}
