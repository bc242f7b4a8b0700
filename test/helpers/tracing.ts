/**
 * For tests of the tracers: the AWS stand-ins served over real HTTP with the SDK pointed at them
 * through `AWS_ENDPOINT_URL_<SERVICE>` (as the sandbox does), per-account credentials the stand-ins
 * map back to their account, incidents for generated credentials, and a small driver that runs
 * tracers the way the containment flow does.
 */
import { SANDBOX_AWS_ACCOUNT } from '../../functions/local/sandbox/aws-json.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsClients, type AwsTraceSettings } from '../../functions/adapters/aws/trace-calls.ts';
import type { TraceInput, TraceResult, Tracer } from '../../functions/domain/containment/tracing.ts';
import { classifySecret } from '../../functions/domain/detection/index.ts';
import { incidentIdFor, type Exposure, type Incident } from '../../functions/domain/incidents/incident.ts';
import { readRequest, send } from '../../functions/local/server.ts';
import {
  createTraceStandIns,
  traceEndpointEnv,
  type TraceStandIns,
  type TraceStandInOptions,
} from '../../functions/local/sandbox/aws-trace.ts';
import type { Mode } from '../../functions/domain/containment/modes.ts';
import type { HttpRequest, HttpResponse } from '../../functions/local/http.ts';

export const FINGERPRINT_KEY = 'test-fingerprint-key';
/** The stand-ins' default account: seeds without an account land here. */
export const ACCOUNT_A = SANDBOX_AWS_ACCOUNT;
export const ACCOUNT_B = '222222222222';

/** Credentials whose access key id names the account, so the stand-ins know who is calling. */
export const credentialsFor = async (account: string) => ({
  accessKeyId: `LOCAL${account}`,
  secretAccessKey: 'local',
});
export const accountOfCaller = (accessKeyId: string) => /^LOCAL(\d{12})$/.exec(accessKeyId)?.[1];

export interface RunningStandIns {
  readonly url: string;
  readonly aws: TraceStandIns;
  /** Fails the next `count` (default 1) calls to `service` with `status`; only `account`'s or `operation`'s when given. */
  fail(
    service: string,
    status: number,
    only?: { count?: number; account?: string; operation?: string },
  ): void;
  seed(service: string, body: unknown): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Serves `handle` on 127.0.0.1 with the local runtime's own request plumbing. */
export async function serve(
  handle: (req: HttpRequest) => Promise<HttpResponse | undefined>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    void readRequest(req, 6 * 1024 * 1024).then(async (request) =>
      send(res, (await handle(request)) ?? { status: 404, body: 'no route' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function startStandIns(options: TraceStandInOptions = {}): Promise<RunningStandIns> {
  const faults = new Map<string, { status: number; count: number; account?: string; operation?: string }>();
  const aws = createTraceStandIns({
    accountOf: accountOfCaller,
    fault: (service, call) => {
      const fault = faults.get(service);
      if (!fault || fault.count <= 0) return undefined;
      if (
        (fault.account && fault.account !== call.account) ||
        (fault.operation && fault.operation !== call.operation)
      )
        return undefined;
      fault.count--;
      return fault.status;
    },
    ...options,
  });
  const server = await serve((req) => aws.handle(req));
  Object.assign(process.env, traceEndpointEnv(server.url), { AWS_REGION: 'us-east-1' });
  return {
    url: server.url,
    aws,
    fail: (service, status, only = {}) => faults.set(service, { status, count: only.count ?? 1, ...only }),
    async seed(service, body) {
      const response = await aws.handle({
        method: 'POST',
        path: `/sandbox/aws/${service}/seed`,
        query: new URLSearchParams(),
        headers: {},
        body: JSON.stringify(body),
      });
      if (response?.status !== 201) throw new Error(`seed ${service} failed: ${response?.body}`);
      return JSON.parse(response.body) as Record<string, unknown>;
    },
    close: server.close,
  };
}

export function awsSettings(overrides: Partial<AwsTraceSettings> = {}): AwsTraceSettings {
  return {
    accounts: [ACCOUNT_A],
    regions: ['us-east-1'],
    clients: new AwsClients(credentialsFor),
    fingerprintKey: async () => FINGERPRINT_KEY,
    ...overrides,
  };
}

/** An incident for a credential value, as detection would open it (fingerprint from the engine). */
export function incidentFor(
  value: string,
  exposures: Exposure[] = [],
): { incident: Incident; secret: string } {
  const classified = classifySecret(value, { fingerprintKey: FINGERPRINT_KEY });
  if (!classified) throw new Error('the engine does not recognise this value');
  const at = new Date().toISOString();
  const incident: Incident = {
    id: incidentIdFor(classified.fingerprint),
    fingerprint: classified.fingerprint,
    type: classified.type,
    provider: classified.provider,
    redacted: classified.redacted,
    confidence: classified.confidence,
    revocable: classified.revocable,
    severity: 'critical',
    status: 'containing',
    detectedAt: at,
    updatedAt: at,
    exposures,
    exposureCount: exposures.length,
    phases: { containmentStartedAt: at },
    vaulted: true,
  };
  return { incident, secret: classified.secret };
}

export function traceInput(
  incident: Incident,
  secret: string,
  options: { mode?: Mode; deadlineMs?: number } = {},
): TraceInput {
  return {
    incident,
    secret,
    mode: options.mode ?? 'enforce',
    deadline: Date.now() + (options.deadlineMs ?? 20_000),
  };
}

export interface DrivenTrace {
  readonly tracer: string;
  readonly kind: Tracer['kind'];
  readonly durationMs: number;
  readonly result?: TraceResult;
  readonly error?: string;
}

/**
 * Runs every tracer that applies, as the containment flow does after verification: each result
 * (or failure) is what the flow records on the timeline, with its timing.
 */
export async function driveTracers(tracers: readonly Tracer[], input: TraceInput): Promise<DrivenTrace[]> {
  return Promise.all(
    tracers
      .filter((t) => t.appliesTo(input.incident))
      .map(async (tracer) => {
        const started = Date.now();
        try {
          const result = await tracer.trace(input);
          return { tracer: tracer.name, kind: tracer.kind, durationMs: Date.now() - started, result };
        } catch (error) {
          return {
            tracer: tracer.name,
            kind: tracer.kind,
            durationMs: Date.now() - started,
            error: (error as Error).message,
          };
        }
      }),
  );
}
