/**
 * Builds the containment flow's tracers (usage lookup and copies search) from configuration, once
 * per execution environment: clients, the CloudTrail rate limiter and cached tokens are then shared
 * by every incident this instance contains. Configuration problems throw at cold start, all at once.
 */
import { CloudTrailUsageTracer } from '../../adapters/aws/cloudtrail-usage.ts';
import { CloudWatchLogsCopiesTracer } from '../../adapters/aws/logs-copies.ts';
import { LambdaEnvCopiesTracer } from '../../adapters/aws/lambda-copies.ts';
import { SecretsManagerCopiesTracer } from '../../adapters/aws/secrets-manager-copies.ts';
import { SsmParameterCopiesTracer } from '../../adapters/aws/ssm-copies.ts';
import { AwsClients, type AwsTraceSettings, type CredentialsFor } from '../../adapters/aws/trace-calls.ts';
import {
  appOrgTokens,
  GitHubOrgAlertsTracer,
  type OrgTokenProvider,
} from '../../adapters/github/org-alerts.ts';
import { getSecret, hasSecret } from '../../adapters/secrets/secret-source.ts';
import type { Timing } from '../../adapters/tracing/calls.ts';
import type { Tracer } from '../../domain/containment/tracing.ts';
import { parseTraceConfig, type TracerName } from './trace-config.ts';

export interface TracerDependencies {
  /**
   * Credentials for leakstop's role in a member account (assume-role). Without it every account
   * is read with the function's own credentials, which suits a single-account deployment.
   */
  readonly credentialsFor?: CredentialsFor;
  /** The account owning an AWS access key (STS GetAccessKeyInfo); without it CloudTrail is searched in every configured account. */
  readonly accountOf?: (accessKeyId: string) => Promise<string>;
  /** @default the `fingerprintKey` secret */
  readonly fingerprintKey?: () => Promise<string>;
  /** @default installation tokens of the GitHub App (GITHUB_APP_ID + its private key), else unauthenticated */
  readonly githubToken?: OrgTokenProvider;
  readonly env?: NodeJS.ProcessEnv;
  readonly timing?: Timing;
  readonly fetchImpl?: typeof fetch;
}

export function tracersFromEnv(deps: TracerDependencies = {}): Tracer[] {
  const env = deps.env ?? process.env;
  const config = parseTraceConfig(env);
  const fingerprintKey = deps.fingerprintKey ?? (() => getSecret('fingerprintKey', env));
  const settings: AwsTraceSettings = {
    accounts: config.accounts,
    regions: config.regions,
    clients: new AwsClients(deps.credentialsFor),
    pageBudget: config.pageBudget,
    fingerprintKey,
    ...(deps.timing ? { timing: deps.timing } : {}),
  };
  const build: Record<TracerName, () => Tracer> = {
    cloudtrail: () =>
      new CloudTrailUsageTracer({
        ...settings,
        ...(deps.accountOf ? { accountOf: deps.accountOf } : {}),
      }),
    'cloudwatch-logs': () =>
      new CloudWatchLogsCopiesTracer({ ...settings, logGroups: config.logGroups, windowMs: config.windowMs }),
    'lambda-env': () => new LambdaEnvCopiesTracer(settings),
    'ssm-parameters': () => new SsmParameterCopiesTracer(settings),
    'secrets-manager': () => new SecretsManagerCopiesTracer(settings),
    'github-alerts': () =>
      new GitHubOrgAlertsTracer({
        baseUrl: config.githubApiUrl,
        orgs: config.githubOrgs,
        token:
          deps.githubToken ?? lazyAppTokens(config.githubAppId, config.githubApiUrl, env, deps.fetchImpl),
        fingerprintKey,
        pageBudget: config.pageBudget,
        ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
        ...(deps.timing ? { timing: deps.timing } : {}),
      }),
  };
  return config.tracers.map((name) => build[name]());
}

/** The App's private key is a secret: read it on first use, not at cold start. */
function lazyAppTokens(
  appId: string | undefined,
  baseUrl: string,
  env: NodeJS.ProcessEnv,
  fetchImpl: typeof fetch | undefined,
): OrgTokenProvider {
  let provider: Promise<OrgTokenProvider> | undefined;
  return async (org) => {
    provider ??= (async () => {
      const privateKey = hasSecret('githubAppPrivateKey', env)
        ? await getSecret('githubAppPrivateKey', env)
        : undefined;
      return appOrgTokens(appId, privateKey, baseUrl, fetchImpl);
    })();
    return (await provider)(org);
  };
}
