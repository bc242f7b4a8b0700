/**
 * Fault injection for the sandbox's provider stand-ins, by service name:
 *
 *   POST /sandbox/faults  { "service": "github", "status": 500, "count": 3, "delayMs"?: 0 }
 *   GET  /sandbox/faults  → what is still pending
 *   DELETE /sandbox/faults
 *
 * The next `count` calls to that service fail with `status` (a 429 carries Retry-After; AWS
 * services answer in their own error format, 429 becoming `Throttling`) and never reach a
 * credential, so they do not count as revocations. `delayMs` holds the answer that long first
 * (a timeout for a client with a shorter one); with a delay and no status the call then succeeds —
 * a reply lost on the way back, after the provider acted.
 *
 * Services: `sts`, `iam` (AWS stand-ins), `github` (credential revocation and GET /user),
 * `slack` (auth.test, auth.revoke), `gitlab`, `npm`; other stand-ins consult their own names.
 */
import { json, type HttpRequest, type HttpResponse } from '../http.ts';

export interface Fault {
  readonly service: string;
  /** HTTP status to answer with; absent for a delay-only fault. */
  readonly status?: number;
  readonly delayMs?: number;
}

interface PendingFault extends Fault {
  remaining: number;
}

export class FaultInjector {
  private readonly pending: PendingFault[] = [];

  inject(fault: Fault & { readonly count: number }): void {
    this.pending.push({ ...fault, remaining: fault.count });
  }

  /** Consumes one pending fault for `service`, if any: the call it is consulted for must fail (or wait). */
  take(service: string): Fault | undefined {
    const fault = this.pending.find((f) => f.service === service && f.remaining > 0);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.pending.splice(this.pending.indexOf(fault), 1);
    return {
      service: fault.service,
      ...(fault.status !== undefined ? { status: fault.status } : {}),
      ...(fault.delayMs !== undefined ? { delayMs: fault.delayMs } : {}),
    };
  }

  list(): { service: string; status?: number; delayMs?: number; remaining: number }[] {
    return this.pending.map((f) => ({ ...f }));
  }

  clear(): void {
    this.pending.length = 0;
  }
}

/**
 * For a stand-in: consumes a fault for `service` and returns the failure answer to send instead of
 * handling the call, or undefined to handle it (after any delay). `render` shapes the provider's error.
 */
export async function applyFault(
  faults: FaultInjector | undefined,
  service: string,
  render: (status: number) => HttpResponse,
): Promise<HttpResponse | undefined> {
  const fault = faults?.take(service);
  if (!fault) return undefined;
  if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
  if (fault.status === undefined) return undefined;
  const response = render(fault.status);
  if (fault.status !== 429) return response;
  return { ...response, headers: { ...response.headers, 'retry-after': '1' } };
}

/** `POST`, `GET` and `DELETE /sandbox/faults`. */
export function faultRoutes(faults: FaultInjector) {
  return async (req: HttpRequest): Promise<HttpResponse | undefined> => {
    if (req.path !== '/sandbox/faults') return undefined;
    const method = req.method.toUpperCase();
    if (method === 'GET') return json(200, { faults: faults.list() });
    if (method === 'DELETE') {
      faults.clear();
      return json(200, { faults: [] });
    }
    if (method !== 'POST') return json(405, { error: 'use GET, POST or DELETE' });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return json(400, { error: 'body must be JSON: { "service": "github", "status": 500, "count": 3 }' });
    }
    const { service, status, count, delayMs } = body ?? {};
    if (typeof service !== 'string' || !/^[a-z0-9-]+$/.test(service))
      return json(400, { error: '"service" must be a service name such as github, slack, iam, sts' });
    if (
      status !== undefined &&
      (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599)
    )
      return json(400, { error: '"status" must be an HTTP error status (400–599)' });
    if (
      delayMs !== undefined &&
      (!Number.isInteger(delayMs) || (delayMs as number) < 0 || (delayMs as number) > 120_000)
    )
      return json(400, { error: '"delayMs" must be an integer from 0 to 120000' });
    if (status === undefined && delayMs === undefined)
      return json(400, { error: 'give "status", "delayMs" or both' });
    const times = count === undefined ? 1 : count;
    if (!Number.isInteger(times) || (times as number) < 1 || (times as number) > 10_000)
      return json(400, { error: '"count" must be an integer from 1 to 10000' });
    faults.inject({
      service,
      count: times as number,
      ...(status !== undefined ? { status: status as number } : {}),
      ...(delayMs !== undefined ? { delayMs: delayMs as number } : {}),
    });
    return json(201, { faults: faults.list() });
  };
}
