import { readFileSync, readdirSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fillFakeCredentials } from '../../../functions/local/sandbox/fake-credentials.ts';
import { createGitHubSandbox } from '../../../functions/local/sandbox/github.ts';
import { parse, request } from './helpers.ts';

const root = new URL('../../../events/', import.meta.url);
const load = (path: string) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));
/** A sandbox sample as the demo pushes it: templates filled with fresh fakes. */
const loadFilled = (path: string) =>
  JSON.parse(fillFakeCredentials(readFileSync(new URL(path, root), 'utf8')));
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62(n: number): string {
  let out = '';
  do {
    out = B62[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(6, '0');
}

const planted = (name: string): string =>
  Object.values(loadFilled(`sandbox/${name}.json`).commits[0].files).join('\n');

describe('sample events', () => {
  it('accepts every sandbox demo push at the control endpoint', async () => {
    const github = createGitHubSandbox({
      webhookSecret: () => 's',
      webhookUrl: () => 'http://127.0.0.1:1/',
      now: () => new Date(0),
    });
    for (const file of readdirSync(new URL('sandbox/', root))) {
      const res = await github.handle(
        request('POST', '/sandbox/github/repos/acme/demo/pushes', loadFilled(`sandbox/${file}`)),
      );
      expect(res?.status, file).toBe(201);
    }
  });

  it('plants the AWS key pair on new-file lines 8 and 9 of config/settings.py', async () => {
    const github = createGitHubSandbox({
      webhookSecret: () => 's',
      webhookUrl: () => 'http://127.0.0.1:1/',
      now: () => new Date(0),
    });
    const pushed = parse<{ push: { after: string } }>(
      await github.handle(
        request(
          'POST',
          '/sandbox/github/repos/acme/demo/pushes',
          loadFilled('sandbox/aws-key-in-config.json'),
        ),
      ),
    );
    const commit = parse<{ files: { patch: string }[] }>(
      await github.handle(request('GET', `/sandbox/github/repos/acme/demo/commits/${pushed.push.after}`)),
    );
    const added = commit.files[0]!.patch.split('\n').slice(1);
    expect(added[7]).toMatch(/^\+AWS_ACCESS_KEY_ID = "AKIA[A-Z2-7]{16}"$/);
    expect(added[8]).toMatch(/^\+AWS_SECRET_ACCESS_KEY = "[A-Za-z0-9+/]{40}"$/);
    expect(planted('aws-key-in-config')).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('plants a ghp_ token whose checksum is valid', () => {
    const match = /ghp_([A-Za-z0-9]{30})([A-Za-z0-9]{6})/.exec(planted('github-token-in-script'));
    expect(match).not.toBeNull();
    expect(match![2]).toBe(base62(crc32(match![1]!) >>> 0));
  });

  it('keeps the clean and placeholder pushes free of well-formed keys other than documented examples', () => {
    for (const name of ['clean-push', 'placeholder-only']) {
      const keys = planted(name).match(/AKIA[A-Z2-7]{16}/g) ?? [];
      expect(
        keys.filter((key) => key !== 'AKIAIOSFODNN7EXAMPLE'),
        name,
      ).toEqual([]);
      expect(planted(name), name).not.toMatch(/ghp_[A-Za-z0-9]{36}/);
    }
  });

  it('has no secret or state in the secret-scanning webhook samples', () => {
    for (const file of [
      'secret_scanning_alert.created',
      'secret_scanning_alert.resolved',
      'secret_scanning_alert.reopened',
      'secret_scanning_alert.validated',
      'secret_scanning_alert.publicly_leaked',
      'secret_scanning_alert_location.created',
    ]) {
      const payload = load(`github/${file}.json`);
      expect(payload.alert, file).not.toHaveProperty('secret');
      expect(payload.alert, file).not.toHaveProperty('state');
      expect(payload.installation.id, file).toEqual(expect.any(Number));
    }
    expect(load('github/secret_scanning_alert.resolved.json')).toMatchObject({
      action: 'resolved',
      alert: { resolution: 'revoked' },
    });
  });

  it('shapes the push variants as GitHub does', () => {
    const zero = '0'.repeat(40);
    expect(load('github/push.json')).toMatchObject({
      ref: 'refs/heads/main',
      created: false,
      deleted: false,
      commits: [{}, {}],
    });
    expect(load('github/push.new-branch.json')).toMatchObject({ before: zero, created: true });
    expect(load('github/push.branch-deleted.json')).toMatchObject({
      after: zero,
      deleted: true,
      commits: [],
      head_commit: null,
    });
    const forced = load('github/push.forced.json');
    expect(forced).toMatchObject({
      forced: true,
      created: false,
      deleted: false,
      commits: [{ distinct: true }],
    });
    expect(forced.before).not.toBe(forced.commits[0].id);
    expect(load('github/secret_scanning_alert.validated.json').alert.validity).toBe('active');
    expect(load('github/secret_scanning_alert.publicly_leaked.json').alert.publicly_leaked).toBe(true);
    expect(load('github/push.tag.json')).toMatchObject({
      ref: 'refs/tags/v1.4.0',
      base_ref: 'refs/heads/main',
      commits: [],
    });
  });

  it('carries the incident id in the acknowledge button and the slash command', () => {
    const action = load('slack/block_actions.acknowledge.json');
    expect(action.type).toBe('block_actions');
    expect(action.actions[0]).toMatchObject({
      action_id: 'incident.acknowledge',
      value: expect.stringMatching(/^inc_[0-9a-f]{20}$/),
    });
    expect(load('slack/slash_command.json')).toMatchObject({
      command: '/leakstop',
      text: `status ${action.actions[0].value}`,
    });
  });
});
