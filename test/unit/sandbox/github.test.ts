import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubSandbox, type GitHubSandbox } from '../../../functions/local/sandbox/github.ts';
import { captureServer, installationToken, parse, request, type TestServer } from './helpers.ts';

const SECRET = "It's a Secret to Everybody";
const NOW = new Date('2024-11-22T08:00:00Z');

interface PushAnswer {
  delivery: { id: string; event: string; signature: string; body: string };
  response: { status: number | null; body: string | null };
  push: { ref: string; before: string; after: string; commits: string[] };
}
interface FileEntry {
  filename: string;
  status: string;
  sha: string;
  additions: number;
  deletions: number;
  changes: number;
  patch?: string;
  previous_filename?: string;
  blob_url: string;
  raw_url: string;
  contents_url: string;
}

let hook: TestServer;
let github: GitHubSandbox;

beforeAll(async () => {
  hook = await captureServer();
});
afterAll(async () => {
  await hook.close();
});
beforeEach(() => {
  hook.received.length = 0;
  github = createGitHubSandbox({
    webhookSecret: () => SECRET,
    webhookUrl: () => `${hook.url}/webhooks/github`,
    now: () => NOW,
  });
});

async function push(
  commits: { message: string; files: Record<string, string | null> }[],
  ref = 'refs/heads/main',
  repo = 'acme/api',
) {
  const res = await github.handle(request('POST', `/sandbox/github/repos/${repo}/pushes`, { ref, commits }));
  expect(res?.status).toBe(201);
  return parse<PushAnswer>(res);
}

