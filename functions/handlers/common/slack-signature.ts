/**
 * Slack request signing: v0=HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`), compared in
 * constant time, and only within five minutes of the request's timestamp (replay guard).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

export type SlackVerdict = 'valid' | 'missing' | 'stale' | 'mismatch';

export function signSlackRequest(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function verifySlackRequest(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  now: Date,
): SlackVerdict {
  if (!headers.signature || !headers.timestamp || !/^\d+$/.test(headers.timestamp)) return 'missing';
  const timestamp = Number(headers.timestamp);
  if (Math.abs(now.getTime() / 1000 - timestamp) > SLACK_MAX_SKEW_SECONDS) return 'stale';
  const expected = Buffer.from(signSlackRequest(secret, timestamp, body));
  const actual = Buffer.from(headers.signature);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? 'valid' : 'mismatch';
}
