/**
 * GitHub's JSON shapes (REST objects and webhook payloads) built from the in-memory git model.
 * Field sets follow GitHub's REST reference and octokit's webhook schemas; fields leakstop never
 * reads are kept where cheap so that adapters see realistic objects.
 */
import type { Commit, FileChange, Person, Repository } from './git-model.ts';

export const HTML_BASE = 'https://github.com';
export const DOCS = 'https://docs.github.com/rest';

/** GitHub's legacy global node ids: base64 of `<len>:<Type><id>`. */
export function nodeId(type: string, id: number | string): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString('base64');
}

const enc = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

/** URL builder for one repository, with REST URLs under the sandbox's API base. */
export class RepoUrls {
  readonly api: string;
  readonly html: string;
  constructor(
    readonly apiBase: string,
    repo: Repository,
  ) {
    this.api = `${apiBase}/repos/${repo.owner}/${repo.name}`;
    this.html = `${HTML_BASE}/${repo.owner}/${repo.name}`;
  }
  commitApi = (sha: string): string => `${this.api}/commits/${sha}`;
  commitHtml = (sha: string): string => `${this.html}/commit/${sha}`;
  blobApi = (sha: string): string => `${this.api}/git/blobs/${sha}`;
  fileBlobHtml = (sha: string, path: string): string => `${this.html}/blob/${sha}/${enc(path)}`;
  fileRaw = (sha: string, path: string): string => `${this.html}/raw/${sha}/${enc(path)}`;
  contents = (sha: string, path: string): string => `${this.api}/contents/${enc(path)}?ref=${sha}`;
}

export function userObject(
  apiBase: string,
  login: string,
  id: number,
  type: 'User' | 'Organization' | 'Bot' = 'User',
) {
  return {
    login,
    id,
    node_id: nodeId(type === 'Organization' ? 'Organization' : type === 'Bot' ? 'Bot' : 'User', id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url: `${apiBase}/users/${encodeURIComponent(login)}`,
    html_url: `${HTML_BASE}/${encodeURIComponent(login)}`,
    followers_url: `${apiBase}/users/${login}/followers`,
    following_url: `${apiBase}/users/${login}/following{/other_user}`,
    gists_url: `${apiBase}/users/${login}/gists{/gist_id}`,
    starred_url: `${apiBase}/users/${login}/starred{/owner}{/repo}`,
    subscriptions_url: `${apiBase}/users/${login}/subscriptions`,
    organizations_url: `${apiBase}/users/${login}/orgs`,
    repos_url: `${apiBase}/users/${login}/repos`,
    events_url: `${apiBase}/users/${login}/events{/privacy}`,
    received_events_url: `${apiBase}/users/${login}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** Stable numeric id for a login, so the same person always has the same id. */
export function userId(login: string): number {
  let hash = 0;
  for (const char of login.toLowerCase()) hash = (hash * 31 + char.charCodeAt(0)) % 50_000_000;
  return 10_000_000 + hash;
}

/**
 * The repository object. Push webhooks carry `created_at`/`pushed_at` as Unix seconds and an
 * owner with `name`/`email`; every other event and the REST API use ISO strings.
 */
export function repositoryObject(apiBase: string, repo: Repository, flavour: 'rest' | 'push' | 'webhook') {
  const urls = new RepoUrls(apiBase, repo);
  const owner = userObject(apiBase, repo.owner, repo.ownerId, 'Organization');
  const api = urls.api;
  const unix = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: `${repo.owner}/${repo.name}`,
    private: false,
    owner: flavour === 'push' ? { name: repo.owner, email: null, ...owner } : owner,
    html_url: urls.html,
    description: null,
    fork: false,
    url: flavour === 'push' ? urls.html : api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: flavour === 'push' ? unix(repo.createdAt) : repo.createdAt,
    updated_at: repo.pushedAt,
    pushed_at: flavour === 'push' ? unix(repo.pushedAt) : repo.pushedAt,
    git_url: `git://github.com/${repo.owner}/${repo.name}.git`,
    ssh_url: `git@github.com:${repo.owner}/${repo.name}.git`,
    clone_url: `${urls.html}.git`,
    svn_url: urls.html,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: true,
    has_downloads: true,
    has_wiki: true,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: 0,
    license: null,
    allow_forking: true,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: 'public',
    forks: 0,
    open_issues: 0,
    watchers: 0,
    default_branch: repo.defaultBranch,
    ...(flavour === 'push'
      ? { stargazers: 0, master_branch: repo.defaultBranch, organization: repo.owner }
      : {}),
  };
}

export function organizationObject(apiBase: string, repo: Repository) {
  const url = `${apiBase}/orgs/${repo.owner}`;
  return {
    login: repo.owner,
    id: repo.ownerId,
    node_id: nodeId('Organization', repo.ownerId),
    url,
    repos_url: `${url}/repos`,
    events_url: `${url}/events`,
    hooks_url: `${url}/hooks`,
    issues_url: `${url}/issues`,
    members_url: `${url}/members{/member}`,
    public_members_url: `${url}/public_members{/member}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${repo.ownerId}?v=4`,
    description: null,
  };
}

function gitPerson(person: Person, date: string) {
  return { name: person.name, email: person.email, date };
}

/** A commit as the REST API lists it (compare `commits[]`, `GET /commits/{ref}` without files). */
export function restCommit(apiBase: string, repo: Repository, commit: Commit) {
  const urls = new RepoUrls(apiBase, repo);
  const account = (person: Person) =>
    person.username ? userObject(apiBase, person.username, userId(person.username)) : null;
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', `${repo.id}:${commit.sha}`),
    commit: {
      author: gitPerson(commit.author, commit.timestamp),
      committer: gitPerson(commit.committer, commit.timestamp),
      message: commit.message,
      tree: { sha: commit.treeSha, url: `${urls.api}/git/trees/${commit.treeSha}` },
      url: `${urls.api}/git/commits/${commit.sha}`,
      comment_count: 0,
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    },
    url: urls.commitApi(commit.sha),
    html_url: urls.commitHtml(commit.sha),
    comments_url: `${urls.commitApi(commit.sha)}/comments`,
    author: account(commit.author),
    committer: account(commit.committer),
    parents: commit.parents.map((sha) => ({ sha, url: urls.commitApi(sha), html_url: urls.commitHtml(sha) })),
  };
}