const lines = (n: number, prefix = 'line') =>
  Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`).join('\n') + '\n';

describe('GitHub sandbox: routing', () => {
  it('returns undefined for paths outside /sandbox/github/', async () => {
    expect(await github.handle(request('GET', '/webhooks/github'))).toBeUndefined();
    expect(await github.handle(request('GET', '/sandbox/githubx/repos'))).toBeUndefined();
  });

  it('answers unknown repositories and routes with GitHub 404 JSON', async () => {
    const res = await github.handle(request('GET', '/sandbox/github/repos/acme/nope'));
    expect(res?.status).toBe(404);
    expect(parse(res)).toMatchObject({
      message: 'Not Found',
      documentation_url: expect.stringContaining('docs.github.com'),
    });
    expect((await github.handle(request('GET', '/sandbox/github/whatever')))?.status).toBe(404);
  });
});

describe('GitHub sandbox: push control endpoint', () => {
  it('delivers a push webhook whose X-Hub-Signature-256 verifies over the exact raw body', async () => {
    const answer = await push([{ message: 'Add config', files: { 'config/app.env': 'A=1\n' } }]);

    expect(hook.received).toHaveLength(1);
    const sent = hook.received[0]!;
    expect(sent.url).toBe('/webhooks/github');
    expect(sent.body).toBe(answer.delivery.body);
    const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(sent.body).digest('hex')}`);
    const actual = Buffer.from(String(sent.headers['x-hub-signature-256']));
    expect(actual.length).toBe(expected.length);
    expect(timingSafeEqual(actual, expected)).toBe(true);
    expect(answer.delivery.signature).toBe(sent.headers['x-hub-signature-256']);
    expect(answer.response).toEqual({ status: 202, body: 'queued' });
  });

  it("sends GitHub's delivery headers", async () => {
    const answer = await push([{ message: 'Add file', files: { 'a.txt': 'a\n' } }]);
    const headers = hook.received[0]!.headers;
    expect(headers['x-github-event']).toBe('push');
    expect(headers['x-github-delivery']).toBe(answer.delivery.id);
    expect(headers['x-github-delivery']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(headers['x-github-hook-id']).toMatch(/^\d+$/);
    expect(headers['x-github-hook-installation-target-type']).toBe('repository');
    expect(headers['x-github-hook-installation-target-id']).toMatch(/^\d+$/);
    expect(headers['user-agent']).toMatch(/^GitHub-Hookshot\/[0-9a-f]+$/);
    expect(headers['content-type']).toBe('application/json');
  });

  it('builds a push payload shaped like GitHub with per-commit added/modified/removed', async () => {
    const first = await push([{ message: 'Initial', files: { 'README.md': '# api\n', 'old.txt': 'x\n' } }]);
    const second = await push([
      { message: 'Config', files: { 'config/settings.py': 'DEBUG = True\n' } },
      { message: 'Tidy', files: { 'README.md': '# api\n\nDocs.\n', 'old.txt': null } },
    ]);
    const payload = JSON.parse(second.delivery.body);

    expect(payload).toMatchObject({
      ref: 'refs/heads/main',
      before: first.push.after,
      after: second.push.commits[1],
      created: false,
      deleted: false,
      forced: false,
      base_ref: null,
      pusher: { name: 'sandbox-dev', email: 'dev@sandbox.invalid' },
      installation: { id: expect.any(Number) },
      sender: { login: 'sandbox-dev', type: 'User' },
      repository: {
        name: 'api',
        full_name: 'acme/api',
        private: false,
        default_branch: 'main',
        owner: { login: 'acme' },
      },
    });
    expect(payload.compare).toBe(
      `https://github.com/acme/api/compare/${first.push.after.slice(0, 12)}...${second.push.after.slice(0, 12)}`,
    );
    expect(typeof payload.repository.id).toBe('number');
    expect(typeof payload.repository.pushed_at).toBe('number');
    expect(payload.commits).toHaveLength(2);
    expect(payload.commits[0]).toMatchObject({
      id: second.push.commits[0],
      distinct: true,
      message: 'Config',
      added: ['config/settings.py'],
      removed: [],
      modified: [],
      author: { name: 'Sandbox Developer', email: 'dev@sandbox.invalid', username: 'sandbox-dev' },
    });
    expect(payload.commits[0].tree_id).toMatch(/^[0-9a-f]{40}$/);
    expect(payload.commits[1]).toMatchObject({ added: [], removed: ['old.txt'], modified: ['README.md'] });
    expect(payload.head_commit).toEqual(payload.commits[1]);
  });

  it('marks a push to a new branch as created with before = 40 zeros, branching from main', async () => {
    const main = await push([{ message: 'Initial', files: { 'a.txt': 'a\n' } }]);
    const feature = await push([{ message: 'Feature', files: { 'b.txt': 'b\n' } }], 'refs/heads/feature/x');
    const payload = JSON.parse(feature.delivery.body);
    expect(payload).toMatchObject({ ref: 'refs/heads/feature/x', before: '0'.repeat(40), created: true });
    expect(payload.commits[0].added).toEqual(['b.txt']);

    const commit = parse<{ parents: { sha: string }[] }>(
      await github.handle(request('GET', `/sandbox/github/repos/acme/api/commits/${feature.push.after}`)),
    );
    expect(commit.parents.map((p) => p.sha)).toEqual([main.push.after]);
    expect(github.branchHead('acme', 'api', 'feature/x')).toBe(feature.push.after);
  });

  it('lets a test deliver the same raw body again (redelivery keeps the delivery id)', async () => {
    const answer = await push([{ message: 'One', files: { 'a.txt': 'a\n' } }]);
    const again = await github.redeliver(answer.delivery.id);
    expect(hook.received).toHaveLength(2);
    expect(hook.received[1]!.body).toBe(answer.delivery.body);
    expect(hook.received[1]!.headers['x-github-delivery']).toBe(answer.delivery.id);
    expect(again.signature).toBe(answer.delivery.signature);
  });

  it.each([
    ['invalid JSON', '{"ref":', /Problems parsing JSON/],
    ['a missing ref', { commits: [{ message: 'm', files: {} }] }, /"ref"/],
    ['missing commits', { ref: 'refs/heads/main' }, /"commits"/],
    [
      'non-string content',
      { ref: 'refs/heads/main', commits: [{ message: 'm', files: { 'a.txt': 42 } }] },
      /must be a string/,
    ],
  ])('rejects %s with 400 and a clear message', async (_case, body, message) => {
    const res = await github.handle(request('POST', '/sandbox/github/repos/acme/api/pushes', body));
    expect(res?.status).toBe(400);
    expect(parse<{ message: string }>(res).message).toMatch(message);
    expect(hook.received).toHaveLength(0);
  });

  it('reports a webhook endpoint that cannot be reached without failing the push', async () => {
    github = createGitHubSandbox({
      webhookSecret: () => SECRET,
      webhookUrl: () => 'http://127.0.0.1:1/nowhere',
      now: () => NOW,
    });
    const res = await github.handle(
      request('POST', '/sandbox/github/repos/acme/api/pushes', {
        ref: 'refs/heads/main',
        commits: [{ message: 'm', files: { a: 'a' } }],
      }),
    );
    expect(res?.status).toBe(201);
    expect(parse<PushAnswer>(res).response).toMatchObject({
      status: null,
      error: expect.stringContaining('fetch failed'),
    });
  });
});

