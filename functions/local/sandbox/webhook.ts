/**
 * Delivers a webhook the way GitHub's Hookshot does: the payload serialised once, signed over
 * those exact bytes (HMAC-SHA256, plus the legacy SHA-1 header), POSTed with GitHub's headers.
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface WebhookDelivery {
  readonly id: string;
  readonly event: string;
  /** `sha256=<hex>` over `body`. */
  readonly signature: string;
  /** The exact raw body sent; deliver it again to simulate a redelivery. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly url: string;
  readonly at: string;
  readonly response: DeliveryResponse;
}

export type DeliveryResponse =
  | { readonly status: number; readonly body: string }
  | { readonly status: null; readonly body: null; readonly error: string };

export interface HookIdentity {
  readonly hookId: number;
  readonly userAgent: string;
  readonly targetId: number;
}

/** GitHub drops the connection after 10 s. */
const DELIVERY_TIMEOUT_MS = 10_000;
const MAX_RECORDED_RESPONSE = 10_000;

export function signBody(secret: string, body: string): { sha256: string; sha1: string } {
  return {
    sha256: `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`,
    sha1: `sha1=${createHmac('sha1', secret).update(body, 'utf8').digest('hex')}`,
  };
}

export async function deliverWebhook(options: {
  url: string;
  secret: string;
  event: string;
  body: string;
  hook: HookIdentity;
  deliveryId?: string;
  at: Date;
}): Promise<WebhookDelivery> {
  const id = options.deliveryId ?? randomUUID();
  const { sha256, sha1 } = signBody(options.secret, options.body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': options.hook.userAgent,
    'x-github-event': options.event,
    'x-github-delivery': id,
    'x-github-hook-id': String(options.hook.hookId),
    'x-github-hook-installation-target-type': 'repository',
    'x-github-hook-installation-target-id': String(options.hook.targetId),
    'x-hub-signature': sha1,
    'x-hub-signature-256': sha256,
  };
  let response: DeliveryResponse;
  try {
    const res = await fetch(options.url, {
      method: 'POST',
      headers,
      body: options.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    const text = await res.text();
    response = { status: res.status, body: text.slice(0, MAX_RECORDED_RESPONSE) };
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
    response = {
      status: null,
      body: null,
      error: `${error instanceof Error ? error.message : String(error)}${code}`,
    };
  }
  return {
    id,
    event: options.event,
    signature: sha256,
    body: options.body,
    headers,
    url: options.url,
    at: options.at.toISOString(),
    response,
  };
}