/** A `files[]` entry; `ref` is the commit the blob/raw URLs point into (the base for removed files). */
export function fileObject(
  apiBase: string,
  repo: Repository,
  change: FileChange,
  headSha: string,
  baseSha: string,
) {
  const urls = new RepoUrls(apiBase, repo);
  const ref = change.status === 'removed' ? baseSha : headSha;
  return {
    sha: change.sha,
    filename: change.filename,
    status: change.status,
    additions: change.additions,
    deletions: change.deletions,
    changes: change.additions + change.deletions,
    blob_url: urls.fileBlobHtml(ref, change.filename),
    raw_url: urls.fileRaw(ref, change.filename),
    contents_url: urls.contents(ref, change.filename),
    ...(change.patch !== undefined ? { patch: change.patch } : {}),
    ...(change.previousFilename !== undefined ? { previous_filename: change.previousFilename } : {}),
  };
}

/** A commit as listed in a push webhook's `commits[]` / `head_commit`. */
export function pushCommit(
  repo: Repository,
  commit: Commit,
  paths: { added: string[]; removed: string[]; modified: string[] },
) {
  const who = (person: Person) => ({
    name: person.name,
    email: person.email,
    ...(person.username ? { username: person.username } : {}),
  });
  return {
    id: commit.sha,
    tree_id: commit.treeSha,
    distinct: true,
    message: commit.message,
    timestamp: commit.timestamp,
    url: `${HTML_BASE}/${repo.owner}/${repo.name}/commit/${commit.sha}`,
    author: who(commit.author),
    committer: who(commit.committer),
    added: paths.added,
    removed: paths.removed,
    modified: paths.modified,
  };
}

/** Paths a commit added/removed/modified relative to its first parent (renames are removed + added). */
export function pathChanges(
  before: ReadonlyMap<string, string> | undefined,
  after: ReadonlyMap<string, string>,
): { added: string[]; removed: string[]; modified: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  const modified: string[] = [];
  for (const [path, sha] of after) {
    const old = before?.get(path);
    if (old === undefined) added.push(path);
    else if (old !== sha) modified.push(path);
  }
  for (const path of before?.keys() ?? []) if (!after.has(path)) removed.push(path);
  return { added: added.sort(), removed: removed.sort(), modified: modified.sort() };
}

/** base64 with a newline every 60 characters and a trailing newline, as the blobs API returns it. */
export function githubBase64(content: string): string {
  const encoded = Buffer.from(content, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 60) lines.push(encoded.slice(i, i + 60));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

const SECRET_TYPE_NAMES: Readonly<Record<string, string>> = {
  aws_access_key_id: 'AWS Access Key ID',
  aws_secret_access_key: 'AWS Secret Access Key',
  github_personal_access_token: 'GitHub Personal Access Token',
  github_fine_grained_personal_access_token: 'GitHub Fine-Grained Personal Access Token',
  github_oauth_access_token: 'GitHub OAuth Access Token',
  github_app_installation_access_token: 'GitHub App Installation Access Token',
  github_refresh_token: 'GitHub Refresh Token',
  slack_api_token: 'Slack API Token',
  slack_incoming_webhook_url: 'Slack Incoming Webhook URL',
  slack_workflow_webhook_url: 'Slack Workflow Webhook URL',
  stripe_api_key: 'Stripe API Key',
  openai_api_key: 'OpenAI API Key',
  google_api_key: 'Google API Key',
  npm_access_token: 'npm Access Token',
};

export function secretTypeDisplayName(type: string): string {
  return (
    SECRET_TYPE_NAMES[type] ??
    type
      .split('_')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' ')
  );
}
