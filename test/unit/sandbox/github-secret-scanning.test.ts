import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubSandbox, type GitHubSandbox } from '../../../functions/local/sandbox/github.ts';
import { captureServer, installationToken, parse, request, type TestServer } from './helpers.ts';

const SECRET = 'webhook-secret';
const NOW = new Date('2024-11-22T08:00:00Z');
// Fake, well-formed values built at test time so no literal looks like a live credential.
const KEY_ID = ['AKIA', 'QZ7XK2MPL4VNW3RD'].join('');
const REPO = '/sandbox/github/repos/acme/api';

let hook: TestServer;
let github: GitHubSandbox;
let commitSha: string;
let token: string;
/** REST calls carry an installation token, as leakstop's do; control endpoints need none. */
const api = (method: string, path: string, body: unknown = '') =>
  request(method, path, body, { authorization: `token ${token}` });

beforeAll(async () => {
  hook = await captureServer();
});
afterAll(async () => {
  await hook.close();
});
beforeEach(async () => {
  github = createGitHubSandbox({ webhookSecret: () => SECRET, webhookUrl: () => hook.url, now: () => NOW });
  const res = await github.handle(
    request('POST', `${REPO}/pushes`, {
      ref: 'refs/heads/main',
      commits: [{ message: 'Add env', files: { '.env': `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${KEY_ID}\n` } }],
    }),
  );
  commitSha = parse<{ push: { after: string } }>(res).push.after;
  token = await installationToken(github);
  hook.received.length = 0;
});

async function createAlert(locations = [{ path: '.env', start_line: 2, commit_sha: commitSha }]) {
  const res = await github.handle(
    request('POST', `${REPO}/secret-scanning/alerts`, {
      secret_type: 'aws_access_key_id',
      secret: KEY_ID,
      locations,
    }),
  );
  expect(res?.status).toBe(201);
  return parse<{
    delivery: { id: string; event: string; body: string; signature: string };
    alert: { number: number };
  }>(res);
}

