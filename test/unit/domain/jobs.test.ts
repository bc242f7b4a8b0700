import { describe, expect, it } from 'vitest';
import { MalformedMessage, parseIncidentJob, parseScanJob } from '../../../functions/domain/jobs.ts';

const sha = 'a'.repeat(40);

describe('scan job messages', () => {
  it('parses a push job with its repository and commits', () => {
    const job = parseScanJob(
      JSON.stringify({
        kind: 'push',
        deliveryId: 'd1',
        repo: { owner: 'acme', name: 'api', installationId: 7 },
        ref: 'refs/heads/main',
        commits: [sha],
      }),
    );
    expect(job).toEqual({
      kind: 'push',
      deliveryId: 'd1',
      repo: { owner: 'acme', name: 'api', installationId: 7 },
      ref: 'refs/heads/main',
      commits: [sha],
    });
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['an unknown kind', JSON.stringify({ kind: 'pull', deliveryId: 'd' })],
    [
      'no commits',
      JSON.stringify({
        kind: 'push',
        deliveryId: 'd',
        repo: { owner: 'a', name: 'b' },
        ref: 'r',
        commits: [],
      }),
    ],
    [
      'a commit that is not a sha',
      JSON.stringify({
        kind: 'push',
        deliveryId: 'd',
        repo: { owner: 'a', name: 'b' },
        ref: 'r',
        commits: ['HEAD'],
      }),
    ],
    [
      'more than ten commits',
      JSON.stringify({
        kind: 'push',
        deliveryId: 'd',
        repo: { owner: 'a', name: 'b' },
        ref: 'r',
        commits: Array(11).fill(sha),
      }),
    ],
  ])('rejects %s with MalformedMessage', (_what, body) => {
    expect(() => parseScanJob(body)).toThrow(MalformedMessage);
  });

  it('accepts only incident ids of the form leakstop issues', () => {
    expect(parseIncidentJob('{"incidentId":"inc_0123456789abcdef0123"}').incidentId).toBe(
      'inc_0123456789abcdef0123',
    );
    expect(() => parseIncidentJob('{"incidentId":"../etc"}')).toThrow(MalformedMessage);
  });
});
