/** Helpers for driving a running local pipeline over HTTP, as a user or GitHub would. */

export interface Delivery {
  readonly id: string;
  readonly event: string;
  readonly signature: string;
  readonly body: string;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Pushes commits through the GitHub stand-in, which delivers a signed push webhook; returns that delivery. */
export async function sandboxPush(
  url: string,
  repo: string,
  commits: { message: string; files: Record<string, string | null> }[],
  ref = 'refs/heads/main',
): Promise<Delivery> {
  const response = await fetch(`${url}/sandbox/github/repos/${repo}/pushes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ref, commits }),
  });
  if (response.status !== 201)
    throw new Error(`sandbox push failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { delivery: Delivery }).delivery;
}

/** Sends a webhook the way GitHub does; headers can be dropped or replaced to test rejection. */
export async function deliver(
  url: string,
  delivery: Delivery,
  headers: Record<string, string | undefined> = {},
): Promise<Response> {
  const all: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': delivery.event,
    'x-github-delivery': delivery.id,
    'x-hub-signature-256': delivery.signature,
    ...headers,
  };
  const sent = Object.fromEntries(
    Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return fetch(`${url}/webhooks/github`, { method: 'POST', headers: sent, body: delivery.body });
}

export interface IncidentSummary {
  id: string;
  status: string;
  type: string;
  fingerprint: string;
  redacted: string;
  exposures: { repo: string; commit: string; path: string; line: number }[];
}

export async function listIncidents(url: string, query = ''): Promise<IncidentSummary[]> {
  const response = await fetch(`${url}/incidents${query}`);
  if (!response.ok) throw new Error(`GET /incidents failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { items: IncidentSummary[] }).items;
}
