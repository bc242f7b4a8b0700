/**
 * A small in-memory git: repositories with branches, immutable commits carrying their full file
 * tree, and content-addressed blobs. Blob SHAs are real git blob ids; commit and tree SHAs are
 * SHA-1s over their content (not git's object encoding, but stable and well-formed).
 * Everything stays in memory: the trees hold planted credentials.
 */
import { createHash } from 'node:crypto';
import { diffLines } from './diff.ts';

export const ZERO_SHA = '0'.repeat(40);

export interface Person {
  readonly name: string;
  readonly email: string;
  readonly username?: string;
}

export interface Blob {
  readonly sha: string;
  readonly content: string;
  /** Size in bytes (UTF-8). */
  readonly size: number;
}

export interface Commit {
  readonly sha: string;
  readonly treeSha: string;
  /** path → blob sha */
  readonly tree: ReadonlyMap<string, string>;
  readonly parents: readonly string[];
  readonly message: string;
  readonly author: Person;
  readonly committer: Person;
  /** ISO 8601, seconds precision, UTC. */
  readonly timestamp: string;
  /** Creation order; parents always have a lower seq. */
  readonly seq: number;
}

export interface Repository {
  readonly id: number;
  readonly owner: string;
  readonly ownerId: number;
  readonly name: string;
  defaultBranch: string;
  readonly createdAt: string;
  pushedAt: string;
  readonly branches: Map<string, string>;
  /** Lightweight tags: name → commit sha. */
  readonly tags: Map<string, string>;
  readonly commits: Map<string, Commit>;
  readonly blobs: Map<string, Blob>;
}

export type FileStatus = 'added' | 'modified' | 'removed' | 'renamed';

export interface FileChange {
  readonly filename: string;
  readonly previousFilename?: string;
  readonly status: FileStatus;
  /** Blob sha of the new content (of the old content for a removed file). */
  readonly sha: string;
  readonly additions: number;
  readonly deletions: number;
  /** Absent for binary files and for files larger than the patch limit, as on GitHub. */
  readonly patch?: string;
}

export const sha1 = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex');

export function blobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

const isBinary = (content: string): boolean => content.includes('\0');

export class GitModel {
  private readonly repos = new Map<string, Repository>();
  private seq = 0;
  private nextRepoId = 708_000_001;
  private readonly ownerIds = new Map<string, number>();
  private readonly diffCache = new Map<string, FileChange[]>();

  constructor(private readonly maxPatchBytes: number) {}

  repo(owner: string, name: string): Repository | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  /** The repositories of one owner (user or organisation), in creation order. */
  reposOf(owner: string): Repository[] {
    const key = owner.toLowerCase();
    return [...this.repos.values()].filter((r) => r.owner.toLowerCase() === key);
  }

  ensureRepo(owner: string, name: string, now: Date): { repo: Repository; created: boolean } {
    const existing = this.repo(owner, name);
    if (existing) return { repo: existing, created: false };
    let ownerId = this.ownerIds.get(owner.toLowerCase());
    if (ownerId === undefined) {
      ownerId = 90_000_001 + this.ownerIds.size;
      this.ownerIds.set(owner.toLowerCase(), ownerId);
    }
    const at = isoSeconds(now);
    const repo: Repository = {
      id: this.nextRepoId++,
      owner,
      ownerId,
      name,
      defaultBranch: 'main',
      createdAt: at,
      pushedAt: at,
      branches: new Map(),
      tags: new Map(),
      commits: new Map(),
      blobs: new Map(),
    };
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return { repo, created: true };
  }

