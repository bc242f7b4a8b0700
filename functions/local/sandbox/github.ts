/**
 * The GitHub stand-in of the local sandbox: GitHub's REST shapes over an in-memory git model, plus
 * control endpoints that create commits or secret-scanning alerts and deliver the signed webhooks
 * GitHub would send. Router-agnostic: `handle()` answers paths under `/sandbox/github/` and returns
 * `undefined` for anything else.
 *
 * All state is in memory and nothing is logged: trees and alerts hold planted credentials, and the
 * `Authorization` header (accepted whatever it holds) is never recorded.
 */
import { randomBytes } from 'node:crypto';
import { json, type HttpRequest, type HttpResponse } from '../http.ts';
import { GitModel, ZERO_SHA, isoSeconds, type Commit, type Person, type Repository } from './git-model.ts';
import {
  DOCS,
  HTML_BASE,
  RepoUrls,
  fileObject,
  githubBase64,
  nodeId,
  organizationObject,
  pathChanges,
  pushCommit,
  repositoryObject,
  restCommit,
  secretTypeDisplayName,
  userId,
  userObject,
} from './github-shapes.ts';
import {
  InstallationTokens,
  jwtProblem,
  sandboxApp,
  type IssuedToken,
  type SandboxAppIdentity,
} from './github-auth.ts';
import { deliverWebhook, type HookIdentity, type WebhookDelivery } from './webhook.ts';
import type { createGitHubCredentialsApi } from './github-credentials.ts';

export interface GitHubSandboxOptions {
  /** The webhook secret deliveries are signed with (read at each delivery). */
  readonly webhookSecret: () => string;
  /** Where deliveries are POSTed, e.g. `http://127.0.0.1:PORT/webhooks/github` (read at each delivery). */
  readonly webhookUrl: () => string;
  readonly now?: () => Date;
  /**
   * Origin for URLs in responses and payloads (`Link`, `url`, `contents_url`…), e.g.
   * `http://127.0.0.1:3000`. @default `http://` + the request's Host header
   */
  readonly publicUrl?: () => string;
  /** Files larger than this (bytes) get no `patch`, as on GitHub. @default 1 MiB */
  readonly maxPatchBytes?: number;
  /** The GitHub App installation id carried by every payload. @default 61000001 */
  readonly installationId?: number;
  /**
   * Deliver `secret_scanning_alert` `resolved`/`reopened` webhooks when an alert is PATCHed, as
   * GitHub does. Deliveries run after the PATCH answers; await `idle()` to observe them. @default true
   */
  readonly deliverAlertUpdates?: boolean;
  /** Lifetime of the installation tokens it issues, on its `now` clock. @default 1 hour, as on GitHub */
  readonly tokenLifetimeMs?: number;
  /** `POST /credentials/revoke` and `GET /user` over the sandbox's credential registry. */
  readonly credentials?: ReturnType<typeof createGitHubCredentialsApi>;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The query string without the leading `?` (empty when none). */
  readonly query: string;
  readonly status: number;
  readonly at: string;
}

export interface RecordedWrite {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly at: string;
}

export interface PushResult {
  readonly ref: string;
  readonly before: string;
  readonly after: string;
  readonly commits: readonly string[];
  readonly delivery: WebhookDelivery;
}

export interface GitHubSandbox {
  handle(req: HttpRequest): Promise<HttpResponse | undefined>;
  /** Every request handled (control endpoints included), oldest first. */
  requests(): readonly RecordedRequest[];
  /** Every write the pipeline made (alert updates, check runs), oldest first. */
  writes(): readonly RecordedWrite[];
  /** Every webhook delivered, oldest first. */
  deliveries(): readonly WebhookDelivery[];
  /** Sends a past delivery again with the same body, signature and `X-GitHub-Delivery`, like GitHub's redeliver. */
  redeliver(deliveryId: string): Promise<WebhookDelivery>;
  /** The commit a branch points at, if the repository and branch exist. */
  branchHead(owner: string, repo: string, branch?: string): string | undefined;
  /** Resolves once background deliveries (alert updates) have finished. */
  idle(): Promise<void>;
  /** The GitHub App the stand-in accepts JWTs from (its private key signs them). */
  readonly app: SandboxAppIdentity;
  /** Every installation token issued, oldest first (ids and times, not the tokens). */
  issuedTokens(): readonly IssuedToken[];
}

const PREFIX = '/sandbox/github';
const MAX_COMPARE_FILES = 300;
const MAX_UNPAGINATED_COMPARE_COMMITS = 250;
const COMMIT_FILES_PER_PAGE = 300;
const MAX_COMMIT_FILES = 3000;
/** Commits one control push may create; the webhook lists at most MAX_PAYLOAD_COMMITS of them. */
const MAX_PUSH_COMMITS = 5000;
const MAX_PAYLOAD_COMMITS = 2048;
const SETTABLE_RESOLUTIONS = ['false_positive', 'wont_fix', 'revoked', 'used_in_tests'];
const CHECK_STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'];
const CHECK_CONCLUSIONS = [
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'success',
  'skipped',
  'stale',
  'timed_out',
];

const DEFAULT_AUTHOR: Person = {
  name: 'Sandbox Developer',
  email: 'dev@sandbox.invalid',
  username: 'sandbox-dev',
};
const APP = { id: 900_001, slug: 'leakstop', name: 'leakstop' };
const APP_PERMISSIONS = {
  checks: 'write',
  contents: 'read',
  metadata: 'read',
  secret_scanning_alerts: 'write',
};

interface AlertLocation {
  readonly path: string;
  readonly start_line: number;
  readonly end_line: number;
  readonly start_column: number;
  readonly end_column: number;
  readonly blob_sha: string;
  readonly commit_sha: string;
}

interface Alert {
  readonly number: number;
  readonly secretType: string;
  readonly secret: string;
  readonly createdAt: string;
  updatedAt: string;
  state: 'open' | 'resolved';
  resolution: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionComment: string | null;
  validity: 'active' | 'inactive' | 'unknown';
  publiclyLeaked: boolean;
  readonly locations: AlertLocation[];
}

