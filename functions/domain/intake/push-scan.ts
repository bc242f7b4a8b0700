/**
 * A push job: read each commit's changed files through the SourceHost port, apply the file policy,
 * run the detection engine, record each credential. Work per job stays bounded: a commit with more
 * than one page of files has its other pages split into their own jobs, and once a job has read
 * FILES_PER_JOB files its remaining commits go back to the queue as a new job. A commit is entered
 * in the scan ledger only after all its findings were recorded (and its other pages scheduled), so a
 * crash rescans it — recording is idempotent — and a commit seen before is not read again.
 */
import type { Finding, Scanner } from '../detection/types.ts';
import { MAX_COMMIT_FILE_PAGES, withoutDeferrals, type PushScanJob, type ScanJob } from '../jobs.ts';
import type { ChangedFile, Queue, ScanLedger, SourceHost } from '../ports.ts';
import { decideFile, keepFinding, MAX_BLOB_BYTES, type SkipReason } from './file-policy.ts';
import { recordDetection, type DetectionDeps, type DetectedCredential } from './record-detection.ts';

/** About one page of files: a job reads at most this many before handing its other commits on. */
export const FILES_PER_JOB = 300;
/** Blob reads in flight at once for one page of files (GitHub asks integrations not to hammer it in parallel). */
const BLOB_CONCURRENCY = 4;

export interface PushScanDeps extends DetectionDeps {
  readonly source: SourceHost;
  readonly scanner: Scanner;
  readonly ledger: ScanLedger;
  /** The scan-jobs queue, for the pages and commits this job hands on. */
  readonly scanJobs: Queue<ScanJob>;
}

export interface PushScanOutcome {
  readonly findings: number;
  readonly incidents: readonly string[];
  readonly created: number;
  readonly commitsScanned: number;
  /** Commits skipped because the ledger says they were scanned before. */
  readonly commitsSeenBefore: number;
  /** Commits handed on to a new job to keep this one short. */
  readonly commitsHandedOn: number;
  /** Extra jobs scheduled for the other pages of commits with many files. */
  readonly pageJobs: number;
  readonly filesScanned: number;
  readonly filesSkipped: Readonly<Partial<Record<SkipReason, number>>>;
  /** Commits listing GitHub's maximum of 3000 files: files beyond it cannot be listed. */
  readonly commitsAtFileLimit: readonly string[];
}

/** Only the credential's identity and value: a finding's file, line and attributes stay out of the incident. */
export function credentialOf(finding: DetectedCredential): DetectedCredential {
  return {
    fingerprint: finding.fingerprint,
    type: finding.type,
    provider: finding.provider,
    redacted: finding.redacted,
    confidence: finding.confidence,
    revocable: finding.revocable,
    secret: finding.secret,
  };
}

/** Runs `fn` over the items, `limit` at a time; after a failure no new item starts, and all in flight finish. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

export async function scanPush(job: PushScanJob, deps: PushScanDeps): Promise<PushScanOutcome> {
  const repo = `${job.repo.owner}/${job.repo.name}`;
  const incidents = new Set<string>();
  const skipped: Partial<Record<SkipReason, number>> = {};
  const atLimit: string[] = [];
  let findings = 0;
  let created = 0;
  let filesScanned = 0;
  let filesRead = 0;
  let scannedCommits = 0;
  let handedOn = 0;
  let pageJobs = 0;

  // Page jobs belong to a commit already entered in the ledger by its first page: never skip them.
  const seen = job.filePage
    ? new Set<string>()
    : await deps.ledger.scanned(repo, job.commits, deps.clock.now());
  const commits = job.commits.filter((sha) => !seen.has(sha));

  async function record(commit: string, found: readonly Finding[]): Promise<void> {
    for (const finding of found.filter(keepFinding)) {
      findings += 1;
      const result = await recordDetection(deps, credentialOf(finding), {
        repo,
        commit,
        path: finding.file,
        line: finding.line,
        column: finding.column,
        ref: job.ref,
        source: 'push',
      });
      incidents.add(result.incident.id);
      if (result.created) created += 1;
    }
  }

  async function scanFiles(commit: string, files: readonly ChangedFile[]): Promise<void> {
    const blobs: { filename: string; sha: string }[] = [];
    for (const file of files) {
      const decision = decideFile(file);
      if (decision.action === 'scan_patch') {
        filesScanned += 1;
        await record(commit, deps.scanner.scanPatch(decision.patch, file.filename));
      } else if (decision.action === 'fetch_blob') {
        blobs.push({ filename: file.filename, sha: decision.sha });
      } else {
        skipped[decision.reason] = (skipped[decision.reason] ?? 0) + 1;
      }
    }
    // Each blob is scanned as soon as it arrives and then dropped: at most BLOB_CONCURRENCY in memory.
    await forEachLimited(blobs, BLOB_CONCURRENCY, async ({ filename, sha }) => {
      const blob = await deps.source.blobContent(job.repo, sha, MAX_BLOB_BYTES);
      if (blob.kind !== 'text') {
        skipped[blob.kind] = (skipped[blob.kind] ?? 0) + 1;
        return;
      }
      filesScanned += 1;
      await record(commit, deps.scanner.scanText(blob.text, filename));
    });
  }

  // Ledger writes overlap the next commit's reads; all of them are awaited before the job ends,
  // whether it succeeds or fails, so a retry skips exactly the commits that were finished.
  const marks: Promise<void>[] = [];
  const scanning = await scanCommits().then(
    () => ({ failed: false as const }),
    (error: unknown) => ({ failed: true as const, error }),
  );
  const settled = await Promise.allSettled(marks);
  if (scanning.failed) throw scanning.error;
  const failedMark = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failedMark) throw failedMark.reason;

  async function scanCommits(): Promise<void> {
    for (const [index, commit] of commits.entries()) {
      if (filesRead >= FILES_PER_JOB) {
        const rest = commits.slice(index);
        await deps.scanJobs.send([{ ...withoutDeferrals(job), commits: rest }]);
        handedOn = rest.length;
        break;
      }
      const page = job.filePage ?? 1;
      const { files, lastPage } = await deps.source.commitFiles(job.repo, commit, page);
      await scanFiles(commit, files);
      filesRead += files.length;
      if (page === 1 && lastPage > 1) {
        const last = Math.min(lastPage, MAX_COMMIT_FILE_PAGES);
        const pages: PushScanJob[] = [];
        for (let p = 2; p <= last; p += 1)
          pages.push({ ...withoutDeferrals(job), commits: [commit], filePage: p });
        await deps.scanJobs.send(pages);
        pageJobs += pages.length;
        if (lastPage >= MAX_COMMIT_FILE_PAGES) atLimit.push(commit);
      }
      if (!job.filePage) {
        const mark = deps.ledger.markScanned(repo, commit, deps.clock.now());
        mark.catch(() => undefined); // handled now; its failure is rethrown when the marks are awaited
        marks.push(mark);
      }
      scannedCommits += 1;
    }
  }

  return {
    findings,
    incidents: [...incidents],
    created,
    commitsScanned: scannedCommits,
    commitsSeenBefore: seen.size,
    commitsHandedOn: handedOn,
    pageJobs,
    filesScanned,
    filesSkipped: skipped,
    commitsAtFileLimit: atLimit,
  };
}
