/**
 * Ports: what the domain needs from the outside world. Adapters in functions/adapters implement
 * them with the AWS, GitHub and Slack SDKs; the local runtime and tests wire other implementations.
 */
import type {
  Actor,
  Approval,
  ContainmentNotice,
  KeyDeletion,
  LiveCheck,
  UsageSummary,
  Exposure,
  Incident,
  IncidentStatus,
  NewIncident,
  PhaseTimes,
  Severity,
  TimelineEvent,
} from './incidents/incident.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Changes that ride along with a transition or stand alone; never a credential value. */
export interface IncidentChanges {
  readonly phases?: Partial<PhaseTimes>;
  readonly vaulted?: boolean;
  readonly severity?: Severity;
  readonly acknowledged?: { readonly by: Actor; readonly at: string };
  readonly escalated?: { readonly by: Actor; readonly at: string; readonly reason: string };
  readonly approval?: Approval;
  readonly liveCheck?: LiveCheck;
  readonly usage?: UsageSummary;
  readonly leaseUntil?: string;
  readonly containmentNotice?: ContainmentNotice | null;
  readonly keyDeletion?: KeyDeletion;
}

export interface DetectionResult {
  readonly incident: Incident;
  /** The incident did not exist before this call. */
  readonly created: boolean;
  /** This exposure had not been recorded before this call. */
  readonly exposureAdded: boolean;
}

