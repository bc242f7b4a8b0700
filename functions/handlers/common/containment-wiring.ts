/**
 * The containment function's adapters, built from its environment once per execution environment:
 * a revoker per provider, the GitHub coalescing batches on the table, and the member-account
 * credentials function that AWS adapters (the key revoker, and the tracers) take.
 */
import { CoalescingRevocations } from '../../domain/containment/batching.ts';
import type { Revoker } from '../../domain/containment/revokers.ts';
import type { Clock, Vault } from '../../domain/ports.ts';
import { assumeRoleCredentials, type AccountCredentials } from '../../adapters/aws/account-access.ts';
import { AwsKeyRevoker } from '../../adapters/aws/revoke-aws-key.ts';
import { dynamoDocumentClient } from '../../adapters/dynamodb/client.ts';
import { DynamoRevocationBatches } from '../../adapters/dynamodb/revocation-batches.ts';
import { GitHubCredentialsApi, GitHubRevoker } from '../../adapters/revokers/github.ts';
import { GitLabRevoker } from '../../adapters/revokers/gitlab.ts';
import { NpmRevoker } from '../../adapters/revokers/npm.ts';
import { SlackRevoker } from '../../adapters/revokers/slack.ts';
import { CONTAINMENT_DEFAULTS, CONTAINMENT_ROLE, ENV } from '../../shared/resources.ts';
import { requireEnv } from './env.ts';

/** `(accountId) => credentials` in that account, through leakstop's containment role. */
export function memberAccountCredentials(env: NodeJS.ProcessEnv = process.env): AccountCredentials {
  return assumeRoleCredentials({
    roleName: env[ENV.awsRoleName] || CONTAINMENT_ROLE.defaultName,
    ...(env[ENV.awsExternalId] ? { externalId: env[ENV.awsExternalId] } : {}),
    sessionName: CONTAINMENT_ROLE.sessionName,
  });
}

export function revokers(
  deps: { readonly vault: Vault; readonly clock: Clock; readonly credentialsFor: AccountCredentials },
  env: NodeJS.ProcessEnv = process.env,
): Revoker[] {
  const table = requireEnv([ENV.tableName], env)[ENV.tableName];
  const windowMs = Number(env[ENV.githubRevokeWindowMs] ?? CONTAINMENT_DEFAULTS.githubRevokeWindowMs);
  if (!Number.isFinite(windowMs) || windowMs < 0 || windowMs > 10_000)
    throw new Error(`${ENV.githubRevokeWindowMs} must be a number of milliseconds from 0 to 10000`);
  const github = new GitHubCredentialsApi(env[ENV.githubApiUrl] || 'https://api.github.com');
  const batches = new CoalescingRevocations({
    api: github,
    store: new DynamoRevocationBatches(dynamoDocumentClient(), table),
    vault: deps.vault,
    clock: deps.clock,
    windowMs,
  });
  return [
    new AwsKeyRevoker({ credentialsFor: deps.credentialsFor }),
    new GitHubRevoker(github, batches),
    new SlackRevoker(env[ENV.slackApiUrl] || undefined),
    new GitLabRevoker(env[ENV.gitlabApiUrl] || CONTAINMENT_DEFAULTS.gitlabApiUrl),
    new NpmRevoker(env[ENV.npmRegistryUrl] || CONTAINMENT_DEFAULTS.npmRegistryUrl),
  ];
}
