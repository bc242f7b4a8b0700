/**
 * The incident model: one incident per credential (keyed by its fingerprint), many exposures,
 * an append-only timeline. Plain data; persistence lives behind the IncidentRepository port.
 */

export const INCIDENT_STATUSES = [
  'open',
  'containing',
  'contained',
  'containment_unverified',
  'containment_failed',
  'scoping',
  'scope_corrected',
  'scope_review_needed',
  'resolved',
  'false_positive',
] as const;

export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** Where a credential was seen. Never holds the value itself. */
export interface Exposure {
  /** `owner/name` */
  readonly repo: string;
  readonly commit: string;
  readonly path: string;
  readonly line: number;
  readonly column?: number;
  /** How leakstop learned of it. */
  readonly source: 'push' | 'secret_scanning_alert' | 'copies_search';
  readonly ref?: string;
  readonly url?: string;
  readonly detectedAt: string;
  /** The GitHub secret-scanning alert that reported this location, so write-back can resolve it. */
  readonly alertNumber?: number;
}

export interface Actor {
  /** `leakstop` for the pipeline itself, else a person (e.g. a Slack user id) or `github`. */
  readonly kind: 'system' | 'slack_user' | 'github' | 'api';
  readonly id: string;
  readonly name?: string;
}

export const SYSTEM: Actor = { kind: 'system', id: 'leakstop' };

export interface TimelineEvent {
  readonly at: string;
  /** e.g. `detected`, `exposure_added`, `status_changed`, `revocation_planned`, `acknowledged`. */
  readonly type: string;
  readonly actor: Actor;
  /** Human-readable; never contains a credential value. */
  readonly detail: string;
  readonly from?: IncidentStatus;
  readonly to?: IncidentStatus;
  readonly durationMs?: number;
  readonly data?: Readonly<Record<string, string | number | boolean>>;
}

/** Timestamps for history's phase timings (time to acknowledge, revoke, verify, scope-correct, resolve). */
export interface PhaseTimes {
  readonly acknowledgedAt?: string;
  readonly containmentStartedAt?: string;
  /** Set just before the provider's revoke call: a restart that finds it set knows a call may have reached the provider. */
  readonly revocationStartedAt?: string;
  readonly revokedAt?: string;
  readonly verifiedAt?: string;
  readonly containmentEndedAt?: string;
  readonly scopeCorrectedAt?: string;
  readonly resolvedAt?: string;
}

export interface Incident {
  readonly id: string;
  readonly fingerprint: string;
  readonly type: string;
  readonly provider: string;
  readonly redacted: string;
  readonly confidence: 'high' | 'medium' | 'low';
  readonly revocable: boolean;
  readonly severity: Severity;
  readonly status: IncidentStatus;
  readonly detectedAt: string;
  readonly updatedAt: string;
  /** Up to EMBEDDED_EXPOSURES exposures, oldest first; `exposureCount` counts them all. */
  readonly exposures: readonly Exposure[];
  readonly exposureCount: number;
  readonly acknowledged?: { readonly by: Actor; readonly at: string };
  readonly escalated?: { readonly by: Actor; readonly at: string; readonly reason: string };
  readonly phases: PhaseTimes;
  /** True while the plaintext is held in the vault (between detection and the end of containment). */
  readonly vaulted: boolean;
  /** Approval mode: when a person was asked to approve the revocation, and who approved it. */
  readonly approval?: Approval;
  /** What a live check with the credential showed before revocation (identity, scopes); never the value. */
  readonly liveCheck?: LiveCheck;
  /** Where and how the credential was used (AWS: CloudTrail), summarised. */
  readonly usage?: UsageSummary;
  readonly slack?: { readonly channel: string; readonly ts: string; readonly threadCursor: number };
  /** Until when (ISO-8601) one containment worker owns the incident; others leave it alone. */
  readonly leaseUntil?: string;
  /** What containment is waiting for (approval, a provider's budget, a retry), shown on the card; null once moot. */
  readonly containmentNotice?: ContainmentNotice | null;
  /** AWS keys: the grace-period deletion, once it has run (deleted, already gone, or skipped). */
  readonly keyDeletion?: KeyDeletion;
}

export interface KeyDeletion {
  readonly at: string;
  readonly outcome: 'deleted' | 'gone' | 'skipped';
  /** One line: what was called, or why nothing was; never a value. */
  readonly detail: string;
}

export const EMBEDDED_EXPOSURES = 50;

export interface Approval {
  readonly requestedAt: string;
  readonly approvedBy?: Actor;
  readonly approvedAt?: string;
}

export interface ContainmentNotice {
  readonly kind: 'awaiting_approval' | 'queued' | 'retrying';
  /** One line for the card, e.g. `queued for revocation, budget resets at 11:00Z`; never a value. */
  readonly text: string;
  readonly at: string;
  readonly until?: string;
}

export interface LiveCheck {
  readonly at: string;
  readonly identity?: string;
  readonly scopes?: readonly string[];
  readonly details?: Readonly<Record<string, string>>;
}

export interface UsageSummary {
  readonly source: string;
  readonly events: number;
  readonly firstUsed?: string;
  readonly lastUsed?: string;
  readonly services: readonly string[];
  readonly actions: readonly string[];
  readonly sourceIps: readonly string[];
  readonly userAgents: readonly string[];
  readonly regions: readonly string[];
  /** True when the lookup stopped early (time or page budget); counts are then lower bounds. */
  readonly truncated: boolean;
}

/** The identity of a new incident, from a detection. */
export interface NewIncident {
  readonly fingerprint: string;
  readonly type: string;
  readonly provider: string;
  readonly redacted: string;
  readonly confidence: 'high' | 'medium' | 'low';
  readonly revocable: boolean;
}

/**
 * Incident ids derive from the fingerprint, so every worker that sees the same credential names
 * the same incident without coordination. The fingerprint is a keyed HMAC: the id reveals nothing.
 */
export function incidentIdFor(fingerprint: string): string {
  if (!/^[0-9a-f]{64}$/.test(fingerprint)) throw new Error('fingerprint must be 64 lowercase hex characters');
  return `inc_${fingerprint.slice(0, 20)}`;
}

/** An incident id as `incidentIdFor` makes it: `inc_` and 20 hex digits. */
const INCIDENT_ID = /^inc_[0-9a-f]{20}$/;
export const isIncidentId = (value: string): boolean => INCIDENT_ID.test(value);

/** The answer for a path segment that cannot be an incident id (a typo, a fingerprint, a repo name). */
export const notAnIncidentId = (value: string): string =>
  `no incident ${value.length > 64 ? `${value.slice(0, 64)}…` : value}: incident ids are inc_ and 20 hex digits (as GET /incidents lists them)`;

/** A stable key for an exposure, so the same location reported twice is recorded once. */
export function exposureKey(exposure: Pick<Exposure, 'repo' | 'commit' | 'path' | 'line'>): string {
  return `${exposure.repo}@${exposure.commit}:${exposure.path}:${exposure.line}`;
}

export function severityFor(incident: Pick<NewIncident, 'provider' | 'confidence'>): Severity {
  if (incident.confidence === 'low') return 'low';
  if (['aws', 'gcp', 'azure', 'github', 'private_key'].includes(incident.provider)) return 'critical';
  return incident.confidence === 'high' ? 'high' : 'medium';
}