  /** Applies one commit on top of `parent` (or as a root commit); `null` content deletes a path. */
  commit(
    repo: Repository,
    parent: string | undefined,
    change: { message: string; files: Readonly<Record<string, string | null>>; author: Person },
    now: Date,
  ): Commit {
    const base = parent ? repo.commits.get(parent) : undefined;
    const tree = new Map(base?.tree ?? []);
    for (const [path, content] of Object.entries(change.files)) {
      if (content === null) {
        tree.delete(path);
        continue;
      }
      const sha = blobSha(content);
      if (!repo.blobs.has(sha))
        repo.blobs.set(sha, { sha, content, size: Buffer.byteLength(content, 'utf8') });
      tree.set(path, sha);
    }
    const sorted = [...tree.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const treeSha = sha1(`tree\n${sorted.map(([p, s]) => `${s} ${p}`).join('\n')}`);
    const timestamp = isoSeconds(now);
    const seq = ++this.seq;
    const person = `${change.author.name} <${change.author.email}> ${timestamp}`;
    // seq keeps two otherwise identical commits (same tree, parent, message, second) distinct.
    const sha = sha1(
      `commit\ntree ${treeSha}\n${parent ? `parent ${parent}\n` : ''}author ${person}\ncommitter ${person}\nsandbox-seq ${seq}\n\n${change.message}`,
    );
    const commit: Commit = {
      sha,
      treeSha,
      tree,
      parents: parent ? [parent] : [],
      message: change.message,
      author: change.author,
      committer: change.author,
      timestamp,
      seq,
    };
    repo.commits.set(sha, commit);
    return commit;
  }

  /** A full or abbreviated (≥ 7) sha, a branch or tag name, or `refs/heads/<branch>` / `refs/tags/<tag>`. */
  resolve(repo: Repository, ref: string): Commit | undefined {
    const branch = repo.branches.get(ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref);
    if (branch) return repo.commits.get(branch);
    const tag = repo.tags.get(ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : ref);
    if (tag) return repo.commits.get(tag);
    if (/^[0-9a-f]{40}$/i.test(ref)) return repo.commits.get(ref.toLowerCase());
    if (/^[0-9a-f]{7,39}$/i.test(ref)) {
      const matches = [...repo.commits.keys()].filter((sha) => sha.startsWith(ref.toLowerCase()));
      return matches.length === 1 ? repo.commits.get(matches[0]!) : undefined;
    }
    return undefined;
  }

  ancestors(repo: Repository, sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(repo.commits.get(next)?.parents ?? []));
    }
    return seen;
  }

  blob(repo: Repository, sha: string): Blob | undefined {
    return repo.blobs.get(sha.toLowerCase());
  }

  content(repo: Repository, blob: string): string {
    return repo.blobs.get(blob)?.content ?? '';
  }

  /** The changes from `base` (undefined = empty tree) to `head`, sorted by path like GitHub. */
  diff(repo: Repository, base: Commit | undefined, head: Commit): FileChange[] {
    const cacheKey = `${repo.id}:${base?.sha ?? ZERO_SHA}:${head.sha}`;
    const cached = this.diffCache.get(cacheKey);
    if (cached) return cached;
    const before = base?.tree ?? new Map<string, string>();
    const after = head.tree;
    const added: string[] = [];
    const removed: string[] = [];
    const modified: string[] = [];
    for (const [path, sha] of after) {
      const old = before.get(path);
      if (old === undefined) added.push(path);
      else if (old !== sha) modified.push(path);
    }
    for (const path of before.keys()) if (!after.has(path)) removed.push(path);

    // Exact renames: a removed path whose blob reappears under an added path.
    const renames = new Map<string, string>();
    const removedByBlob = new Map<string, string[]>();
    for (const path of removed) {
      const sha = before.get(path)!;
      removedByBlob.set(sha, [...(removedByBlob.get(sha) ?? []), path]);
    }
    for (const path of added) {
      const from = removedByBlob.get(after.get(path)!)?.shift();
      if (from !== undefined) renames.set(path, from);
    }
    const renamedFrom = new Set(renames.values());

    const changes: FileChange[] = [];
    for (const path of added) {
      const sha = after.get(path)!;
      const from = renames.get(path);
      if (from !== undefined) {
        changes.push({
          filename: path,
          previousFilename: from,
          status: 'renamed',
          sha,
          additions: 0,
          deletions: 0,
        });
      } else {
        changes.push(this.fileChange(repo, path, 'added', sha, '', this.content(repo, sha)));
      }
    }
    for (const path of modified) {
      const sha = after.get(path)!;
      changes.push(
        this.fileChange(
          repo,
          path,
          'modified',
          sha,
          this.content(repo, before.get(path)!),
          this.content(repo, sha),
        ),
      );
    }
    for (const path of removed) {
      if (renamedFrom.has(path)) continue;
      const sha = before.get(path)!;
      changes.push(this.fileChange(repo, path, 'removed', sha, this.content(repo, sha), ''));
    }
    changes.sort((a, b) => (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0));
    this.diffCache.set(cacheKey, changes);
    return changes;
  }

  private fileChange(
    _repo: Repository,
    filename: string,
    status: FileStatus,
    sha: string,
    oldContent: string,
    newContent: string,
  ): FileChange {
    if (isBinary(oldContent) || isBinary(newContent)) {
      return { filename, status, sha, additions: 0, deletions: 0 };
    }
    const { patch, additions, deletions } = diffLines(oldContent, newContent);
    const tooLarge =
      Buffer.byteLength(oldContent, 'utf8') > this.maxPatchBytes ||
      Buffer.byteLength(newContent, 'utf8') > this.maxPatchBytes;
    if (tooLarge || patch === '') return { filename, status, sha, additions, deletions };
    return { filename, status, sha, additions, deletions, patch };
  }
}

export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