export interface IncidentQuery {
  readonly status?: IncidentStatus;
  readonly type?: string;
  readonly repo?: string;
  /** ISO-8601 bounds on detectedAt (inclusive from, exclusive to). */
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface IncidentPage {
  readonly items: Incident[];
  readonly cursor?: string;
}

export type TimelineOrder = 'time' | 'written';

export interface IncidentRepository {
  /**
   * Opens the incident for a new fingerprint, or merges the exposure into the existing one; each
   * exposure once. An exposure already recorded gains the `alertNumber` of a later sighting.
   */
  recordDetection(incident: NewIncident, exposure: Exposure, event: TimelineEvent): Promise<DetectionResult>;
  get(id: string): Promise<Incident | undefined>;
  /**
   * The incident's timeline: by the events' times (default), or in the order they were written.
   * That order grows at its end (an event stamped before a slow step and written after another
   * writer's comes after it), except between writes sent within the same few milliseconds: what a
   * cursor over posted events needs.
   */
  timeline(id: string, order?: TimelineOrder): Promise<TimelineEvent[]>;
  exposures(id: string): Promise<Exposure[]>;
  /**
   * Moves the incident to `to` only if its current status allows it (a conditional write), appending
   * the event in the same transaction. Throws TransitionRejected otherwise. Returns the incident as
   * read before the write, with the write applied.
   */
  transition(
    id: string,
    to: IncidentStatus,
    event: TimelineEvent,
    changes?: IncidentChanges,
    options?: TransitionOptions,
  ): Promise<Incident>;
  /** Applies changes and appends the event atomically; `onlyIf` adds a condition (e.g. not yet acknowledged). */
  update(
    id: string,
    changes: IncidentChanges,
    event: TimelineEvent,
    onlyIf?: {
      readonly notAcknowledged?: boolean;
      readonly notEscalated?: boolean;
      /** Only while the incident has this status (e.g. approve only while containing). */
      readonly status?: IncidentStatus;
      /** Only while approval was requested and nobody has approved yet. */
      readonly awaitingApproval?: boolean;
      /** Only while no worker holds the containment lease at this moment (ISO-8601). */
      readonly leaseFreeAt?: string;
    },
  ): Promise<Incident | undefined>;
  /**
   * `update` with several events and without reading the incident back: true when written, false
   * when the condition failed.
   */
  write(
    id: string,
    changes: IncidentChanges,
    events: readonly TimelineEvent[],
    onlyIf?: UpdateCondition,
  ): Promise<boolean>;
  appendEvent(id: string, event: TimelineEvent): Promise<void>;
  /**
   * Applies `changes` and appends `event` atomically, but only the first time `onceKey` is used for
   * this incident (e.g. `github-alert-resolved:acme/api#3:<resolved_at>`): false when it was used
   * before, so a redelivered message records nothing twice.
   */
  updateOnce(id: string, onceKey: string, changes: IncidentChanges, event: TimelineEvent): Promise<boolean>;
  list(query: IncidentQuery): Promise<IncidentPage>;
  /**
   * Claims the right to post the incident's Slack card. Returns false when another worker holds a
   * fresh claim or the card exists. A claim older than `staleAfterMs` can be taken over.
   */
  claimSlackCard(id: string, now: Date, staleAfterMs: number): Promise<boolean>;
  saveSlackCard(id: string, card: { channel: string; ts: string }): Promise<void>;
  /** Advances the thread cursor from `from` to `to` (conditional): false when another worker moved it. */
  advanceSlackThread(id: string, from: number, to: number): Promise<boolean>;
}

/** The conditions `update` and `write` accept. */
export type UpdateCondition = NonNullable<Parameters<IncidentRepository['update']>[3]>;

export interface TransitionOptions {
  /**
   * The incident as the caller just read it: the transition starts from its status (re-reading
   * only when another writer moved it meanwhile) and returns it with the transition applied.
   */
  readonly current?: Incident;
  /** Events of the same step, appended in the same transaction before the status change. */
  readonly events?: readonly TimelineEvent[];
}

/** Remembers which webhook deliveries were accepted, so a redelivery has no second effect. */
export interface DeliveryLedger {
  /** 'claimed' for a first delivery (or one whose earlier claim went stale), 'duplicate' otherwise. */
  claim(deliveryId: string, now: Date): Promise<'claimed' | 'duplicate'>;
  /** Marks the delivery's work as enqueued. */
  complete(deliveryId: string, now: Date): Promise<void>;
  /** Gives up a claim whose work could not be enqueued, so the redelivery can try again. */
  release(deliveryId: string): Promise<void>;
}

/** Holds leaked plaintext between detection and the end of containment; nowhere else may it rest. */
export interface Vault {
  put(fingerprint: string, value: string): Promise<void>;
  get(fingerprint: string): Promise<string | undefined>;
  delete(fingerprint: string): Promise<void>;
}

export interface Queue<T> {
  /** `delaySeconds` (0–900) keeps the messages invisible that long, e.g. until a provider's budget resets. */
  send(messages: readonly T[], options?: { readonly delaySeconds?: number }): Promise<void>;
}

export interface ChatMessage {
  readonly channel: string;
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
  readonly threadTs?: string;
}

export interface Chat {
  post(message: ChatMessage): Promise<{ channel: string; ts: string }>;
  update(message: ChatMessage & { ts: string }): Promise<void>;
}

/** A file changed by a commit, as the source host reports it. */
export interface ChangedFile {
  readonly filename: string;
  readonly status: 'added' | 'modified' | 'removed' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  /** Unified hunks of the change; absent for binary or very large files. */
  readonly patch?: string;
  /** Blob sha of the new content, to fetch it when the patch is missing. */
  readonly sha?: string;
  /** Lines added, when the host reports it (a pure rename adds none). */
  readonly additions?: number;
}

/** One page of a commit's changed files (GitHub: 300 per page, at most 3000 in all). */
export interface CommitFilePage {
  readonly files: readonly ChangedFile[];
  /** The number of the last page (1 when everything fits on one). */
  readonly lastPage: number;
}

/** One page of commit shas from a comparison or a history listing. */
export interface CommitPage {
  readonly commits: readonly string[];
  /** The next page's number, when there is one. */
  readonly nextPage?: number;
}

/** A blob's content as far as scanning is concerned. */
export type BlobContent =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'binary' }
  | { readonly kind: 'too_large'; readonly limitBytes: number };

export interface RepoRef {
  readonly owner: string;
  readonly name: string;
  /** GitHub App installation that can read it, when known. */
  readonly installationId?: number;
}

