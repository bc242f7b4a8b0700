/**
 * Tracing: what containment learns about a leaked credential besides revoking it — where it was
 * used (usage lookup, e.g. CloudTrail) and where copies of it live (copies search: other
 * repositories, logs, configuration stores). The containment flow runs every tracer that applies
 * to the incident, records each result on the timeline with its timing, stores the usage summary
 * on the incident and each copy as an exposure. Adapters implement tracers with the AWS and
 * GitHub APIs; nothing here depends on an SDK.
 */
import type { Exposure, Incident, UsageSummary } from '../incidents/incident.ts';
import type { Mode } from './modes.ts';

export interface TraceInput {
  readonly incident: Incident;
  /** The plaintext, read from the vault for this step only: never logged, stored or returned. */
  readonly secret: string;
  /** The containment mode for the incident's provider; only `enforce` may change anything. */
  readonly mode: Mode;
  /** Epoch milliseconds by which the tracer returns what it has, marking the result `truncated`. */
  readonly deadline: number;
}

/** A place a copy of the credential was found; becomes an exposure of the incident. */
export type CopyLocation = Omit<Exposure, 'detectedAt' | 'source'> & { readonly source: 'copies_search' };

export interface TraceResult {
  /** One line for the timeline saying what was searched and what was found; never the value. */
  readonly detail: string;
  readonly usage?: UsageSummary;
  readonly copies?: readonly CopyLocation[];
  /** Stopped early (deadline, page or rate budget): counts are lower bounds. */
  readonly truncated?: boolean;
  /** Changes the tracer made (e.g. a Secrets Manager rotation started), each a timeline line. */
  readonly actions?: readonly string[];
}

export interface Tracer {
  /** Short stable name for timeline events and logs: `cloudtrail`, `github-alerts`, `cloudwatch-logs`… */
  readonly name: string;
  /** `usage` tracers summarise where the credential was used; `copies` tracers find where it lives. */
  readonly kind: 'usage' | 'copies';
  /** Whether the tracer has anything to say about this incident (CloudTrail only for AWS keys, …). */
  appliesTo(incident: Incident): boolean;
  trace(input: TraceInput): Promise<TraceResult>;
}
