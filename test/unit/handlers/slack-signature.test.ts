import { describe, expect, it } from 'vitest';
import { signSlackRequest, verifySlackRequest } from '../../../functions/handlers/common/slack-signature.ts';

const secret = 'signing-secret';
const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
const now = new Date('2026-11-22T10:00:00Z');
const ts = Math.floor(now.getTime() / 1000);

describe('Slack request verification', () => {
  it('accepts a request signed with the signing secret within five minutes', () => {
    expect(
      verifySlackRequest(
        secret,
        { signature: signSlackRequest(secret, ts, body), timestamp: String(ts) },
        body,
        now,
      ),
    ).toBe('valid');
  });

  it('rejects a correctly signed request older than five minutes as stale (replay)', () => {
    const old = ts - 301;
    expect(
      verifySlackRequest(
        secret,
        { signature: signSlackRequest(secret, old, body), timestamp: String(old) },
        body,
        now,
      ),
    ).toBe('stale');
  });

  it('rejects a body changed after signing', () => {
    expect(
      verifySlackRequest(
        secret,
        { signature: signSlackRequest(secret, ts, body), timestamp: String(ts) },
        `${body}x`,
        now,
      ),
    ).toBe('mismatch');
  });

  it('rejects a request without signature headers', () => {
    expect(verifySlackRequest(secret, { signature: undefined, timestamp: String(ts) }, body, now)).toBe(
      'missing',
    );
    expect(verifySlackRequest(secret, { signature: 'v0=00', timestamp: 'yesterday' }, body, now)).toBe(
      'missing',
    );
  });
});
