/**
 * Each revoker against the sandbox's stand-ins over real HTTP, through the real SDKs: the live
 * check's identity and scopes, the revocation, the probe that proves death, unknown credentials,
 * and provider faults surfacing as transient errors that never reach the credential.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimited, type RevocationBatchStore } from '../../../functions/domain/containment/batching.ts';
import { ProviderError } from '../../../functions/domain/containment/revokers.ts';
import type { Incident } from '../../../functions/domain/incidents/incident.ts';
import { systemClock } from '../../../functions/domain/ports.ts';
import { MemoryVault } from '../../../functions/adapters/vault/file-vault.ts';
import {
  AccountAccessDenied,
  assumeRoleCredentials,
} from '../../../functions/adapters/aws/account-access.ts';
import { keyMaterial } from '../../../functions/adapters/aws/revoke-aws-key.ts';
import { GitHubCredentialsApi } from '../../../functions/adapters/revokers/github.ts';
import { accountFromKeyId } from '../../../functions/local/sandbox/aws-sts.ts';
import { awsKeyPair, githubToken, gitlabToken, npmToken, slackToken } from '../../helpers/credentials.ts';
import {
  ROLE_NAME,
  sandboxRevokers,
  startProviderSandbox,
  useSandboxAws,
  type ProviderSandbox,
  type RevokerSet,
} from '../../helpers/providers.ts';

let providers: ProviderSandbox;
let revokers: RevokerSet;
const deadline = () => Date.now() + 10_000;
const incident = (type: string) => ({ type, fingerprint: 'f'.repeat(64) }) as Incident;
const view = (value: string) => {
  const credential = providers.sandbox.credentials.find(value);
  return credential && providers.sandbox.credentials.view(credential);
};
const pairSecret = (pair: { accessKeyId: string; secretAccessKey: string }) => JSON.stringify(pair);

beforeAll(async () => {
  providers = await startProviderSandbox();
  useSandboxAws(providers.url);
  revokers = sandboxRevokers(providers.url, {
    vault: new MemoryVault(),
    clock: systemClock,
    batches: {} as RevocationBatchStore,
  });
});
afterAll(async () => providers.close());
beforeEach(() => providers.sandbox.faults.clear());

describe('AWS access keys', () => {
  it('live check names the IAM user; revocation deactivates once and quarantines; the probe then says dead', async () => {
    const pair = awsKeyPair();
    providers.sandbox.credentials.register({
      value: pair.accessKeyId,
      secret: pair.secretAccessKey,
      user: 'ci-deployer',
    });
    const before = await revokers.aws.probe(pairSecret(pair));
    expect(before).toMatchObject({ state: 'live', identity: 'arn:aws:iam::123456789012:user/ci-deployer' });

    const outcome = await revokers.aws.revoke(pairSecret(pair), incident('aws_access_key'), {
      deadline: deadline(),
    });
    expect(outcome.outcome).toBe('revoked');
    expect(outcome.outcome === 'revoked' && outcome.actions.join(' ')).toMatch(
      /UpdateAccessKey Status=Inactive.*AWSDenyAll/,
    );
    expect(await revokers.aws.probe(pairSecret(pair))).toEqual({
      state: 'dead',
      reason: 'sts:GetCallerIdentity answered InvalidClientTokenId',
    });
    expect(view(pair.accessKeyId)).toMatchObject({
      live: false,
      revocations: 1,
      attachedPolicies: ['arn:aws:iam::aws:policy/AWSDenyAll'],
    });
  });

  it('the live check, the revocation and the proof reuse kept-alive connections instead of one per client', async () => {
    const pair = awsKeyPair();
    providers.sandbox.credentials.register({ value: pair.accessKeyId, secret: pair.secretAccessKey });
    const before = providers.connections();
    await revokers.aws.probe(pairSecret(pair));
    await revokers.aws.revoke(pairSecret(pair), incident('aws_access_key'), { deadline: deadline() });
    expect((await revokers.aws.probe(pairSecret(pair))).state).toBe('dead');
    // Seven or eight calls to STS and IAM; with a client per probe and per revocation they opened three.
    expect(providers.connections() - before).toBeLessThanOrEqual(1);
  });

  it('revoking an already inactive key again does not deactivate it a second time', async () => {
    const pair = awsKeyPair();
    providers.sandbox.credentials.register({ value: pair.accessKeyId, secret: pair.secretAccessKey });
    await revokers.aws.revoke(pairSecret(pair), incident('aws_access_key'), { deadline: deadline() });
    const again = await revokers.aws.revoke(pairSecret(pair), incident('aws_access_key'), {
      deadline: deadline(),
    });
    expect(again.outcome === 'revoked' && again.actions.join(' ')).toMatch(
      /skipped: the key is already Inactive/,
    );
    expect(view(pair.accessKeyId)?.revocations).toBe(1);
  });

  it('an unregistered key is dead to the probe (InvalidClientTokenId)', async () => {
    expect((await revokers.aws.probe(pairSecret(awsKeyPair()))).state).toBe('dead');
  });

  it('a key id found without its secret is still probed: live while AWS recognises it', async () => {
    const pair = awsKeyPair();
    providers.sandbox.credentials.register({ value: pair.accessKeyId, secret: pair.secretAccessKey });
    expect((await revokers.aws.probe(pair.accessKeyId)).state).toBe('live');
    expect(keyMaterial(pair.accessKeyId)).toEqual({ accessKeyId: pair.accessKeyId });
  });

  it('refuses, with the manual path, when the owning account has no leakstop role', async () => {
    const pair = awsKeyPair();
    providers.sandbox.credentials.register({
      value: pair.accessKeyId,
      secret: pair.secretAccessKey,
      account: '210987654321',
      onboarded: false,
    });
    const outcome = await revokers.aws.revoke(pairSecret(pair), incident('aws_access_key'), {
      deadline: deadline(),
    });
    expect(outcome).toMatchObject({ outcome: 'refused' });
    expect(outcome.outcome === 'refused' && outcome.reason).toMatch(
      /deploy the leakstop containment role in account 210987654321/,
    );
    expect(view(pair.accessKeyId)).toMatchObject({ live: true, revocations: 0 });
  });

  it('assumes the role only with the external id its trust policy requires', async () => {
    const guarded = await startProviderSandbox({ externalId: 'acme-leakstop' });
    try {
      const pair = awsKeyPair();
      guarded.sandbox.credentials.register({ value: pair.accessKeyId, secret: pair.secretAccessKey });
      const { STSClient } = await import('@aws-sdk/client-sts');
      const sts = new STSClient({ endpoint: `${guarded.url}/sandbox/aws/sts`, maxAttempts: 1 });
      await expect(
        assumeRoleCredentials({ roleName: ROLE_NAME, sts })('123456789012'),
      ).rejects.toBeInstanceOf(AccountAccessDenied);
      const session = await assumeRoleCredentials({ roleName: ROLE_NAME, externalId: 'acme-leakstop', sts })(
        '123456789012',
      );
      expect(session.accessKeyId).toMatch(/^ASIA/);
    } finally {
      await guarded.close();
    }
  });

  it('turns injected STS 500s and IAM throttling into transient errors that revoke nothing', async () => {
    const pair = awsKeyPair();
    providers.sandbox.credentials.register({ value: pair.accessKeyId, secret: pair.secretAccessKey });
    providers.sandbox.faults.inject({ service: 'sts', status: 500, count: 1 });
    await expect(revokers.aws.probe(pairSecret(pair))).rejects.toMatchObject({ transient: true });
    providers.sandbox.faults.inject({ service: 'iam', status: 429, count: 1000 });
    await expect(
      revokers.aws.revoke(pairSecret(pair), incident('aws_access_key'), { deadline: Date.now() + 300 }),
    ).rejects.toMatchObject({ transient: true });
    expect(view(pair.accessKeyId)).toMatchObject({ live: true, revocations: 0 });
  });

  it('GetAccessKeyInfo decodes the account from an unregistered key id, as AWS does', () => {
    // Encode account 123456789012 the way AWS does (bits 1–40 after the prefix), then decode it.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    let bits = (123456789012n << 7n) << 32n;
    let body = '';
    for (let i = 0; i < 16; i += 1) {
      body = alphabet[Number(bits & 31n)] + body;
      bits >>= 5n;
    }
    expect(accountFromKeyId(`AKIA${body}`)).toBe('123456789012');
  });
});

describe('GitHub tokens', () => {
  it('GET /user names the user and scopes while live; POST /credentials/revoke kills it; then 401', async () => {
    const token = githubToken();
    providers.sandbox.credentials.register({ value: token, user: 'octo-dev', scopes: ['repo'] });
    expect(await revokers.githubApi.probe(token)).toEqual({
      state: 'live',
      identity: 'GitHub user octo-dev',
      scopes: ['repo'],
    });
    await revokers.githubApi.revokeMany([token, githubToken()]);
    expect(await revokers.githubApi.probe(token)).toMatchObject({ state: 'dead' });
    expect(view(token)).toMatchObject({ live: false, revocations: 1 });
  });

  it('a refresh token cannot be probed: its liveness is unknown', async () => {
    expect(await revokers.github.probe(githubToken('ghr'), incident('github_refresh_token'))).toMatchObject({
      state: 'unknown',
    });
  });

  it('reports the hourly limit as RateLimited with the reset time', async () => {
    const tight = await startProviderSandbox({ githubRevokeCallsPerHour: 1 });
    try {
      const api = new GitHubCredentialsApi(`${tight.url}/sandbox/github`);
      await api.revokeMany([githubToken()]);
      const limited = api.revokeMany([githubToken()]);
      await expect(limited).rejects.toBeInstanceOf(RateLimited);
      const until = ((await limited.catch((e: unknown) => e)) as RateLimited).until;
      expect(until).toBeGreaterThan(Date.now());
    } finally {
      await tight.close();
    }
  });

  it('an injected 500 is a transient error and the token stays live', async () => {
    const token = githubToken();
    providers.sandbox.credentials.register({ value: token });
    providers.sandbox.faults.inject({ service: 'github', status: 500, count: 1 });
    await expect(revokers.githubApi.revokeMany([token])).rejects.toMatchObject({ transient: true });
    expect(view(token)).toMatchObject({ live: true, revocations: 0 });
  });
});

describe('Slack tokens', () => {
  it('auth.test names the bot and scopes; auth.revoke with the token kills it; auth.test then fails', async () => {
    const token = slackToken();
    providers.sandbox.credentials.register({ value: token, user: 'deploybot', scopes: ['chat:write'] });
    const live = await revokers.slack.probe(token);
    expect(live).toMatchObject({ state: 'live', scopes: ['chat:write'] });
    expect(live.state === 'live' && live.identity).toMatch(/^Slack bot deploybot/);
    expect(await revokers.slack.revoke(token)).toMatchObject({ outcome: 'revoked' });
    expect(await revokers.slack.probe(token)).toEqual({
      state: 'dead',
      reason: 'auth.test answered token_revoked',
    });
    expect(view(token)).toMatchObject({ live: false, revocations: 1 });
  });

  it('an unregistered token is dead (invalid_auth); an injected 503 is transient', async () => {
    expect(await revokers.slack.probe(slackToken('xoxp'))).toEqual({
      state: 'dead',
      reason: 'auth.test answered invalid_auth',
    });
    providers.sandbox.faults.inject({ service: 'slack', status: 503, count: 1 });
    const failure = await revokers.slack.probe(slackToken()).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ProviderError);
    expect((failure as ProviderError).transient).toBe(true);
  });
});

describe('GitLab personal access tokens', () => {
  it('self-revokes: live with scopes, DELETE /personal_access_tokens/self, then 401', async () => {
    const token = gitlabToken();
    providers.sandbox.credentials.register({ value: token, scopes: ['api'] });
    expect(await revokers.gitlab.probe(token)).toMatchObject({ state: 'live', scopes: ['api'] });
    expect(await revokers.gitlab.revoke(token)).toMatchObject({ outcome: 'revoked' });
    expect(await revokers.gitlab.probe(token)).toMatchObject({ state: 'dead' });
    expect(view(token)).toMatchObject({ live: false, revocations: 1 });
  });

  it('a 500 is transient and revokes nothing', async () => {
    const token = gitlabToken();
    providers.sandbox.credentials.register({ value: token });
    providers.sandbox.faults.inject({ service: 'gitlab', status: 500, count: 1 });
    await expect(revokers.gitlab.revoke(token)).rejects.toMatchObject({ transient: true });
    expect(view(token)?.revocations).toBe(0);
  });
});

describe('npm tokens', () => {
  it('whoami names the user; the token is revoked by its key; whoami then 401', async () => {
    const token = npmToken();
    providers.sandbox.credentials.register({ value: token, user: 'pkg-owner' });
    providers.sandbox.credentials.register({ value: npmToken(), user: 'pkg-owner' });
    expect(await revokers.npm.probe(token)).toEqual({ state: 'live', identity: 'npm user pkg-owner' });
    expect(await revokers.npm.revoke(token)).toMatchObject({ outcome: 'revoked' });
    expect(await revokers.npm.probe(token)).toMatchObject({ state: 'dead' });
    expect(view(token)).toMatchObject({ live: false, revocations: 1 });
  });
});
