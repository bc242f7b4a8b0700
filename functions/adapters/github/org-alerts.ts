/**
 * Copies search in other repositories: GitHub's organisation-wide secret-scanning alerts
 * (`GET /orgs/{org}/secret-scanning/alerts`, 100 per page, following `Link: rel="next"`), in the
 * organisations of the incident's exposures plus the configured ones. An alert is a copy when its
 * secret is the credential: same fingerprint (the detection engine's `classifySecret`, with GitHub's
 * `secret_type` as the hint) or the same value or part. Each matching alert's commit locations
 * (read with GitHubClient) become exposures; an alert seen only outside commits (issues, pull
 * requests, wikis' pages) becomes one exposure pointing at the alert.
 *
 * Reading an organisation's alerts needs a GitHub App installed on it with "Secret scanning alerts:
 * read" (`appInstallationLookup` finds the installation); without App credentials the calls go out
 * unauthenticated, which only a stand-in or an Enterprise proxy answers.
 */
import { CopyMatcher } from '../../domain/containment/copies.ts';
import type { CopyLocation, TraceInput, TraceResult, Tracer } from '../../domain/containment/tracing.ts';
import { classifySecret } from '../../domain/detection/index.ts';
import { exposureKey } from '../../domain/incidents/incident.ts';
import {
  DEFAULT_PAGE_BUDGET,
  eachPage,
  overScopes,
  realTiming,
  settle,
  withRetry,
  type Timing,
} from '../tracing/calls.ts';
import { GitHubAppTokens } from './app-auth.ts';
import {
  GitHubClient,
  GitHubRateLimited,
  GitHubRequestFailed,
  GitHubUnavailable,
  links,
} from './github-client.ts';

/** A token that can read an organisation's alerts, or undefined to call unauthenticated. */
export type OrgTokenProvider = (org: string) => Promise<string | undefined>;

export interface OrgAlertsOptions {
  /** e.g. `https://api.github.com` or the sandbox's `/sandbox/github`. */
  readonly baseUrl: string;
  /** Organisations always searched, besides those of the incident's exposures. */
  readonly orgs: readonly string[];
  readonly token: OrgTokenProvider;
  readonly fingerprintKey: () => Promise<string>;
  /** Alert pages per organisation. @default DEFAULT_PAGE_BUDGET (4,000 alerts) */
  readonly pageBudget?: number;
  readonly fetchImpl?: typeof fetch;
  readonly timing?: Timing;
}

/** Per-request cap, so one slow answer cannot hold a tracer long past its deadline. */
const REQUEST_TIMEOUT_MS = 10_000;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

interface RawAlert {
  number?: unknown;
  secret_type?: unknown;
  secret?: unknown;
  html_url?: unknown;
  repository?: { full_name?: unknown; name?: unknown; owner?: { login?: unknown } };
}

const retryable = (error: unknown) =>
  error instanceof GitHubUnavailable ||
  error instanceof GitHubRateLimited ||
  (error as { name?: string }).name === 'TimeoutError';

export class GitHubOrgAlertsTracer implements Tracer {
  readonly name = 'github-alerts';
  readonly kind = 'copies';
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timing: Timing;

  constructor(private readonly options: OrgAlertsOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.timing = options.timing ?? realTiming;
  }

  appliesTo(): boolean {
    return true;
  }

  /** The configured organisations and the owners of the repositories the credential was found in. */
  organisations(input: TraceInput): string[] {
    const owners = input.incident.exposures
      .filter((e) => e.source !== 'copies_search' && !e.repo.startsWith('aws:'))
      .map((e) => e.repo.split('/')[0] ?? '');
    const unique = new Map<string, string>();
    for (const org of [...this.options.orgs, ...owners])
      if (LOGIN.test(org) && !unique.has(org.toLowerCase())) unique.set(org.toLowerCase(), org);
    return [...unique.values()];
  }

