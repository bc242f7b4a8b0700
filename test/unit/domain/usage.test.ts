import { describe, expect, it } from 'vitest';
import {
  describeUsage,
  summariseUsage,
  USAGE_LIST_LIMIT,
} from '../../../functions/domain/containment/usage.ts';

const event = (id: string, time: string, action: string, ip?: string) => ({
  id,
  time,
  service: action.split(':')[0]!,
  action,
  ...(ip ? { sourceIp: ip } : {}),
  region: 'us-east-1',
});

describe('summariseUsage', () => {
  it('counts each event once and orders lists by frequency', () => {
    const summary = summariseUsage(
      [
        event('1', '2026-11-02T00:00:00Z', 's3:GetObject', '203.0.113.1'),
        event('2', '2026-11-01T00:00:00Z', 's3:GetObject', '203.0.113.2'),
        event('2', '2026-11-01T00:00:00Z', 's3:GetObject', '203.0.113.2'),
        event('3', '2026-11-03T00:00:00Z', 'sts:GetCallerIdentity', '203.0.113.2'),
      ],
      { source: 'cloudtrail', truncated: false },
    );
    expect(summary).toEqual({
      source: 'cloudtrail',
      events: 3,
      firstUsed: '2026-11-01T00:00:00.000Z',
      lastUsed: '2026-11-03T00:00:00.000Z',
      services: ['s3', 'sts'],
      actions: ['s3:GetObject', 'sts:GetCallerIdentity'],
      sourceIps: ['203.0.113.2', '203.0.113.1'],
      userAgents: [],
      regions: ['us-east-1'],
      truncated: false,
    });
  });

  it(`keeps at most ${USAGE_LIST_LIMIT} entries per list`, () => {
    const events = Array.from({ length: 40 }, (_, i) =>
      event(String(i), '2026-11-01T00:00:00Z', `s3:Op${i}`),
    );
    expect(summariseUsage(events, { source: 'cloudtrail', truncated: false }).actions).toHaveLength(
      USAGE_LIST_LIMIT,
    );
  });
});

describe('describeUsage', () => {
  it('says the counts are lower bounds when the lookup stopped early', () => {
    const summary = summariseUsage([event('1', '2026-11-01T00:00:00Z', 's3:GetObject', '203.0.113.1')], {
      source: 'cloudtrail',
      truncated: true,
    });
    expect(describeUsage(summary)).toBe(
      'cloudtrail: at least 1 event at 2026-11-01T00:00:00.000Z; actions s3:GetObject; from 203.0.113.1; in us-east-1',
    );
    expect(describeUsage(summariseUsage([], { source: 'cloudtrail', truncated: false }))).toBe(
      'cloudtrail: no events',
    );
  });
});