describe('GitHub sandbox: secret scanning', () => {
  it('delivers a signed secret_scanning_alert.created webhook whose alert has no secret and no state', async () => {
    const answer = await createAlert();
    const sent = hook.received[0]!;
    expect(sent.headers['x-github-event']).toBe('secret_scanning_alert');
    expect(sent.headers['x-hub-signature-256']).toBe(
      `sha256=${createHmac('sha256', SECRET).update(sent.body).digest('hex')}`,
    );
    const payload = JSON.parse(sent.body);
    expect(payload).toMatchObject({
      action: 'created',
      alert: {
        number: 1,
        secret_type: 'aws_access_key_id',
        secret_type_display_name: 'AWS Access Key ID',
        validity: 'unknown',
        resolution: null,
      },
      repository: { full_name: 'acme/api' },
      installation: { id: expect.any(Number) },
    });
    expect(payload.alert).not.toHaveProperty('secret');
    expect(payload.alert).not.toHaveProperty('state');
    expect(sent.body).not.toContain(KEY_ID);
    expect(answer.alert.number).toBe(1);
  });

  it('returns the secret and state from the REST alert', async () => {
    await createAlert();
    const alert = parse(await github.handle(api('GET', `${REPO}/secret-scanning/alerts/1`)));
    expect(alert).toMatchObject({
      number: 1,
      state: 'open',
      secret: KEY_ID,
      secret_type: 'aws_access_key_id',
      locations_url: `http://127.0.0.1:3000${REPO}/secret-scanning/alerts/1/locations`,
      first_location_detected: { path: '.env', start_line: 2, commit_sha: commitSha },
      has_more_locations: false,
    });
    const hidden = parse(
      await github.handle(api('GET', `${REPO}/secret-scanning/alerts/1?hide_secret=true`)),
    );
    expect(hidden).not.toHaveProperty('secret');
  });

  it('lists commit locations with the secret columns and blob sha', async () => {
    await createAlert();
    const res = await github.handle(api('GET', `${REPO}/secret-scanning/alerts/1/locations`));
    const [location] = parse<{ type: string; details: Record<string, unknown> }[]>(res);
    const column = 'AWS_ACCESS_KEY_ID='.length;
    expect(location).toEqual({
      type: 'commit',
      details: {
        path: '.env',
        start_line: 2,
        end_line: 2,
        start_column: column,
        end_column: column + KEY_ID.length,
        blob_sha: expect.stringMatching(/^[0-9a-f]{40}$/),
        blob_url: expect.stringContaining(`${REPO}/git/blobs/`),
        commit_sha: commitSha,
        commit_url: expect.stringContaining(`${REPO}/git/commits/${commitSha}`),
      },
    });
  });

  it('paginates locations with a Link header', async () => {
    const more = await github.handle(
      request('POST', `${REPO}/pushes`, {
        ref: 'refs/heads/main',
        commits: [{ message: 'Copy', files: { 'copy.env': `AWS_ACCESS_KEY_ID=${KEY_ID}\n` } }],
      }),
    );
    const second = parse<{ push: { after: string } }>(more).push.after;
    await createAlert([
      { path: '.env', start_line: 2, commit_sha: commitSha },
      { path: 'copy.env', start_line: 1, commit_sha: second },
    ]);
    const page1 = await github.handle(api('GET', `${REPO}/secret-scanning/alerts/1/locations?per_page=1`));
    expect(parse<unknown[]>(page1)).toHaveLength(1);
    expect(page1?.headers?.link).toContain('locations?per_page=1&page=2>; rel="next"');
    const page2 = parse<{ details: { path: string } }[]>(
      await github.handle(api('GET', `${REPO}/secret-scanning/alerts/1/locations?per_page=1&page=2`)),
    );
    expect(page2[0]!.details.path).toBe('copy.env');
  });

  it('turns a second sighting of the same secret into a secret_scanning_alert_location event', async () => {
    await createAlert();
    const more = await github.handle(
      request('POST', `${REPO}/pushes`, {
        ref: 'refs/heads/main',
        commits: [{ message: 'Copy', files: { 'b.env': `K=${KEY_ID}\n` } }],
      }),
    );
    hook.received.length = 0;
    const answer = await createAlert([
      { path: 'b.env', start_line: 1, commit_sha: parse<{ push: { after: string } }>(more).push.after },
    ]);
    expect(answer.alert).toEqual({ number: 1, new: false });
    expect(hook.received[0]!.headers['x-github-event']).toBe('secret_scanning_alert_location');
    const payload = JSON.parse(hook.received[0]!.body);
    expect(payload).toMatchObject({
      action: 'created',
      alert: { number: 1 },
      location: { type: 'commit', details: { path: 'b.env', start_line: 1 } },
    });
    expect(payload.alert).not.toHaveProperty('secret');
  });

  it('rejects a location whose line does not hold the secret', async () => {
    const res = await github.handle(
      request('POST', `${REPO}/secret-scanning/alerts`, {
        secret_type: 'aws_access_key_id',
        secret: KEY_ID,
        locations: [{ path: '.env', start_line: 1, commit_sha: commitSha }],
      }),
    );
    expect(res?.status).toBe(400);
    expect(parse<{ message: string }>(res).message).toMatch(/does not start on line 1/);
  });

  it.each([
    ['resolved without a resolution', { state: 'resolved' }],
    ['an unknown state', { state: 'closed' }],
    ['a resolution that cannot be set', { state: 'resolved', resolution: 'pattern_deleted' }],
    ['a resolution on an open alert', { state: 'open', resolution: 'revoked' }],
    ['no state', { resolution_comment: 'x' }],
  ])('answers 422 to a PATCH with %s and changes nothing', async (_case, body) => {
    await createAlert();
    const res = await github.handle(api('PATCH', `${REPO}/secret-scanning/alerts/1`, body));
    expect(res?.status).toBe(422);
    expect(parse(res)).toMatchObject({ message: expect.stringContaining('Invalid request'), status: '422' });
    expect(parse(await github.handle(api('GET', `${REPO}/secret-scanning/alerts/1`)))).toMatchObject({
      state: 'open',
    });
    expect(github.writes()).toEqual([]);
  });

  it('resolves an alert as revoked, records the write and delivers a resolved webhook', async () => {
    await createAlert();
    hook.received.length = 0;
    const body = { state: 'resolved', resolution: 'revoked', resolution_comment: 'Revoked by leakstop' };
    const res = await github.handle(api('PATCH', `${REPO}/secret-scanning/alerts/1`, body));
    expect(res?.status).toBe(200);
    expect(parse(res)).toMatchObject({
      state: 'resolved',
      resolution: 'revoked',
      resolution_comment: 'Revoked by leakstop',
      resolved_at: '2024-11-22T08:00:00Z',
      resolved_by: { login: 'leakstop[bot]', type: 'Bot' },
    });
    const writes = parse<{ writes: unknown[] }>(
      await github.handle(request('GET', '/sandbox/github/writes')),
    ).writes;
    expect(writes).toEqual([
      { method: 'PATCH', path: `${REPO}/secret-scanning/alerts/1`, body, at: NOW.toISOString() },
    ]);

    await github.idle();
    const payload = JSON.parse(hook.received[0]!.body);
    expect(payload).toMatchObject({ action: 'resolved', alert: { number: 1, resolution: 'revoked' } });
    expect(payload.alert).not.toHaveProperty('state');
  });

  it('answers 404 for an unknown alert', async () => {
    expect((await github.handle(api('GET', `${REPO}/secret-scanning/alerts/9`)))?.status).toBe(404);
  });
});

describe('GitHub sandbox: check runs', () => {
  it('creates a check run, answers 201 with the check-run object and records the write', async () => {
    const body = {
      name: 'leakstop',
      head_sha: commitSha,
      status: 'completed',
      conclusion: 'failure',
      output: { title: '1 credential found', summary: 'AWS access key in .env:2', text: 'Revoked.' },
    };
    const res = await github.handle(api('POST', `${REPO}/check-runs`, body));
    expect(res?.status).toBe(201);
    expect(parse(res)).toMatchObject({
      id: expect.any(Number),
      name: 'leakstop',
      head_sha: commitSha,
      status: 'completed',
      conclusion: 'failure',
      completed_at: '2024-11-22T08:00:00Z',
      output: {
        title: '1 credential found',
        summary: 'AWS access key in .env:2',
        text: 'Revoked.',
        annotations_count: 0,
      },
      app: { slug: 'leakstop' },
    });
    expect(github.writes()).toEqual([
      { method: 'POST', path: `${REPO}/check-runs`, body, at: NOW.toISOString() },
    ]);
  });

  it('answers 422 to a check run for an unknown commit or without a name', async () => {
    expect(
      (await github.handle(api('POST', `${REPO}/check-runs`, { name: 'x', head_sha: 'f'.repeat(40) })))
        ?.status,
    ).toBe(422);
    expect((await github.handle(api('POST', `${REPO}/check-runs`, { head_sha: commitSha })))?.status).toBe(
      422,
    );
    expect(github.writes()).toEqual([]);
  });
});