  async trace(input: TraceInput): Promise<TraceResult> {
    const fingerprintKey = await this.options.fingerprintKey();
    const matcher = new CopyMatcher({
      fingerprint: input.incident.fingerprint,
      plaintext: input.secret,
      fingerprintKey,
    });
    const scrubber = matcher.scrubber();
    const orgs = this.organisations(input);
    if (orgs.length === 0) return { detail: `${this.name}: no GitHub organisation to search` };
    const notes: string[] = [];
    const outcomes = await overScopes<string, { copies: CopyLocation[]; alerts: number; matched: number }>(
      orgs,
      (org) => org,
      async (org, partial) => {
        const found = { copies: [] as CopyLocation[], alerts: 0, matched: 0 };
        partial(found);
        const token = await this.options.token(org);
        let url: string | undefined =
          `${this.baseUrl}/orgs/${encodeURIComponent(org)}/secret-scanning/alerts?per_page=100`;
        let complete: boolean;
        try {
          complete = await eachPage(
            this.options.pageBudget ?? DEFAULT_PAGE_BUDGET,
            () => this.call(() => this.get(url!, token), input.deadline),
            (page) => (url = page.next),
            async (page) => {
              for (const alert of page.alerts) {
                found.alerts++;
                if (typeof alert.secret !== 'string') continue;
                const hint = typeof alert.secret_type === 'string' ? alert.secret_type : undefined;
                const classified = classifySecret(alert.secret, {
                  fingerprintKey,
                  ...(hint ? { hintType: hint } : {}),
                });
                if (classified?.fingerprint !== input.incident.fingerprint && !matcher.locate(alert.secret))
                  continue;
                found.matched++;
                found.copies.push(...(await this.locations(alert, token, input.deadline)));
              }
            },
          );
        } catch (error) {
          // 404: not an organisation (a user account), or not visible to this installation.
          if (error instanceof GitHubRequestFailed && error.status === 404) {
            notes.push(`${org} is not an organisation leakstop can see`);
            return { value: found, truncated: false };
          }
          throw error;
        }
        return { value: found, truncated: !complete };
      },
      { scrubber, concurrency: 3 },
    );
    const settled = settle(this.name, outcomes);
    const known = new Set(input.incident.exposures.map(exposureKey));
    const unique = new Map<string, CopyLocation>();
    for (const copy of outcomes.flatMap((o) => o.value?.copies ?? []))
      if (!known.has(exposureKey(copy))) unique.set(exposureKey(copy), copy);
    const alerts = outcomes.reduce((n, o) => n + (o.value?.alerts ?? 0), 0);
    const matched = outcomes.reduce((n, o) => n + (o.value?.matched ?? 0), 0);
    const copies = [...unique.values()];
    return scrubber.cleanDeep({
      detail: [
        `${this.name}: ${matched} of ${alerts} secret-scanning alert${alerts === 1 ? '' : 's'} in ${orgs.join(', ')} hold this credential; ${copies.length} new location${copies.length === 1 ? '' : 's'}`,
        ...notes,
        settled.note,
      ]
        .filter(Boolean)
        .join('; '),
      copies,
      ...(settled.truncated ? { truncated: true } : {}),
    });
  }

  private call<T>(send: (signal: AbortSignal) => Promise<T>, deadline: number): Promise<T> {
    return withRetry(send, { deadline, retryable, timing: this.timing });
  }

  private async get(url: string, token: string | undefined): Promise<{ alerts: RawAlert[]; next?: string }> {
    const response = await this.fetchImpl(url, {
      headers: {
        accept: 'application/vnd.github+json',
        'x-github-api-version': '2022-11-28',
        'user-agent': 'leakstop',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const what = `GET ${new URL(url).pathname}`;
    if (!response.ok) {
      const rateLimited =
        response.status === 429 ||
        (response.status === 403 && response.headers.get('x-ratelimit-remaining') === '0');
      if (response.status >= 500 || rateLimited) throw new GitHubUnavailable(response.status, what);
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      throw new GitHubRequestFailed(response.status, what, body.message ?? response.statusText);
    }
    const body = (await response.json()) as unknown;
    if (!Array.isArray(body))
      throw new GitHubRequestFailed(response.status, what, 'expected a list of alerts');
    const next = links(response.headers.get('link')).next;
    return { alerts: body as RawAlert[], ...(next ? { next } : {}) };
  }

  /** The alert's commit locations as exposures; the alert itself when it has none. */
  private async locations(
    alert: RawAlert,
    token: string | undefined,
    deadline: number,
  ): Promise<CopyLocation[]> {
    const fullName = typeof alert.repository?.full_name === 'string' ? alert.repository.full_name : undefined;
    const number = typeof alert.number === 'number' ? alert.number : undefined;
    if (!fullName || number === undefined) return [];
    const [owner, name] = fullName.split('/') as [string, string];
    const url = typeof alert.html_url === 'string' ? alert.html_url : undefined;
    const client = new GitHubClient(
      this.baseUrl,
      { token: async () => token, invalidate: () => undefined },
      this.fetchImpl,
    );
    const found = await this.call(async () => {
      const list: CopyLocation[] = [];
      for await (const location of client.secretScanningLocations({ owner, name }, number)) {
        list.push({
          repo: fullName,
          commit: location.commitSha,
          path: location.path,
          line: location.startLine,
          ...(location.startColumn !== undefined ? { column: location.startColumn } : {}),
          source: 'copies_search',
          ...(url ? { url } : {}),
        });
      }
      return list;
    }, deadline);
    if (found.length > 0) return found;
    return [
      {
        repo: fullName,
        commit: '',
        path: `secret-scanning-alert:${number}`,
        line: 0,
        source: 'copies_search',
        ...(url ? { url } : {}),
      },
    ];
  }
}

/**
 * Installation tokens per organisation for a GitHub App: the App's installation on the organisation
 * (`GET /orgs/{org}/installation`) mints them, cached until shortly before they expire
 * (GitHubAppTokens). Without App credentials every organisation is read unauthenticated.
 */
export function appOrgTokens(
  appId: string | undefined,
  privateKey: string | undefined,
  baseUrl: string,
  fetchImpl?: typeof fetch,
): OrgTokenProvider {
  if (!appId || !privateKey) return async () => undefined;
  const tokens = new GitHubAppTokens({ appId, privateKey, baseUrl, ...(fetchImpl ? { fetchImpl } : {}) });
  return (org) => tokens.orgToken(org);
}
