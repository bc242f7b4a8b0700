import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubSandbox, type GitHubSandbox } from '../../../functions/local/sandbox/github.ts';
import { githubToken } from '../../helpers/credentials.ts';
import { captureServer, installationToken, parse, request, type TestServer } from './helpers.ts';

let hook: TestServer;
let github: GitHubSandbox;
let auth: { authorization: string };
/** An organisation-alerts request as the App's installation makes it. */
const orgAlerts = (query: string) => github.handle(request('GET', `/sandbox/github/orgs/${query}`, '', auth));
beforeAll(async () => {
  hook = await captureServer();
  github = createGitHubSandbox({ webhookSecret: () => 's', webhookUrl: () => hook.url });
  for (const repo of ['api', 'web']) {
    const token = githubToken();
    const pushed = parse<{ push: { after: string } }>(
      await github.handle(
        request('POST', `/sandbox/github/repos/acme/${repo}/pushes`, {
          ref: 'refs/heads/main',
          commits: [{ message: 'm', files: { '.env': `T=${token}\n` } }],
        }),
      ),
    );
    await github.handle(
      request('POST', `/sandbox/github/repos/acme/${repo}/secret-scanning/alerts`, {
        secret_type: 'github_personal_access_token',
        secret: token,
        locations: [{ path: '.env', start_line: 1, commit_sha: pushed.push.after }],
      }),
    );
  }
  auth = { authorization: `token ${await installationToken(github)}` };
});
afterAll(async () => {
  await hook.close();
});

describe('GitHub sandbox: organisation secret-scanning alerts', () => {
  it('lists every repository’s alerts with their repository and secret, paginated with Link', async () => {
    const first = await orgAlerts('acme/secret-scanning/alerts?per_page=1');
    const alerts = parse<{ repository: { full_name: string }; secret: string; number: number }[]>(first);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.secret).toMatch(/^ghp_/);
    expect(first?.headers?.link).toContain('rel="next"');
    const all = parse<{ repository: { full_name: string } }[]>(
      await orgAlerts('acme/secret-scanning/alerts'),
    );
    expect(all.map((a) => a.repository.full_name).sort()).toEqual(['acme/api', 'acme/web']);
  });

  it('refuses organisation alerts without an installation token, as GitHub does', async () => {
    const anonymous = await github.handle(request('GET', '/sandbox/github/orgs/acme/secret-scanning/alerts'));
    expect(anonymous?.status).toBe(401);
  });

  it('hides the secret when asked, and lists nothing for an organisation without alerts', async () => {
    const hidden = parse<Record<string, unknown>[]>(
      await orgAlerts('acme/secret-scanning/alerts?hide_secret=true'),
    );
    expect(hidden.every((a) => !('secret' in a))).toBe(true);
    expect(parse(await orgAlerts('nobody/secret-scanning/alerts'))).toEqual([]);
  });
});