interface CheckRun {
  readonly id: number;
  readonly headSha: string;
  name: string;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  detailsUrl: string | null;
  externalId: string | null;
  annotations: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (): HttpError => new HttpError(404, 'Not Found');
const invalid = (message: string): HttpError => new HttpError(422, message);

function errorResponse(error: HttpError): HttpResponse {
  return json(error.status, {
    message: error.message,
    documentation_url: DOCS,
    status: String(error.status),
  });
}

function parseBody(req: HttpRequest): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(req.body);
  } catch {
    throw new HttpError(400, 'Problems parsing JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'Body should be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** GitHub-style page/per_page parsing: bad values fall back to defaults, per_page is clamped. */
function pageParams(query: URLSearchParams, defaultPerPage: number, maxPerPage: number) {
  const int = (name: string): number | undefined => {
    const raw = query.get(name);
    if (raw === null || !/^\d+$/.test(raw)) return undefined;
    return Number(raw);
  };
  const page = Math.max(1, int('page') ?? 1);
  const perPage = Math.min(maxPerPage, Math.max(1, int('per_page') ?? defaultPerPage));
  return { page, perPage, requested: query.has('page') || query.has('per_page') };
}

/** GitHub's `Link` header: prev, next, last, first — absolute URLs keeping the other query params. */
function linkHeader(
  url: string,
  query: URLSearchParams,
  page: number,
  perPage: number,
  total: number,
): Record<string, string> {
  const last = Math.max(1, Math.ceil(total / perPage));
  const href = (p: number) => {
    const params = new URLSearchParams(query);
    params.set('page', String(p));
    params.set('per_page', String(perPage));
    return `<${url}?${params.toString()}>`;
  };
  const links: string[] = [];
  if (page > 1) links.push(`${href(Math.min(page - 1, last))}; rel="prev"`);
  if (page < last) links.push(`${href(page + 1)}; rel="next"`, `${href(last)}; rel="last"`);
  if (page > 1) links.push(`${href(1)}; rel="first"`);
  return links.length > 0 ? { link: links.join(', ') } : {};
}

function str(value: unknown): value is string {
  return typeof value === 'string';
}

function parsePerson(value: unknown, where: string): Person | undefined {
  if (value === undefined) return undefined;
  const person = value as { name?: unknown; email?: unknown; username?: unknown } | null;
  if (typeof person !== 'object' || person === null || !str(person.name) || !str(person.email)) {
    throw new HttpError(400, `${where} must be { "name": string, "email": string, "username"?: string }`);
  }
  return {
    name: person.name,
    email: person.email,
    ...(str(person.username) ? { username: person.username } : {}),
  };
}

export function createGitHubSandbox(options: GitHubSandboxOptions): GitHubSandbox {
  const now = options.now ?? (() => new Date());
  const git = new GitModel(options.maxPatchBytes ?? 1024 * 1024);
  const installationId = options.installationId ?? 61_000_001;
  const deliverAlertUpdates = options.deliverAlertUpdates ?? true;
  const hookId = 512_000_000 + randomBytes(3).readUIntBE(0, 3);
  const userAgent = `GitHub-Hookshot/${randomBytes(4).toString('hex').slice(0, 7)}`;

  const requestLog: RecordedRequest[] = [];
  const writeLog: RecordedWrite[] = [];
  const deliveryLog: WebhookDelivery[] = [];
  const alerts = new Map<number, Alert[]>(); // by repository id
  const alertRepos = new Map<number, Repository>(); // the repositories that have alerts, for org-wide lists
  const checkRuns = new Map<number, CheckRun>();
  const pending = new Set<Promise<unknown>>();
  let nextCheckRunId = 4_000_000_001;
  const app = sandboxApp();
  const tokens = new InstallationTokens(now, options.tokenLifetimeMs ?? 3600_000);

  const origin = (req: HttpRequest): string =>
    options.publicUrl?.() ?? `http://${req.headers.host ?? '127.0.0.1'}`;
  const apiBaseOf = (req: HttpRequest): string => `${origin(req)}${PREFIX}`;

  const installation = () => ({ id: installationId, node_id: nodeId('Installation', installationId) });
  const botLogin = `${APP.slug}[bot]`;

  function requireRepo(owner: string, name: string): Repository {
    const repo = git.repo(owner, name);
    if (!repo) throw notFound();
    return repo;
  }

  async function deliver(event: string, payload: unknown, repo: Repository): Promise<WebhookDelivery> {
    const hook: HookIdentity = { hookId, userAgent, targetId: repo.id };
    const delivery = await deliverWebhook({
      url: options.webhookUrl(),
      secret: options.webhookSecret(),
      event,
      body: JSON.stringify(payload),
      hook,
      at: now(),
    });
    deliveryLog.push(delivery);
    return delivery;
  }

  const deliveryAnswer = (delivery: WebhookDelivery, extra: Record<string, unknown> = {}) =>
    json(201, {
      delivery: {
        id: delivery.id,
        event: delivery.event,
        signature: delivery.signature,
        body: delivery.body,
      },
      response: delivery.response,
      ...extra,
    });

  function background(task: Promise<unknown>): void {
    const tracked = task.catch(() => undefined).finally(() => pending.delete(tracked));
    pending.add(tracked);
  }

  // ---- control: pushes -------------------------------------------------------------------

  function parseChanges(raw: unknown[]) {
    return raw.map((value: unknown, i: number) => {
      const commit = value as { message?: unknown; files?: unknown; author?: unknown } | null;
      if (typeof commit !== 'object' || commit === null)
        throw new HttpError(400, `commits[${i}] must be an object`);
      if (!str(commit.message) || commit.message.length === 0) {
        throw new HttpError(400, `commits[${i}].message must be a non-empty string`);
      }
      const files = commit.files;
      if (typeof files !== 'object' || files === null || Array.isArray(files)) {
        throw new HttpError(
          400,
          `commits[${i}].files must be an object of path → content (string, or null to delete)`,
        );
      }
      for (const [path, content] of Object.entries(files)) {
        if (
          path.length === 0 ||
          path.startsWith('/') ||
          path.endsWith('/') ||
          path.split('/').includes('..')
        ) {
          throw new HttpError(400, `commits[${i}].files: invalid path ${JSON.stringify(path)}`);
        }
        if (content !== null && !str(content)) {
          throw new HttpError(
            400,
            `commits[${i}].files[${JSON.stringify(path)}] must be a string, or null to delete`,
          );
        }
      }
      const author = parsePerson(commit.author, `commits[${i}].author`) ?? DEFAULT_AUTHOR;
      return { message: commit.message, files: files as Record<string, string | null>, author };
    });
  }

  /** Every commit reachable from some branch or tag: what "pushed before" means for `distinct`. */
  function reachable(repo: Repository): Set<string> {
    const all = new Set<string>();
    for (const sha of [...repo.branches.values(), ...repo.tags.values()])
      for (const ancestor of git.ancestors(repo, sha)) all.add(ancestor);
    return all;
  }

  function pushPayload(
    req: HttpRequest,
    repo: Repository,
    fields: {
      ref: string;
      before: string;
      after: string;
      created: boolean;
      deleted: boolean;
      forced: boolean;
      baseRef: string | null;
      commits: Commit[];
      headCommit: Commit | undefined;
      reachableBefore: ReadonlySet<string>;
      pusher: Person;
    },
  ) {
    const apiBase = apiBaseOf(req);
    const describe = (commit: Commit) => {
      const base = commit.parents[0] ? repo.commits.get(commit.parents[0]) : undefined;
      return {
        ...pushCommit(repo, commit, pathChanges(base?.tree, commit.tree)),
        distinct: !fields.reachableBefore.has(commit.sha),
      };
    };
    const senderLogin = fields.pusher.username ?? DEFAULT_AUTHOR.username!;
    const html = `${HTML_BASE}/${repo.owner}/${repo.name}`;
    const name = fields.ref.replace(/^refs\/(heads|tags)\//, '');
    return {
      ref: fields.ref,
      before: fields.before,
      after: fields.after,
      repository: repositoryObject(apiBase, repo, 'push'),
      pusher: { name: senderLogin, email: fields.pusher.email },
      organization: organizationObject(apiBase, repo),
      sender: userObject(apiBase, senderLogin, userId(senderLogin)),
      installation: installation(),
      created: fields.created,
      deleted: fields.deleted,
      forced: fields.forced,
      base_ref: fields.baseRef,
      compare: fields.created
        ? `${html}/compare/${name}`
        : `${html}/compare/${fields.before.slice(0, 12)}...${fields.after.slice(0, 12)}`,
      // GitHub lists at most 2048 commits in a push webhook.
      commits: fields.commits.slice(0, MAX_PAYLOAD_COMMITS).map(describe),
      head_commit: fields.headCommit ? describe(fields.headCommit) : null,
    };
  }

  async function push(req: HttpRequest, owner: string, name: string): Promise<HttpResponse> {
    const body = parseBody(req);
    const ref = body.ref;
    if (!str(ref) || !/^refs\/(heads|tags)\/[^\s]+$/.test(ref)) {
      throw new HttpError(
        400,
        '"ref" must be a branch or tag ref such as "refs/heads/main" or "refs/tags/v1.0"',
      );
    }
    const isTag = ref.startsWith('refs/tags/');
    const refName = ref.slice(isTag ? 'refs/tags/'.length : 'refs/heads/'.length);
    const refs = (repo: Repository) => (isTag ? repo.tags : repo.branches);
    if (body.delete === true) return deleteRef(req, owner, name, ref, refName, isTag);
    if (!Array.isArray(body.commits) || (body.commits.length === 0 && body.from === undefined && !isTag)) {
      throw new HttpError(
        400,
        '"commits" must be a non-empty array of { "message", "files" } (or empty, with "from", to point the ref at an existing commit)',
      );
    }
    if (body.commits.length > MAX_PUSH_COMMITS)
      throw new HttpError(400, `at most ${MAX_PUSH_COMMITS} commits per push`);
    if (body.from !== undefined && !str(body.from))
      throw new HttpError(400, '"from" must be a commit sha, branch or tag to build on');
    const changes = parseChanges(body.commits);

    const { repo, created: repoCreated } = git.ensureRepo(owner, name, now());
    if (repoCreated && isTag) throw new HttpError(400, 'push a branch before tagging');
    if (repoCreated) repo.defaultBranch = refName;
    const existing = refs(repo).get(refName);
    if (isTag && existing) throw invalid(`Reference already exists: ${ref}`);
    const from = str(body.from) ? git.resolve(repo, body.from) : undefined;
    if (str(body.from) && !from)
      throw new HttpError(400, `"from": no commit ${body.from} in ${owner}/${name}`);
    const reachableBefore = reachable(repo);
    const before = existing ?? ZERO_SHA;
    // A new branch starts from the default branch's head, as `git checkout -b` from it would;
    // "from" rewrites history (a forced push when the old head is not an ancestor of the new one).
    let parent = from?.sha ?? existing ?? repo.branches.get(repo.defaultBranch);
    const created: Commit[] = [];
    for (const change of changes) {
      const commit = git.commit(repo, parent, change, now());
      created.push(commit);
      parent = commit.sha;
    }
    if (!parent) throw new HttpError(400, 'nothing to push: the repository has no commits yet');
    const after = parent;
    const forced = existing !== undefined && !git.ancestors(repo, after).has(existing);
    refs(repo).set(refName, after);
    repo.pushedAt = isoSeconds(now());

    // What the push introduced: for an existing ref, everything after..before's merge base (compare);
    // for a new branch, the commits made by this push; a tag push lists no commits.
    let introduced: Commit[] = [];
    if (!isTag) {
      if (existing) {
        const old = git.ancestors(repo, existing);
        introduced = [...git.ancestors(repo, after)]
          .filter((sha) => !old.has(sha))
          .map((sha) => repo.commits.get(sha)!)
          .sort((a, b) => a.seq - b.seq);
      } else introduced = created;
    }
    const headCommit = repo.commits.get(after);
    const branchAtHead = isTag ? [...repo.branches].find(([, sha]) => sha === after)?.[0] : undefined;
    const payload = pushPayload(req, repo, {
      ref,
      before,
      after,
      created: existing === undefined,
      deleted: false,
      forced,
      baseRef: branchAtHead ? `refs/heads/${branchAtHead}` : null,
      commits: introduced,
      headCommit,
      reachableBefore,
      pusher: created[created.length - 1]?.author ?? DEFAULT_AUTHOR,
    });
    const delivery = await deliver('push', payload, repo);
    return deliveryAnswer(delivery, {
      push: { ref, before, after, forced, commits: created.map((c) => c.sha) },
    });
  }

  async function deleteRef(
    req: HttpRequest,
    owner: string,
    name: string,
    ref: string,
    refName: string,
    isTag: boolean,
  ): Promise<HttpResponse> {
    const repo = requireRepo(owner, name);
    const refs = isTag ? repo.tags : repo.branches;
    const before = refs.get(refName);
    if (!before) throw invalid(`Reference does not exist: ${ref}`);
    if (!isTag && refName === repo.defaultBranch) throw invalid('Cannot delete the default branch');
    refs.delete(refName);
    const payload = pushPayload(req, repo, {
      ref,
      before,
      after: ZERO_SHA,
      created: false,
      deleted: true,
      forced: false,
      baseRef: null,
      commits: [],
      headCommit: undefined,
      reachableBefore: new Set(),
      pusher: DEFAULT_AUTHOR,
    });
    const delivery = await deliver('push', payload, repo);
    return deliveryAnswer(delivery, { push: { ref, before, after: ZERO_SHA, forced: false, commits: [] } });
  }

  // ---- REST: repository, compare, commits, blobs, contents -------------------------------

  function compare(req: HttpRequest, repo: Repository, basehead: string): HttpResponse {
    const sep = basehead.indexOf('...');
    if (sep < 0) throw notFound();
    const base = git.resolve(repo, basehead.slice(0, sep));
    const head = git.resolve(repo, basehead.slice(sep + 3));
    if (!base || !head) throw notFound();
    const fromBase = git.ancestors(repo, base.sha);
    const fromHead = git.ancestors(repo, head.sha);
    let mergeBase: Commit | undefined;
    for (const sha of fromBase) {
      const commit = repo.commits.get(sha)!;
      if (fromHead.has(sha) && (!mergeBase || commit.seq > mergeBase.seq)) mergeBase = commit;
    }
    if (!mergeBase)
      throw new HttpError(
        404,
        `No common ancestor between ${basehead.slice(0, sep)} and ${basehead.slice(sep + 3)}.`,
      );
    const bySeq = (a: Commit, b: Commit) => a.seq - b.seq;
    const ahead = [...fromHead]
      .filter((sha) => !fromBase.has(sha))
      .map((sha) => repo.commits.get(sha)!)
      .sort(bySeq);
    const behindBy = [...fromBase].filter((sha) => !fromHead.has(sha)).length;
    const status =
      ahead.length > 0 && behindBy > 0
        ? 'diverged'
        : ahead.length > 0
          ? 'ahead'
          : behindBy > 0
            ? 'behind'
            : 'identical';

    const apiBase = apiBaseOf(req);
    const urls = new RepoUrls(apiBase, repo);
    const { page, perPage, requested } = pageParams(req.query, 30, 100);
    const pageCommits = requested
      ? ahead.slice((page - 1) * perPage, page * perPage)
      : ahead.slice(0, MAX_UNPAGINATED_COMPARE_COMMITS);
    const showFiles = !requested || page === 1;
    const files = showFiles
      ? git
          .diff(repo, mergeBase, head)
          .slice(0, MAX_COMPARE_FILES)
          .map((change) => fileObject(apiBase, repo, change, head.sha, mergeBase.sha))
      : undefined;
    const headers = requested
      ? linkHeader(`${origin(req)}${req.path}`, req.query, page, perPage, ahead.length)
      : {};
    const spec = `${base.sha.slice(0, 7)}...${head.sha.slice(0, 7)}`;
    return json(
      200,
      {
        url: `${urls.api}/compare/${basehead}`,
        html_url: `${urls.html}/compare/${basehead}`,
        permalink_url: `${urls.html}/compare/${repo.owner}:${spec}`,
        diff_url: `${urls.html}/compare/${basehead}.diff`,
        patch_url: `${urls.html}/compare/${basehead}.patch`,
        base_commit: restCommit(apiBase, repo, base),
        merge_base_commit: restCommit(apiBase, repo, mergeBase),
        status,
        ahead_by: ahead.length,
        behind_by: behindBy,
        total_commits: ahead.length,
        commits: pageCommits.map((commit) => restCommit(apiBase, repo, commit)),
        ...(files ? { files } : {}),
      },
      headers,
    );
  }

  /** `GET /repos/{o}/{r}/commits?sha=`: the history reachable from `sha` (default branch), newest first. */
  function listCommits(req: HttpRequest, repo: Repository): HttpResponse {
    const start = git.resolve(repo, req.query.get('sha') ?? repo.defaultBranch);
    if (!start) {
      if (req.query.has('sha')) throw new HttpError(404, 'Not Found');
      return json(409, { message: 'Git Repository is empty.', documentation_url: DOCS, status: '409' });
    }
    const history = [...git.ancestors(repo, start.sha)]
      .map((sha) => repo.commits.get(sha)!)
      .sort((a, b) => b.seq - a.seq);
    const { page, perPage } = pageParams(req.query, 30, 100);
    const apiBase = apiBaseOf(req);
    return json(
      200,
      history.slice((page - 1) * perPage, page * perPage).map((commit) => restCommit(apiBase, repo, commit)),
      linkHeader(`${origin(req)}${req.path}`, req.query, page, perPage, history.length),
    );
  }

  function getCommit(req: HttpRequest, repo: Repository, ref: string): HttpResponse {
    const commit = git.resolve(repo, ref);
    if (!commit) throw new HttpError(422, `No commit found for SHA: ${ref}`);
    const parent = commit.parents[0] ? repo.commits.get(commit.parents[0]) : undefined;
    const all = git.diff(repo, parent, commit);
    const listed = all.slice(0, MAX_COMMIT_FILES);
    const { page, perPage } = pageParams(req.query, COMMIT_FILES_PER_PAGE, COMMIT_FILES_PER_PAGE);
    const apiBase = apiBaseOf(req);
    const additions = all.reduce((sum, f) => sum + f.additions, 0);
    const deletions = all.reduce((sum, f) => sum + f.deletions, 0);
    return json(
      200,
      {
        ...restCommit(apiBase, repo, commit),
        stats: { total: additions + deletions, additions, deletions },
        files: listed
          .slice((page - 1) * perPage, page * perPage)
          .map((change) => fileObject(apiBase, repo, change, commit.sha, parent?.sha ?? commit.sha)),
      },
      linkHeader(`${origin(req)}${req.path}`, req.query, page, perPage, listed.length),
    );
  }

  function getBlob(req: HttpRequest, repo: Repository, sha: string): HttpResponse {
    const blob = git.blob(repo, sha);
    if (!blob) throw notFound();
    if ((req.headers.accept ?? '').includes('application/vnd.github.raw')) {
      return {
        status: 200,
        headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' },
        body: blob.content,
      };
    }
    return json(200, {
      sha: blob.sha,
      node_id: nodeId('Blob', `${repo.id}:${blob.sha}`),
      size: blob.size,
      url: new RepoUrls(apiBaseOf(req), repo).blobApi(blob.sha),
      content: githubBase64(blob.content),
      encoding: 'base64',
    });
  }

  function getContents(req: HttpRequest, repo: Repository, path: string): HttpResponse {
    const commit = git.resolve(repo, req.query.get('ref') ?? repo.defaultBranch);
    const sha = commit?.tree.get(path);
    if (!commit || !sha) throw notFound();
    const blob = git.blob(repo, sha)!;
    const urls = new RepoUrls(apiBaseOf(req), repo);
    const self = urls.contents(commit.sha, path);
    return json(200, {
      type: 'file',
      encoding: 'base64',
      size: blob.size,
      name: path.split('/').pop(),
      path,
      content: githubBase64(blob.content),
      sha,
      url: self,
      git_url: urls.blobApi(sha),
      html_url: urls.fileBlobHtml(commit.sha, path),
      download_url: urls.fileRaw(commit.sha, path),
      _links: { self, git: urls.blobApi(sha), html: urls.fileBlobHtml(commit.sha, path) },
    });
  }

  // ---- secret scanning ---------------------------------------------------------------------

  function alertUrls(apiBase: string, repo: Repository, alert: Alert) {
    const urls = new RepoUrls(apiBase, repo);
    return {
      url: `${urls.api}/secret-scanning/alerts/${alert.number}`,
      html_url: `${urls.html}/security/secret-scanning/${alert.number}`,
      locations_url: `${urls.api}/secret-scanning/alerts/${alert.number}/locations`,
    };
  }

  function locationObject(apiBase: string, repo: Repository, location: AlertLocation) {
    const urls = new RepoUrls(apiBase, repo);
    return {
      type: 'commit',
      details: {
        path: location.path,
        start_line: location.start_line,
        end_line: location.end_line,
        start_column: location.start_column,
        end_column: location.end_column,
        blob_sha: location.blob_sha,
        blob_url: urls.blobApi(location.blob_sha),
        commit_sha: location.commit_sha,
        commit_url: `${urls.api}/git/commits/${location.commit_sha}`,
      },
    };
  }

  /** Fields shared by the webhook and REST alert shapes. */
  function alertCommon(apiBase: string, repo: Repository, alert: Alert) {
    return {
      number: alert.number,
      created_at: alert.createdAt,
      updated_at: alert.updatedAt,
      ...alertUrls(apiBase, repo, alert),
      resolution: alert.resolution,
      resolved_at: alert.resolvedAt,
      resolved_by: alert.resolvedBy
        ? userObject(apiBase, alert.resolvedBy, userId(alert.resolvedBy), 'Bot')
        : null,
      resolution_comment: alert.resolutionComment,
      secret_type: alert.secretType,
      secret_type_display_name: secretTypeDisplayName(alert.secretType),
      validity: alert.validity,
      push_protection_bypassed: false,
      push_protection_bypassed_by: null,
      push_protection_bypassed_at: null,
      push_protection_bypass_request_reviewer: null,
      push_protection_bypass_request_reviewer_comment: null,
      push_protection_bypass_request_comment: null,
      push_protection_bypass_request_html_url: null,
      publicly_leaked: alert.publiclyLeaked,
      multi_repo: false,
      assigned_to: null,
    };
  }

  /** The webhook alert: no `secret`, no `state` (api-facts §1e). */
  const webhookAlert = (apiBase: string, repo: Repository, alert: Alert) => alertCommon(apiBase, repo, alert);

  function restAlert(apiBase: string, repo: Repository, alert: Alert, hideSecret: boolean) {
    return {
      ...alertCommon(apiBase, repo, alert),
      state: alert.state,
      ...(hideSecret ? {} : { secret: alert.secret }),
      is_base64_encoded: false,
      first_location_detected: locationObject(apiBase, repo, alert.locations[0]!).details,
      has_more_locations: alert.locations.length > 1,
    };
  }

  function alertPayload(apiBase: string, repo: Repository, alert: Alert, action: string, sender: string) {
    return {
      action,
      alert: webhookAlert(apiBase, repo, alert),
      repository: repositoryObject(apiBase, repo, 'webhook'),
      organization: organizationObject(apiBase, repo),
      installation: installation(),
      sender: userObject(apiBase, sender, userId(sender), sender === botLogin ? 'Bot' : 'User'),
    };
  }

  function findAlert(repo: Repository, number: string): Alert {
    if (!/^\d+$/.test(number)) throw notFound();
    const alert = alerts.get(repo.id)?.find((a) => a.number === Number(number));
    if (!alert) throw notFound();
    return alert;
  }

  function parseLocations(repo: Repository, secret: string, raw: unknown): AlertLocation[] {
    if (!Array.isArray(raw) || raw.length === 0) {
      throw new HttpError(
        400,
        '"locations" must be a non-empty array of { "path", "start_line", "commit_sha" }',
      );
    }
    return raw.map((value: unknown, i: number) => {
      const loc = value as { path?: unknown; start_line?: unknown; commit_sha?: unknown } | null;
      if (
        typeof loc !== 'object' ||
        loc === null ||
        !str(loc.path) ||
        !str(loc.commit_sha) ||
        !Number.isInteger(loc.start_line) ||
        (loc.start_line as number) < 1
      ) {
        throw new HttpError(
          400,
          `locations[${i}] must be { "path": string, "start_line": integer ≥ 1, "commit_sha": string }`,
        );
      }
      const commit = git.resolve(repo, loc.commit_sha);
      if (!commit)
        throw new HttpError(400, `locations[${i}].commit_sha is not a commit of ${repo.owner}/${repo.name}`);
      const blob = commit.tree.get(loc.path);
      if (!blob) throw new HttpError(400, `locations[${i}].path does not exist in commit ${commit.sha}`);
      const startLine = loc.start_line as number;
      // Columns: 0-based offset of the secret in its first line; end column is exclusive on its last line.
      const text = git
        .content(repo, blob)
        .split('\n')
        .slice(startLine - 1)
        .join('\n');
      const at = text.indexOf(secret);
      if (at < 0 || text.slice(0, at).includes('\n')) {
        throw new HttpError(
          400,
          `locations[${i}]: the secret does not start on line ${startLine} of ${loc.path}`,
        );
      }
      const secretLines = secret.split('\n');
      return {
        path: loc.path,
        start_line: startLine,
        end_line: startLine + secretLines.length - 1,
        start_column: at,
        end_column:
          secretLines.length === 1 ? at + secret.length : secretLines[secretLines.length - 1]!.length,
        blob_sha: blob,
        commit_sha: commit.sha,
      };
    });
  }

  async function createAlert(req: HttpRequest, owner: string, name: string): Promise<HttpResponse> {
    const repo = requireRepo(owner, name);
    const body = parseBody(req);
    if (!str(body.secret_type) || !/^[a-z0-9_]+$/.test(body.secret_type)) {
      throw new HttpError(400, '"secret_type" must be a secret type such as "aws_access_key_id"');
    }
    if (!str(body.secret) || body.secret.length === 0)
      throw new HttpError(400, '"secret" must be a non-empty string');
    const locations = parseLocations(repo, body.secret, body.locations);
    const apiBase = apiBaseOf(req);
    const at = isoSeconds(now());
    const repoAlerts = alerts.get(repo.id) ?? [];
    alerts.set(repo.id, repoAlerts);
    alertRepos.set(repo.id, repo);

    // GitHub keeps one alert per secret and repository; a new sighting becomes a new location.
    const existing = repoAlerts.find((a) => a.secretType === body.secret_type && a.secret === body.secret);
    if (existing) {
      const fresh = locations.filter(
        (l) =>
          !existing.locations.some(
            (e) => e.commit_sha === l.commit_sha && e.path === l.path && e.start_line === l.start_line,
          ),
      );
      if (fresh.length === 0)
        throw new HttpError(400, `alert #${existing.number} already has these locations`);
      existing.locations.push(...fresh);
      existing.updatedAt = at;
      const deliveries: WebhookDelivery[] = [];
      for (const location of fresh) {
        deliveries.push(
          await deliver(
            'secret_scanning_alert_location',
            {
              action: 'created',
              alert: webhookAlert(apiBase, repo, existing),
              location: locationObject(apiBase, repo, location),
              repository: repositoryObject(apiBase, repo, 'webhook'),
              organization: organizationObject(apiBase, repo),
              installation: installation(),
              sender: userObject(apiBase, 'github', 9_919, 'Organization'),
            },
            repo,
          ),
        );
      }
      return deliveryAnswer(deliveries[deliveries.length - 1]!, {
        alert: { number: existing.number, new: false },
      });
    }

    const alert: Alert = {
      number: repoAlerts.length + 1,
      secretType: body.secret_type,
      secret: body.secret,
      createdAt: at,
      updatedAt: at,
      state: 'open',
      resolution: null,
      resolvedAt: null,
      resolvedBy: null,
      resolutionComment: null,
      validity: 'unknown',
      publiclyLeaked: false,
      locations,
    };
    repoAlerts.push(alert);
    const senderLogin = DEFAULT_AUTHOR.username!;
    const delivery = await deliver(
      'secret_scanning_alert',
      alertPayload(apiBase, repo, alert, 'created', senderLogin),
      repo,
    );
    return deliveryAnswer(delivery, { alert: { number: alert.number, new: true } });
  }

  function updateAlert(req: HttpRequest, repo: Repository, alert: Alert): HttpResponse {
    const body = parseBody(req);
    const { state, resolution, resolution_comment: comment } = body;
    if (state === undefined && !('assignee' in body)) invalidRequest('"state" wasn\'t supplied.');
    if (state !== undefined && state !== 'open' && state !== 'resolved') {
      invalidRequest(`Value is not one of ["open", "resolved"] for "state": ${JSON.stringify(state)}`);
    }
    if (state === 'resolved' && (resolution === undefined || resolution === null)) {
      invalidRequest('"resolution" is required when "state" is "resolved".');
    }
    if (resolution !== undefined && resolution !== null) {
      if (!str(resolution) || !SETTABLE_RESOLUTIONS.includes(resolution)) {
        invalidRequest(`Value is not one of ${JSON.stringify(SETTABLE_RESOLUTIONS)} for "resolution".`);
      }
      if (state !== 'resolved') invalidRequest('"resolution" can only be set when "state" is "resolved".');
    }
    if (comment !== undefined && comment !== null && (!str(comment) || comment.length > 280)) {
      invalidRequest('"resolution_comment" must be a string of at most 280 characters.');
    }
    writeLog.push({ method: req.method, path: req.path, body, at: now().toISOString() });

    const at = isoSeconds(now());
    const before = alert.state;
    if (state === 'resolved') {
      alert.state = 'resolved';
      alert.resolution = resolution as string;
      alert.resolvedAt = at;
      alert.resolvedBy = botLogin;
      alert.resolutionComment = str(comment) ? comment : null;
    } else if (state === 'open') {
      alert.state = 'open';
      alert.resolution = null;
      alert.resolvedAt = null;
      alert.resolvedBy = null;
      alert.resolutionComment = null;
    }
    alert.updatedAt = at;
    const apiBase = apiBaseOf(req);
    if (deliverAlertUpdates && state !== undefined && state !== before) {
      const action = state === 'resolved' ? 'resolved' : 'reopened';
      background(
        deliver('secret_scanning_alert', alertPayload(apiBase, repo, alert, action, botLogin), repo),
      );
    }
    return json(200, restAlert(apiBase, repo, alert, false));
  }

  /**
   * Control: what GitHub learns about an alert after it was created — `validated` (its validity
   * check ran: `"validity": "active" | "inactive" | "unknown"`) or `publicly_leaked` (the secret was
   * also found in a public place). Updates the alert and delivers the webhook GitHub would send.
   */
  async function alertEvent(req: HttpRequest, repo: Repository, number: string): Promise<HttpResponse> {
    const alert = findAlert(repo, number);
    const body = parseBody(req);
    if (body.action === 'validated') {
      if (body.validity !== 'active' && body.validity !== 'inactive' && body.validity !== 'unknown')
        throw new HttpError(400, '"validity" must be "active", "inactive" or "unknown"');
      alert.validity = body.validity;
    } else if (body.action === 'publicly_leaked') {
      alert.publiclyLeaked = true;
    } else {
      throw new HttpError(400, '"action" must be "validated" or "publicly_leaked"');
    }
    alert.updatedAt = isoSeconds(now());
    const delivery = await deliver(
      'secret_scanning_alert',
      alertPayload(apiBaseOf(req), repo, alert, body.action, 'github'),
      repo,
    );
    return deliveryAnswer(delivery, { alert: { number: alert.number, new: false } });
  }

  function invalidRequest(detail: string): never {
    throw invalid(`Invalid request.\n\n${detail}`);
  }

  function listAlerts(req: HttpRequest, repo: Repository): HttpResponse {
    const state = req.query.get('state');
    const types = req.query.get('secret_type')?.split(',');
    const all = (alerts.get(repo.id) ?? [])
      .filter((a) => (state ? a.state === state : true) && (types ? types.includes(a.secretType) : true))
      .sort((a, b) => b.number - a.number);
    const { page, perPage } = pageParams(req.query, 30, 100);
    const hide = req.query.get('hide_secret') === 'true';
    return json(
      200,
      all.slice((page - 1) * perPage, page * perPage).map((a) => restAlert(apiBaseOf(req), repo, a, hide)),
      linkHeader(`${origin(req)}${req.path}`, req.query, page, perPage, all.length),
    );
  }

  /** `GET /orgs/{org}/secret-scanning/alerts`: every repository's alerts, newest first, each with its `repository`. */
  function listOrgAlerts(req: HttpRequest, org: string): HttpResponse {
    const state = req.query.get('state');
    const types = req.query.get('secret_type')?.split(',');
    const apiBase = apiBaseOf(req);
    const all = [...alertRepos.values()]
      .filter((repo) => repo.owner.toLowerCase() === org.toLowerCase())
      .flatMap((repo) => (alerts.get(repo.id) ?? []).map((alert) => ({ repo, alert })))
      .filter(
        ({ alert }) =>
          (state ? alert.state === state : true) && (types ? types.includes(alert.secretType) : true),
      )
      .sort((a, b) =>
        a.alert.createdAt < b.alert.createdAt
          ? 1
          : a.alert.createdAt > b.alert.createdAt
            ? -1
            : b.repo.id - a.repo.id || b.alert.number - a.alert.number,
      );
    const { page, perPage } = pageParams(req.query, 30, 100);
    const hide = req.query.get('hide_secret') === 'true';
    return json(
      200,
      all.slice((page - 1) * perPage, page * perPage).map(({ repo, alert }) => ({
        ...restAlert(apiBase, repo, alert, hide),
        repository: repositoryObject(apiBase, repo, 'rest'),
      })),
      linkHeader(`${origin(req)}${req.path}`, req.query, page, perPage, all.length),
    );
  }

  function listLocations(req: HttpRequest, repo: Repository, alert: Alert): HttpResponse {
    const { page, perPage } = pageParams(req.query, 30, 100);
    const apiBase = apiBaseOf(req);
    return json(
      200,
      alert.locations
        .slice((page - 1) * perPage, page * perPage)
        .map((l) => locationObject(apiBase, repo, l)),
      linkHeader(`${origin(req)}${req.path}`, req.query, page, perPage, alert.locations.length),
    );
  }

  // ---- check runs ----------------------------------------------------------------------------

  function checkRunObject(apiBase: string, repo: Repository, run: CheckRun) {
    const urls = new RepoUrls(apiBase, repo);
    return {
      id: run.id,
      name: run.name,
      node_id: nodeId('CheckRun', run.id),
      head_sha: run.headSha,
      external_id: run.externalId ?? '',
      url: `${urls.api}/check-runs/${run.id}`,
      html_url: `${urls.html}/runs/${run.id}`,
      details_url: run.detailsUrl ?? `${urls.html}/runs/${run.id}`,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: {
        ...run.output,
        annotations_count: run.annotations,
        annotations_url: `${urls.api}/check-runs/${run.id}/annotations`,
      },
      check_suite: { id: 8_000_000_000 + run.id },
      app: {
        id: APP.id,
        slug: APP.slug,
        node_id: nodeId('App', APP.id),
        name: APP.name,
        owner: userObject(apiBase, repo.owner, repo.ownerId, 'Organization'),
        description: 'Leaked-credential response',
        external_url: 'https://github.com/apps/leakstop',
        html_url: 'https://github.com/apps/leakstop',
        created_at: repo.createdAt,
        updated_at: repo.createdAt,
        permissions: { checks: 'write', contents: 'read', metadata: 'read', secret_scanning_alerts: 'write' },
        events: ['push', 'secret_scanning_alert', 'secret_scanning_alert_location'],
      },
      pull_requests: [],
    };
  }

  function applyCheckRunFields(run: CheckRun, body: Record<string, unknown>, creating: boolean): void {
    const { name, status, conclusion, output, details_url: detailsUrl, external_id: externalId } = body;
    if (name !== undefined && (!str(name) || name.length === 0))
      invalidRequest('"name" must be a non-empty string.');
    if (status !== undefined && (!str(status) || !CHECK_STATUSES.includes(status))) {
      invalidRequest(`Value is not one of ${JSON.stringify(CHECK_STATUSES)} for "status".`);
    }
    if (
      conclusion !== undefined &&
      conclusion !== null &&
      (!str(conclusion) || !CHECK_CONCLUSIONS.includes(conclusion))
    ) {
      invalidRequest(`Value is not one of ${JSON.stringify(CHECK_CONCLUSIONS)} for "conclusion".`);
    }
    if (
      status === 'completed' &&
      (conclusion === undefined || conclusion === null) &&
      run.conclusion === null
    ) {
      invalidRequest('"conclusion" is required when "status" is "completed".');
    }
    let parsedOutput: CheckRun['output'] | undefined;
    let annotations = 0;
    if (output !== undefined) {
      const o = output as { title?: unknown; summary?: unknown; text?: unknown } | null;
      if (typeof o !== 'object' || o === null || !str(o.title) || !str(o.summary)) {
        invalidRequest('"output" requires "title" and "summary".');
      }
      if (o.summary.length > 65_535 || (o.text !== undefined && (!str(o.text) || o.text.length > 65_535))) {
        invalidRequest('"output.summary" and "output.text" must be strings of at most 65535 characters.');
      }
      parsedOutput = { title: o.title, summary: o.summary, text: str(o.text) ? o.text : null };
      annotations = parseAnnotations((output as { annotations?: unknown }).annotations);
    }
    if (str(name)) run.name = name;
    if (parsedOutput) run.output = parsedOutput;
    run.annotations += annotations;
    if (str(detailsUrl)) run.detailsUrl = detailsUrl;
    if (str(externalId)) run.externalId = externalId;
    if (str(conclusion)) {
      run.conclusion = conclusion;
      run.status = 'completed';
      run.completedAt = str(body.completed_at) ? body.completed_at : isoSeconds(now());
    } else if (str(status)) {
      run.status = status;
    } else if (creating) {
      run.status = 'queued';
    }
  }

  function createCheckRun(req: HttpRequest, repo: Repository): HttpResponse {
    const body = parseBody(req);
    if (!str(body.name)) invalidRequest('"name" wasn\'t supplied.');
    if (!str(body.head_sha)) invalidRequest('"head_sha" wasn\'t supplied.');
    const commit = git.resolve(repo, body.head_sha);
    if (!commit) throw invalid(`No commit found for SHA: ${body.head_sha}`);
    const run: CheckRun = {
      id: nextCheckRunId++,
      headSha: commit.sha,
      name: body.name,
      status: 'queued',
      conclusion: null,
      startedAt: str(body.started_at) ? body.started_at : isoSeconds(now()),
      completedAt: null,
      output: { title: null, summary: null, text: null },
      detailsUrl: null,
      externalId: null,
      annotations: 0,
    };
    applyCheckRunFields(run, body, true);
    checkRuns.set(run.id, run);
    writeLog.push({ method: req.method, path: req.path, body, at: now().toISOString() });
    return json(201, checkRunObject(apiBaseOf(req), repo, run));
  }

  function findCheckRun(id: string): CheckRun {
    const run = /^\d+$/.test(id) ? checkRuns.get(Number(id)) : undefined;
    if (!run) throw notFound();
    return run;
  }

  // ---- routing -------------------------------------------------------------------------------

  async function route(req: HttpRequest, segs: string[]): Promise<HttpResponse> {
    const method = req.method.toUpperCase();
    const credentialsAnswer = await options.credentials?.handle(req, segs);
    if (credentialsAnswer) return credentialsAnswer;
    const [head, ...rest] = segs;
    if (head === 'writes' && rest.length === 0 && method === 'GET') return json(200, { writes: writeLog });
    if (head === 'requests' && rest.length === 0 && method === 'GET')
      return json(200, { requests: requestLog });
    if (head === 'deliveries' && rest.length === 0 && method === 'GET')
      return json(200, { deliveries: deliveryLog });
    if (
      head === 'app' &&
      rest[0] === 'installations' &&
      rest[2] === 'access_tokens' &&
      rest.length === 3 &&
      method === 'POST'
    ) {
      requireAppJwt(req);
      if (rest[1] !== String(installationId)) throw notFound();
      const issued = tokens.issue(installationId);
      return json(201, {
        token: issued.token,
        expires_at: isoSeconds(issued.expiresAt),
        permissions: APP_PERMISSIONS,
        repository_selection: 'all',
      });
    }
    if (head === 'orgs' && rest.length === 2 && rest[1] === 'installation' && method === 'GET') {
      requireAppJwt(req);
      const org = rest[0]!;
      // The App is installed on every owner the sandbox holds repositories of (pushed or alerted).
      const known = git.reposOf(org)[0];
      if (!known) throw notFound();
      return json(200, {
        id: installationId,
        account: userObject(apiBaseOf(req), known.owner, known.ownerId, 'Organization'),
        app_id: APP.id,
        app_slug: APP.slug,
        target_id: known.ownerId,
        target_type: 'Organization',
        repository_selection: 'all',
        permissions: APP_PERMISSIONS,
        events: ['push', 'secret_scanning_alert', 'secret_scanning_alert_location'],
      });
    }
    if (
      head === 'orgs' &&
      rest.length === 3 &&
      rest[1] === 'secret-scanning' &&
      rest[2] === 'alerts' &&
      method === 'GET'
    ) {
      // Organisation alerts are never public: GitHub requires an org admin's or an App installation's token.
      if (tokens.check(req.headers.authorization) !== 'installation')
        throw new HttpError(401, 'Requires authentication');
      return listOrgAlerts(req, rest[0]!);
    }
    if (head !== 'repos' || rest.length < 2) throw notFound();
    const [owner, name, resource, ...tail] = rest as [string, string, string | undefined, ...string[]];

    // Control endpoints (not GitHub's API): they create what GitHub would have, and deliver its webhooks.
    if (resource === 'pushes' && tail.length === 0 && method === 'POST') return push(req, owner, name);
    if (resource === 'secret-scanning' && tail[0] === 'alerts' && tail.length === 1 && method === 'POST') {
      return createAlert(req, owner, name);
    }
    if (resource === 'secret-scanning' && tail[0] === 'alerts' && tail[2] === 'events' && tail.length === 3) {
      if (method === 'POST') return alertEvent(req, requireRepo(owner, name), tail[1]!);
    }

    const repo = requireRepo(owner, name);
    const apiBase = apiBaseOf(req);
    if (resource === 'installation' && tail.length === 0 && method === 'GET') {
      requireAppJwt(req);
      return json(200, {
        id: installationId,
        account: userObject(apiBase, repo.owner, repo.ownerId, 'Organization'),
        app_id: APP.id,
        app_slug: APP.slug,
        target_id: repo.ownerId,
        target_type: 'Organization',
        repository_selection: 'all',
        permissions: APP_PERMISSIONS,
        events: ['push', 'secret_scanning_alert', 'secret_scanning_alert_location'],
      });
    }
    // Public repositories read anonymously; a token, when sent, must be a live installation token.
    const caller = tokens.check(req.headers.authorization);
    if (caller === 'invalid') throw new HttpError(401, 'Bad credentials');
    const requireInstallation = () => {
      if (caller !== 'installation') throw new HttpError(401, 'Requires authentication');
    };
    if (resource === undefined && method === 'GET') return json(200, repositoryObject(apiBase, repo, 'rest'));
    if (method === 'GET' && resource === 'commits' && tail.length === 0) return listCommits(req, repo);
    if (method === 'GET' && resource === 'compare' && tail.length > 0)
      return compare(req, repo, tail.join('/'));
    if (method === 'GET' && resource === 'commits' && tail.length > 0)
      return getCommit(req, repo, tail.join('/'));
    if (method === 'GET' && resource === 'git' && tail[0] === 'blobs' && tail.length === 2)
      return getBlob(req, repo, tail[1]!);
    if (method === 'GET' && resource === 'contents' && tail.length > 0)
      return getContents(req, repo, tail.join('/'));
    if (resource === 'secret-scanning' || resource === 'check-runs') requireInstallation();
    if (resource === 'secret-scanning' && tail[0] === 'alerts') {
      if (tail.length === 1 && method === 'GET') return listAlerts(req, repo);
      if (tail.length === 2) {
        const alert = findAlert(repo, tail[1]!);
        if (method === 'GET')
          return json(200, restAlert(apiBase, repo, alert, req.query.get('hide_secret') === 'true'));
        if (method === 'PATCH') return updateAlert(req, repo, alert);
      }
      if (tail.length === 3 && tail[2] === 'locations' && method === 'GET') {
        return listLocations(req, repo, findAlert(repo, tail[1]!));
      }
    }
    if (resource === 'check-runs') {
      if (tail.length === 0 && method === 'POST') return createCheckRun(req, repo);
      if (tail.length === 1) {
        const run = findCheckRun(tail[0]!);
        if (method === 'GET') return json(200, checkRunObject(apiBase, repo, run));
        if (method === 'PATCH') {
          const body = parseBody(req);
          applyCheckRunFields(run, body, false);
          writeLog.push({ method: req.method, path: req.path, body, at: now().toISOString() });
          return json(200, checkRunObject(apiBase, repo, run));
        }
      }
    }
    throw notFound();
  }

  async function handle(req: HttpRequest): Promise<HttpResponse | undefined> {
    if (req.path !== PREFIX && !req.path.startsWith(`${PREFIX}/`)) return undefined;
    let response: HttpResponse;
    try {
      let segs: string[];
      try {
        segs = req.path
          .slice(PREFIX.length + 1)
          .split('/')
          .filter((s) => s.length > 0)
          .map(decodeURIComponent);
      } catch {
        throw notFound();
      }
      response = await route(req, segs);
    } catch (error) {
      if (error instanceof HttpError) response = errorResponse(error);
      // Unexpected: answer without echoing anything from the request (it may hold a credential).
      else
        response = json(500, { message: 'Server Error (sandbox)', documentation_url: DOCS, status: '500' });
    }
    requestLog.push({
      method: req.method.toUpperCase(),
      path: req.path,
      query: req.query.toString(),
      status: response.status,
      at: now().toISOString(),
    });
    return response;
  }

  return {
    handle,
    requests: () => [...requestLog],
    writes: () => [...writeLog],
    deliveries: () => [...deliveryLog],
    async redeliver(deliveryId: string) {
      const original = deliveryLog.find((d) => d.id === deliveryId);
      if (!original) throw new Error(`no delivery ${deliveryId}`);
      const targetId = Number(original.headers['x-github-hook-installation-target-id']);
      const delivery = await deliverWebhook({
        url: options.webhookUrl(),
        secret: options.webhookSecret(),
        event: original.event,
        body: original.body,
        hook: { hookId, userAgent, targetId },
        deliveryId: original.id,
        at: now(),
      });
      deliveryLog.push(delivery);
      return delivery;
    },
    branchHead(owner: string, name: string, branch?: string) {
      const repo = git.repo(owner, name);
      return repo?.branches.get(branch ?? repo.defaultBranch);
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    app: { id: app.id, slug: app.slug, privateKey: app.privateKey },
    issuedTokens: () => tokens.issued(),
  };
}

function requireAppJwt(req: HttpRequest): void {
  const problem = jwtProblem(req.headers.authorization);
  if (problem) throw new HttpError(401, problem);
}

const ANNOTATION_LEVELS = ['notice', 'warning', 'failure'];

/** Check-run annotations as GitHub validates them: at most 50 per request, each with path, lines, level, message. */
function parseAnnotations(value: unknown): number {
  if (value === undefined) return 0;
  if (!Array.isArray(value) || value.length > 50)
    throw invalid('Invalid request.\n\n"output.annotations" must be an array of at most 50 annotations.');
  value.forEach((raw: unknown, i: number) => {
    const a = raw as Record<string, unknown> | null;
    if (
      typeof a !== 'object' ||
      a === null ||
      !str(a.path) ||
      !Number.isInteger(a.start_line) ||
      !Number.isInteger(a.end_line) ||
      !str(a.annotation_level) ||
      !ANNOTATION_LEVELS.includes(a.annotation_level) ||
      !str(a.message)
    )
      throw invalid(
        `Invalid request.\n\noutput.annotations[${i}] requires "path", "start_line", "end_line", "annotation_level" (notice, warning, failure) and "message".`,
      );
  });
  return value.length;
}
