import { describe, expect, it } from 'vitest';
import {
  CredentialRegistry,
  credentialRoutes,
  SANDBOX_AWS_ACCOUNT,
} from '../../../functions/local/sandbox/credentials.ts';
import { applyFault, FaultInjector, faultRoutes } from '../../../functions/local/sandbox/faults.ts';
import { json } from '../../../functions/local/http.ts';
import { awsKeyPair, githubToken, slackToken } from '../../helpers/credentials.ts';
import { parse, request } from './helpers.ts';

describe('the sandbox credential registry', () => {
  it('registers a credential and lists it with live, revocations and a preview — never the value or secret', async () => {
    const registry = new CredentialRegistry();
    const routes = credentialRoutes(registry);
    const pair = awsKeyPair();
    const token = githubToken();
    const created = await routes(
      request('POST', '/sandbox/credentials', { value: pair.accessKeyId, secret: pair.secretAccessKey }),
    );
    expect(created?.status).toBe(201);
    await routes(request('POST', '/sandbox/credentials', { value: token }));
    const listed = await routes(request('GET', '/sandbox/credentials'));
    const body = parse<{
      credentials: { provider: string; live: boolean; revocations: number; preview: string }[];
    }>(listed);
    expect(body.credentials.map((c) => [c.provider, c.live, c.revocations])).toEqual([
      ['aws', true, 0],
      ['github', true, 0],
    ]);
    for (const text of [created!.body, listed!.body]) {
      expect(text).not.toContain(pair.accessKeyId);
      expect(text).not.toContain(pair.secretAccessKey);
      expect(text).not.toContain(token);
    }
    expect(body.credentials[1]?.preview).toMatch(/^ghp_…/);
  });

  it('tells providers apart by prefix and rejects what it cannot place', async () => {
    const routes = credentialRoutes(new CredentialRegistry());
    const slack = parse<{ credential: { provider: string } }>(
      await routes(request('POST', '/sandbox/credentials', { value: slackToken() })),
    );
    expect(slack.credential.provider).toBe('slack');
    expect(
      (await routes(request('POST', '/sandbox/credentials', { value: 'mystery-value-123' })))?.status,
    ).toBe(400);
    expect(
      (await routes(request('POST', '/sandbox/credentials', { value: awsKeyPair().accessKeyId })))?.status,
    ).toBe(400);
    expect((await routes(request('POST', '/sandbox/credentials', '{nope')))?.status).toBe(400);
  });

  it('counts every revocation that reaches a credential, and marks it dead once', () => {
    const registry = new CredentialRegistry();
    const credential = registry.register({ value: githubToken() });
    registry.revoke(credential);
    registry.revoke(credential);
    expect(registry.view(credential)).toMatchObject({ live: false, revocations: 2 });
  });

  it('has the containment role in its own account from the start, so copies search runs there before any key is registered', () => {
    const registry = new CredentialRegistry();
    expect(registry.isOnboarded(SANDBOX_AWS_ACCOUNT)).toBe(true);
    expect(registry.isOnboarded('345678901234')).toBe(false);
    const pair = awsKeyPair();
    registry.register({ value: pair.accessKeyId, secret: pair.secretAccessKey, account: '345678901234' });
    expect(registry.isOnboarded('345678901234')).toBe(true);
  });

  it('takes the role away from an account, its own included, when a key is registered there with onboarded: false', () => {
    const registry = new CredentialRegistry();
    const pair = awsKeyPair();
    registry.register({ value: pair.accessKeyId, secret: pair.secretAccessKey, onboarded: false });
    expect(registry.isOnboarded(SANDBOX_AWS_ACCOUNT)).toBe(false);
    const other = awsKeyPair();
    registry.register({ value: other.accessKeyId, secret: other.secretAccessKey });
    expect(registry.isOnboarded(SANDBOX_AWS_ACCOUNT)).toBe(false);
  });
});

describe('sandbox fault injection', () => {
  it('fails exactly the next N calls of the named service, then lets calls through', async () => {
    const faults = new FaultInjector();
    const routes = faultRoutes(faults);
    expect(
      (await routes(request('POST', '/sandbox/faults', { service: 'github', status: 500, count: 2 })))
        ?.status,
    ).toBe(201);
    const render = (status: number) => json(status, { message: 'Server Error' });
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push((await applyFault(faults, 'github', render))?.status);
    expect(answers).toEqual([500, 500, undefined]);
    expect(await applyFault(faults, 'slack', render)).toBeUndefined();
  });

  it('adds Retry-After to an injected 429', async () => {
    const faults = new FaultInjector();
    faults.inject({ service: 'slack', status: 429, count: 1 });
    const answer = await applyFault(faults, 'slack', (status) => json(status, { ok: false }));
    expect(answer?.headers?.['retry-after']).toBe('1');
  });

  it('rejects a fault without a service, with a non-error status or a silly count', async () => {
    const routes = faultRoutes(new FaultInjector());
    for (const body of [
      { status: 500 },
      { service: 'github', status: 200 },
      { service: 'github', status: 500, count: 0 },
    ])
      expect((await routes(request('POST', '/sandbox/faults', body)))?.status).toBe(400);
  });
});