export interface SecretScanningAlert {
  readonly number: number;
  readonly secretType: string;
  readonly secret: string;
  readonly htmlUrl?: string;
  readonly state: 'open' | 'resolved';
  readonly publiclyLeaked: boolean;
  /** Why it was resolved (`revoked`, `false_positive`, `wont_fix`, `used_in_tests`, …), when resolved. */
  readonly resolution?: string;
  readonly resolvedBy?: string;
  readonly resolvedAt?: string;
  /** GitHub's validity check: `active`, `inactive` or `unknown`. */
  readonly validity?: string;
  readonly updatedAt?: string;
}

export interface SecretLocation {
  /** `commit`, `wiki_commit`, or where else GitHub saw it (`issue_comment`, `pull_request_body`, …). */
  readonly kind: string;
  /** Repository path for commit locations, empty otherwise. */
  readonly path: string;
  readonly startLine: number;
  readonly startColumn?: number;
  /** Empty for locations that are not in a commit. */
  readonly commitSha: string;
  /** API URL of a location that is not in a commit (the issue comment, the PR body…). */
  readonly url?: string;
}

/** Read access to the source host (GitHub). */
export interface SourceHost {
  /** One page (1-based) of the files a commit changed. */
  commitFiles(repo: RepoRef, sha: string, page: number): Promise<CommitFilePage>;
  /**
   * One page of the commits `head` has that `base` does not (base...head, oldest first); undefined
   * when the two cannot be compared (a commit is unknown, or they share no history).
   */
  compareCommits(repo: RepoRef, base: string, head: string, page: number): Promise<CommitPage | undefined>;
  /** One page of the history reachable from `head`, newest first. */
  listCommits(repo: RepoRef, head: string, page: number): Promise<CommitPage>;
  /** The blob's content, or why it cannot be scanned (binary, larger than `maxBytes`). */
  blobContent(repo: RepoRef, blobSha: string, maxBytes: number): Promise<BlobContent>;
  secretScanningAlert(repo: RepoRef, alertNumber: number): Promise<SecretScanningAlert>;
  secretScanningLocations(repo: RepoRef, alertNumber: number): AsyncIterable<SecretLocation>;
}

/**
 * Commits of a repository that were scanned completely, so a commit pushed again (to another
 * branch, by a force-push, in a redelivered job) is read once. Entries expire after a while.
 */
export interface ScanLedger {
  /** The subset of `shas` already scanned in `repo` (`owner/name`). */
  scanned(repo: string, shas: readonly string[], now: Date): Promise<ReadonlySet<string>>;
  markScanned(repo: string, sha: string, now: Date): Promise<void>;
}

/**
 * Claims an effect on another system (a GitHub write-back, one step of a fan-out) so that it
 * happens once however often its message is delivered. The holder completes or releases its
 * claim; a claim left by a crashed holder can be taken over once it is stale.
 */
export interface ClaimLedger {
  claim(key: string, now: Date): Promise<'claimed' | 'duplicate'>;
  complete(key: string, now: Date): Promise<void>;
  release(key: string): Promise<void>;
}

/** What a check run on an offending commit reports; never a credential value. */
export interface CheckRunReport {
  readonly headSha: string;
  readonly name: string;
  readonly externalId: string;
  readonly conclusion: 'failure' | 'neutral' | 'success';
  readonly title: string;
  /** Markdown. */
  readonly summary: string;
  readonly annotations: readonly {
    readonly path: string;
    readonly line: number;
    readonly message: string;
  }[];
}

/** Write access to the source host, for telling it what leakstop did. */
export interface SourceHostWriter {
  /** Resolves the alert as revoked with the comment; `gone` when the alert no longer exists. */
  resolveAlertAsRevoked(repo: RepoRef, alertNumber: number, comment: string): Promise<'done' | 'gone'>;
  /** Creates a completed check run; `gone` when the commit or repository no longer exists. */
  createCheckRun(repo: RepoRef, report: CheckRunReport): Promise<'done' | 'gone'>;
}

/**
 * The source host's rate limit is spent until `until` (epoch milliseconds): the work is not failed
 * but deferred (see deferScanJob), so a giant push that spends an installation's hourly budget
 * does not walk its remaining jobs into the dead-letter queue.
 */
export class SourceRateLimited extends Error {
  constructor(
    readonly until: number,
    message: string,
  ) {
    super(message);
    this.name = 'SourceRateLimited';
  }
}