describe('GitHub sandbox: REST', () => {
  it('returns the repository object with its default branch', async () => {
    await push([{ message: 'Initial', files: { 'a.txt': 'a\n' } }]);
    const repo = parse(await github.handle(request('GET', '/sandbox/github/repos/acme/api')));
    expect(repo).toMatchObject({
      name: 'api',
      full_name: 'acme/api',
      default_branch: 'main',
      owner: { login: 'acme' },
    });
  });

  it('numbers the + lines of a mid-file modification as they are in the new file', async () => {
    await push([{ message: 'Initial', files: { 'config/settings.py': lines(30) } }]);
    const modified = lines(30)
      .replace('line 15\n', 'line 15\nAWS_KEY = "x"\nAWS_SECRET = "y"\n')
      .replace('line 20\n', '');
    const second = await push([{ message: 'Add keys', files: { 'config/settings.py': modified } }]);
    const commit = parse<{ files: FileEntry[]; stats: Record<string, number> }>(
      await github.handle(request('GET', `/sandbox/github/repos/acme/api/commits/${second.push.after}`)),
    );
    const file = commit.files[0]!;
    expect(file).toMatchObject({
      filename: 'config/settings.py',
      status: 'modified',
      additions: 2,
      deletions: 1,
      changes: 3,
    });
    expect(file.patch).toBe(
      [
        '@@ -13,11 +13,12 @@ line 12',
        ' line 13',
        ' line 14',
        ' line 15',
        '+AWS_KEY = "x"',
        '+AWS_SECRET = "y"',
        ' line 16',
        ' line 17',
        ' line 18',
        ' line 19',
        '-line 20',
        ' line 21',
        ' line 22',
        ' line 23',
      ].join('\n'),
    );
    expect(commit.stats).toEqual({ total: 3, additions: 2, deletions: 1 });
    const newLines = modified.split('\n');
    expect(newLines[16 - 1]).toBe('AWS_KEY = "x"');
    expect(newLines[17 - 1]).toBe('AWS_SECRET = "y"');
  });

  it('paginates a commit with more than 300 files via Link headers (300 per page)', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 650 }, (_, i) => [`f/${String(i).padStart(4, '0')}.txt`, `${i}\n`]),
    );
    const answer = await push([{ message: 'Many', files }]);
    const path = `/sandbox/github/repos/acme/api/commits/${answer.push.after}`;

    const page1 = await github.handle(request('GET', path));
    expect(parse<{ files: FileEntry[] }>(page1).files).toHaveLength(300);
    const next = /<([^>]+)>; rel="next"/.exec(page1?.headers?.link ?? '')?.[1];
    expect(next).toBe(`http://127.0.0.1:3000${path}?page=2&per_page=300`);
    expect(page1?.headers?.link).toContain(`<http://127.0.0.1:3000${path}?page=3&per_page=300>; rel="last"`);

    const page3 = await github.handle(request('GET', `${path}?page=3&per_page=300`));
    const last = parse<{ files: FileEntry[]; sha: string }>(page3);
    expect(last.sha).toBe(answer.push.after);
    expect(last.files).toHaveLength(50);
    expect(last.files[49]!.filename).toBe('f/0649.txt');
    expect(page3?.headers?.link).not.toContain('rel="next"');
  });

  it('compares with commit pagination, files only on page 1, capped at 300', async () => {
    const base = await push([{ message: 'Initial', files: { 'README.md': '# api\n' } }]);
    const many = Object.fromEntries(
      Array.from({ length: 350 }, (_, i) => [
        `src/${String(i).padStart(3, '0')}.ts`,
        `export const v = ${i};\n`,
      ]),
    );
    const head = await push([
      { message: 'c1', files: many },
      { message: 'c2', files: { 'a.txt': 'a\n' } },
      { message: 'c3', files: { 'b.txt': 'b\n' } },
      { message: 'c4', files: { 'c.txt': 'c\n' } },
      { message: 'c5', files: { 'd.txt': 'd\n' } },
    ]);
    const path = `/sandbox/github/repos/acme/api/compare/${base.push.after}...${head.push.after}`;

    const page1 = await github.handle(request('GET', `${path}?per_page=2`));
    const body1 = parse<{
      status: string;
      ahead_by: number;
      behind_by: number;
      total_commits: number;
      commits: { sha: string }[];
      files: FileEntry[];
    }>(page1);
    expect(body1).toMatchObject({ status: 'ahead', ahead_by: 5, behind_by: 0, total_commits: 5 });
    expect(body1.commits.map((c) => c.sha)).toEqual(head.push.commits.slice(0, 2));
    expect(body1.files).toHaveLength(300);
    expect(page1?.headers?.link).toContain(`<http://127.0.0.1:3000${path}?per_page=2&page=2>; rel="next"`);

    const page3 = parse<{ commits: { sha: string }[]; files?: unknown }>(
      await github.handle(request('GET', `${path}?per_page=2&page=3`)),
    );
    expect(page3.commits.map((c) => c.sha)).toEqual(head.push.commits.slice(4));
    expect(page3.files).toBeUndefined();

    const unpaginated = await github.handle(request('GET', path));
    expect(parse<{ commits: unknown[]; files: unknown[] }>(unpaginated).files).toHaveLength(300);
    expect(unpaginated?.headers?.link).toBeUndefined();
  });

  it('caps an unpaginated compare at 250 commits', async () => {
    const base = await push([{ message: 'Initial', files: { 'n.txt': '0\n' } }]);
    const head = await push(
      Array.from({ length: 260 }, (_, i) => ({ message: `c${i}`, files: { 'n.txt': `${i + 1}\n` } })),
    );
    const body = parse<{ total_commits: number; commits: unknown[] }>(
      await github.handle(request('GET', `/sandbox/github/repos/acme/api/compare/${base.push.after}...main`)),
    );
    expect(body.total_commits).toBe(260);
    expect(body.commits).toHaveLength(250);
    expect(head.push.commits).toHaveLength(260);
  });

  it('reports a diverged comparison against the merge base', async () => {
    await push([{ message: 'Initial', files: { 'a.txt': 'a\n' } }]);
    await push([{ message: 'Feature', files: { 'f.txt': 'f\n' } }], 'refs/heads/feature');
    await push([{ message: 'Main moves', files: { 'm.txt': 'm\n' } }]);
    const body = parse<{ status: string; ahead_by: number; behind_by: number; files: FileEntry[] }>(
      await github.handle(request('GET', '/sandbox/github/repos/acme/api/compare/main...feature')),
    );
    expect(body).toMatchObject({ status: 'diverged', ahead_by: 1, behind_by: 1 });
    expect(body.files.map((f) => f.filename)).toEqual(['f.txt']);
  });

  it('detects exact renames and reports removed files', async () => {
    await push([{ message: 'Initial', files: { 'old/name.txt': 'same\n', 'gone.txt': 'bye\n' } }]);
    const second = await push([
      { message: 'Move', files: { 'old/name.txt': null, 'new/name.txt': 'same\n', 'gone.txt': null } },
    ]);
    const files = parse<{ files: FileEntry[] }>(
      await github.handle(request('GET', `/sandbox/github/repos/acme/api/commits/${second.push.after}`)),
    ).files;
    expect(files).toEqual([
      expect.objectContaining({
        filename: 'gone.txt',
        status: 'removed',
        deletions: 1,
        patch: '@@ -1 +0,0 @@\n-bye',
      }),
      expect.objectContaining({
        filename: 'new/name.txt',
        status: 'renamed',
        previous_filename: 'old/name.txt',
        changes: 0,
      }),
    ]);
  });

  it('omits patch for binary files and for files over the size limit', async () => {
    github = createGitHubSandbox({
      webhookSecret: () => SECRET,
      webhookUrl: () => hook.url,
      now: () => NOW,
      maxPatchBytes: 1000,
    });
    const answer = await push([
      {
        message: 'Blobs',
        files: { 'img.png': '\x89PNG\0\0binary', 'big.txt': lines(200), 'small.txt': 'hi\n' },
      },
    ]);
    const files = parse<{ files: FileEntry[] }>(
      await github.handle(request('GET', `/sandbox/github/repos/acme/api/commits/${answer.push.after}`)),
    ).files;
    const byName = Object.fromEntries(files.map((f) => [f.filename, f]));
    expect(byName['img.png']).not.toHaveProperty('patch');
    expect(byName['big.txt']).not.toHaveProperty('patch');
    expect(byName['big.txt']!.additions).toBe(200);
    expect(byName['small.txt']!.patch).toBe('@@ -0,0 +1 @@\n+hi');
  });

  it('serves blobs as base64 with 60-character lines that decode to the exact content', async () => {
    const content = `héllo ${'x'.repeat(200)}\n\0tail`;
    const answer = await push([{ message: 'Blob', files: { 'data.bin': content } }]);
    const file = parse<{ files: FileEntry[] }>(
      await github.handle(request('GET', `/sandbox/github/repos/acme/api/commits/${answer.push.after}`)),
    ).files[0]!;
    const blob = parse<{ sha: string; size: number; encoding: string; content: string }>(
      await github.handle(request('GET', `/sandbox/github/repos/acme/api/git/blobs/${file.sha}`)),
    );
    expect(blob.encoding).toBe('base64');
    expect(blob.sha).toBe(file.sha);
    expect(blob.size).toBe(Buffer.byteLength(content));
    expect(
      blob.content
        .split('\n')
        .slice(0, -2)
        .every((line) => line.length === 60),
    ).toBe(true);
    expect(Buffer.from(blob.content, 'base64').toString('utf8')).toBe(content);
  });

  it('uses real git blob ids', async () => {
    const answer = await push([{ message: 'Hello', files: { 'hello.txt': 'hello\n' } }]);
    const file = parse<{ files: FileEntry[] }>(
      await github.handle(request('GET', `/sandbox/github/repos/acme/api/commits/${answer.push.after}`)),
    ).files[0]!;
    // `printf 'hello\n' | git hash-object --stdin`
    expect(file.sha).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });

  it('records every API request with its status, and no Authorization header', async () => {
    await push([{ message: 'Initial', files: { 'a.txt': 'a\n' } }]);
    const token = await installationToken(github);
    await github.handle(
      request('GET', '/sandbox/github/repos/acme/api/commits/main?page=1', '', {
        authorization: `token ${token}`,
      }),
    );
    await github.handle(request('GET', '/sandbox/github/repos/acme/missing'));
    const log = github.requests();
    expect(log.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/sandbox/github/repos/acme/api/pushes', 201],
      ['POST', '/sandbox/github/app/installations/61000001/access_tokens', 201],
      ['GET', '/sandbox/github/repos/acme/api/commits/main', 200],
      ['GET', '/sandbox/github/repos/acme/missing', 404],
    ]);
    expect(log[2]!.query).toBe('page=1');
    expect(JSON.stringify(log)).not.toContain(token);
  });
});
