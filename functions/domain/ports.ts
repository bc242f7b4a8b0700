/**
 * Ports: what the domain needs from the outside world. Adapters in functions/adapters implement
 * them with the AWS, GitHub and Slack SDKs; the local runtime and tests wire other implementations.
 */
import type {
  Actor,
  Approval,
  ContainmentNotice,
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

export interface IncidentRepository {
  /** Opens the incident for a new fingerprint, or merges the exposure into the existing one; each exposure once. */
  recordDetection(incident: NewIncident, exposure: Exposure, event: TimelineEvent): Promise<DetectionResult>;
  get(id: string): Promise<Incident | undefined>;
  timeline(id: string): Promise<TimelineEvent[]>;
  exposures(id: string): Promise<Exposure[]>;
  /**
   * Moves the incident to `to` only if its current status allows it (a conditional write), appending
   * the event in the same transaction. Throws TransitionRejected otherwise.
   */
  transition(
    id: string,
    to: IncidentStatus,
    event: TimelineEvent,
    changes?: IncidentChanges,
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
  appendEvent(id: string, event: TimelineEvent): Promise<void>;
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
}

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
}

export interface SecretLocation {
  readonly path: string;
  readonly startLine: number;
  readonly startColumn?: number;
  readonly commitSha: string;
}

/** Read access to the source host (GitHub). */
export interface SourceHost {
  commitFiles(repo: RepoRef, sha: string): AsyncIterable<ChangedFile>;
  /** The blob's text, or undefined when it is binary. */
  blobText(repo: RepoRef, blobSha: string): Promise<string | undefined>;
  secretScanningAlert(repo: RepoRef, alertNumber: number): Promise<SecretScanningAlert>;
  secretScanningLocations(repo: RepoRef, alertNumber: number): AsyncIterable<SecretLocation>;
}
