import { describe, expect, it } from 'vitest';
import {
  parseTraceConfig,
  TraceConfigurationError,
} from '../../../functions/handlers/common/trace-config.ts';
import { tracersFromEnv } from '../../../functions/handlers/common/tracers.ts';

const AWS = {
  LEAKSTOP_TRACE_ACCOUNTS: '111111111111, 222222222222',
  LEAKSTOP_TRACE_REGIONS: 'us-east-1,eu-west-1',
};
const names = (env: NodeJS.ProcessEnv) =>
  tracersFromEnv({ env, fingerprintKey: async () => 'k' }).map((t) => t.name);

describe('parseTraceConfig', () => {
  it('reads lists, the window and the page budget', () => {
    const config = parseTraceConfig({
      ...AWS,
      LEAKSTOP_TRACE_LOG_GROUPS: '/aws/lambda/*, app-logs',
      LEAKSTOP_TRACE_WINDOW_DAYS: '14',
      LEAKSTOP_TRACE_PAGE_BUDGET: '10',
      LEAKSTOP_GITHUB_ORGS: 'acme',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3',
    });
    expect(config).toMatchObject({
      accounts: ['111111111111', '222222222222'],
      regions: ['us-east-1', 'eu-west-1'],
      logGroups: ['/aws/lambda/*', 'app-logs'],
      windowMs: 14 * 24 * 3600_000,
      pageBudget: 10,
      githubOrgs: ['acme'],
      githubApiUrl: 'https://ghe.example.com/api/v3',
    });
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      parseTraceConfig({
        LEAKSTOP_TRACE_ACCOUNTS: '12345',
        LEAKSTOP_TRACE_REGIONS: 'us-east-1,Mars',
        LEAKSTOP_TRACE_WINDOW_DAYS: 'a week',
        LEAKSTOP_TRACERS: 'cloudtrail,pastebin',
        LEAKSTOP_GITHUB_ORGS: 'not an org',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TraceConfigurationError);
    expect((error as TraceConfigurationError).problems).toEqual([
      "LEAKSTOP_TRACE_REGIONS: 'Mars' is not an AWS Region name such as us-east-1",
      "LEAKSTOP_TRACE_ACCOUNTS: '12345' is not a 12-digit AWS account id",
      "LEAKSTOP_GITHUB_ORGS: 'not an org' is not a GitHub organisation name",
      "LEAKSTOP_TRACE_WINDOW_DAYS must be a whole number from 1 to 3650, not 'a week'",
      "LEAKSTOP_TRACERS: unknown tracer 'pastebin' (known: auto, all, none, cloudtrail, cloudwatch-logs, lambda-env, ssm-parameters, secrets-manager, github-alerts)",
      'cloudtrail needs LEAKSTOP_TRACE_ACCOUNTS and LEAKSTOP_TRACE_REGIONS',
    ]);
  });

  it('refuses accounts without Regions, and a log search without log groups', () => {
    expect(() => parseTraceConfig({ LEAKSTOP_TRACE_ACCOUNTS: '111111111111' })).toThrow(
      'LEAKSTOP_TRACE_ACCOUNTS is set but LEAKSTOP_TRACE_REGIONS is not',
    );
    expect(() => parseTraceConfig({ ...AWS, LEAKSTOP_TRACERS: 'cloudwatch-logs' })).toThrow(
      'cloudwatch-logs needs LEAKSTOP_TRACE_LOG_GROUPS',
    );
  });
});

describe('tracersFromEnv', () => {
  it('builds nothing when nothing is configured', () => {
    expect(names({})).toEqual([]);
  });

  it('builds every tracer whose settings are present (auto)', () => {
    expect(names(AWS)).toEqual(['cloudtrail', 'lambda-env', 'ssm-parameters', 'secrets-manager']);
    expect(names({ ...AWS, LEAKSTOP_TRACE_LOG_GROUPS: '*', GITHUB_APP_ID: '123' })).toEqual([
      'cloudtrail',
      'cloudwatch-logs',
      'lambda-env',
      'ssm-parameters',
      'secrets-manager',
      'github-alerts',
    ]);
    expect(names({ LEAKSTOP_GITHUB_ORGS: 'acme' })).toEqual(['github-alerts']);
  });

  it('builds exactly the named tracers, or none', () => {
    expect(names({ ...AWS, LEAKSTOP_TRACERS: 'cloudtrail, github-alerts' })).toEqual([
      'cloudtrail',
      'github-alerts',
    ]);
    expect(names({ ...AWS, LEAKSTOP_TRACERS: 'none' })).toEqual([]);
  });
});
