/**
 * What the AWS copies tracers (CloudWatch Logs, Lambda, SSM, Secrets Manager) share: the matcher
 * built from the vaulted value and the fingerprint key, the fan-out over accounts × Regions, the
 * deduplicated and capped list of copies, and one detail line that names no credential.
 */
import { CopyMatcher, type Scrubber } from '../../domain/containment/copies.ts';
import type { CopyLocation, TraceInput, TraceResult, Tracer } from '../../domain/containment/tracing.ts';
import { exposureKey, type Incident } from '../../domain/incidents/incident.ts';
import { awsRetry, awsScopes, type AwsScope, type AwsTraceSettings } from './trace-calls.ts';
import { DEFAULT_PAGE_BUDGET, overScopes, realTiming, settle, type Timing } from '../tracing/calls.ts';

/** Copies one tracer reports; more are counted, and the result is marked truncated. */
export const MAX_COPIES = 100;

export interface ScopeFindings {
  /** At most MAX_COPIES; `more` counts the rest. */
  readonly copies: CopyLocation[];
  more: number;
  /** Resources looked at (function versions, parameters, secrets, log groups). */
  examined: number;
  /** Resources whose value could not be read (KMS denied, access denied). */
  unreadable: number;
  /** Short non-secret notes for the detail line. */
  readonly notes: string[];
}

export interface ScopeContext {
  readonly input: TraceInput;
  readonly scope: AwsScope;
  readonly matcher: CopyMatcher;
  readonly scrubber: Scrubber;
  readonly deadline: number;
  readonly pageBudget: number;
  readonly timing: Timing;
  readonly findings: ScopeFindings;
  /** One provider call with retries within the deadline. */
  call<T>(send: (abortSignal: AbortSignal) => Promise<T>): Promise<T>;
}

export interface CopiesSearch {
  readonly copies: CopyLocation[];
  readonly findings: readonly ScopeFindings[];
  readonly truncated: boolean;
  readonly matcher: CopyMatcher;
  readonly scrubber: Scrubber;
  /** `<tracer>: N copies in M <what> across …`, plus what stopped early or failed. */
  readonly detail: string;
}

/**
 * Runs `searchScope` in every configured account and Region. Throws TracerFailed when every scope
 * failed; otherwise returns what was found, truncated when a scope stopped early or failed.
 */
export async function searchAwsCopies(
  tracer: string,
  /** What a scope examines, singular and plural: `['secret', 'secrets']`. */
  what: readonly [string, string],
  settings: AwsTraceSettings,
  input: TraceInput,
  searchScope: (context: ScopeContext) => Promise<{ truncated: boolean }>,
): Promise<CopiesSearch> {
  const fingerprintKey = await settings.fingerprintKey();
  const matcher = new CopyMatcher({
    fingerprint: input.incident.fingerprint,
    plaintext: input.secret,
    fingerprintKey,
  });
  const scrubber = matcher.scrubber();
  const timing = settings.timing ?? realTiming;
  const scopes = awsScopes(settings.accounts, settings.regions);
  const outcomes = await overScopes<AwsScope, ScopeFindings>(
    scopes,
    (s) => `${s.account}/${s.region}`,
    async (scope, partial) => {
      const findings: ScopeFindings = { copies: [], more: 0, examined: 0, unreadable: 0, notes: [] };
      partial(findings);
      const { truncated } = await searchScope({
        input,
        scope,
        matcher,
        scrubber,
        deadline: input.deadline,
        pageBudget: settings.pageBudget ?? DEFAULT_PAGE_BUDGET,
        timing,
        findings,
        call: (send) => awsRetry(send, input.deadline, timing),
      });
      return { value: findings, truncated };
    },
    { scrubber, ...(settings.concurrency ? { concurrency: settings.concurrency } : {}) },
  );
  const settled = settle(tracer, outcomes);
  const findings = outcomes.flatMap((o) => (o.value ? [o.value] : []));
  // Locations already on the incident are not new copies.
  const known = new Set(input.incident.exposures.map(exposureKey));
  const unique = new Map<string, CopyLocation>();
  for (const copy of findings.flatMap((f) => f.copies)) {
    const key = exposureKey(copy);
    if (!known.has(key) && !unique.has(key)) unique.set(key, copy);
  }
  const all = [...unique.values()];
  const copies = all.slice(0, MAX_COPIES);
  const total = all.length + findings.reduce((n, f) => n + f.more, 0);
  const examined = findings.reduce((n, f) => n + f.examined, 0);
  const unreadable = findings.reduce((n, f) => n + f.unreadable, 0);
  const truncated = settled.truncated || total > copies.length;
  const found = total === 1 ? '1 copy' : `${truncated && total > 0 ? 'at least ' : ''}${total} copies`;
  const detail = [
    `${tracer}: ${found} in ${examined} ${examined === 1 ? what[0] : what[1]} across ${scopes.length} account/region pair${scopes.length === 1 ? '' : 's'}`,
    total > copies.length ? `the first ${copies.length} are recorded` : '',
    unreadable ? `${unreadable} could not be read (access or KMS denied)` : '',
    ...new Set(findings.flatMap((f) => f.notes)),
    settled.note,
  ]
    .filter(Boolean)
    .join('; ');
  return { copies, findings, truncated, matcher, scrubber, detail };
}

/** Keeps a scope's list of copies bounded: a log group that holds the value in every line stays cheap. */
export function recordCopy(findings: ScopeFindings, copy: CopyLocation): void {
  if (findings.copies.length < MAX_COPIES) findings.copies.push(copy);
  else findings.more++;
}

/** The TraceResult of a copies search, with every string checked for credential material. */
export function copiesResult(
  search: CopiesSearch,
  extra: { detail?: string; actions?: string[] } = {},
): TraceResult {
  return search.scrubber.cleanDeep({
    detail: [search.detail, extra.detail].filter(Boolean).join('; '),
    copies: search.copies,
    ...(search.truncated ? { truncated: true } : {}),
    ...(extra.actions?.length ? { actions: extra.actions } : {}),
  });
}

/**
 * What the AWS copies tracers share: settings, one search per account and Region, the result. A
 * subclass names itself, says what a scope examines and searches one scope.
 */
export abstract class AwsCopiesTracer<S extends AwsTraceSettings = AwsTraceSettings> implements Tracer {
  abstract readonly name: string;
  readonly kind = 'copies';
  /** What a scope examines, singular and plural, for the detail line. */
  protected abstract readonly examines: readonly [string, string];

  constructor(protected readonly settings: S) {}

  appliesTo(_incident: Incident): boolean {
    return true;
  }

  async trace(input: TraceInput): Promise<TraceResult> {
    return copiesResult(await this.search(input));
  }

  protected search(input: TraceInput): Promise<CopiesSearch> {
    return searchAwsCopies(this.name, this.examines, this.settings, input, (context) =>
      this.searchScope(context),
    );
  }

  protected abstract searchScope(context: ScopeContext): Promise<{ truncated: boolean }>;
}
