/**
 * The usage lookup's and copies search's configuration, read and validated once at cold start.
 * Every problem is reported in one error, so a deployment is fixed in one round.
 */
import { ENV } from '../../shared/resources.ts';

export const TRACER_NAMES = [
  'cloudtrail',
  'cloudwatch-logs',
  'lambda-env',
  'ssm-parameters',
  'secrets-manager',
  'github-alerts',
] as const;
export type TracerName = (typeof TRACER_NAMES)[number];

/** Tracers that search AWS accounts and Regions. */
const AWS_TRACERS: readonly TracerName[] = [
  'cloudtrail',
  'cloudwatch-logs',
  'lambda-env',
  'ssm-parameters',
  'secrets-manager',
];

export interface TraceConfig {
  readonly tracers: readonly TracerName[];
  readonly regions: readonly string[];
  readonly accounts: readonly string[];
  readonly logGroups: readonly string[];
  readonly windowMs: number;
  readonly pageBudget: number;
  readonly githubOrgs: readonly string[];
  readonly githubApiUrl: string;
  readonly githubAppId?: string;
}

export class TraceConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`usage lookup / copies search configuration: ${problems.join('; ')}`);
    this.name = 'TraceConfigurationError';
  }
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]{1,512}\*?$|^\*$/;
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const DAY_MS = 24 * 3600_000;

function list(value: string | undefined): string[] {
  return [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

export function parseTraceConfig(env: NodeJS.ProcessEnv = process.env): TraceConfig {
  const problems: string[] = [];
  const checked = (name: string, pattern: RegExp, what: string): string[] => {
    const values = list(env[name]);
    const bad = values.filter((v) => !pattern.test(v));
    if (bad.length)
      problems.push(
        `${name}: ${bad.map((b) => `'${b}'`).join(', ')} ${bad.length === 1 ? 'is not' : 'are not'} ${what}`,
      );
    return values.filter((v) => pattern.test(v));
  };
  const regions = checked(ENV.traceRegions, REGION, 'an AWS Region name such as us-east-1');
  const accounts = checked(ENV.traceAccounts, ACCOUNT, 'a 12-digit AWS account id');
  const logGroups = checked(ENV.traceLogGroups, LOG_GROUP, 'a log group name or a prefix ending in *');
  const githubOrgs = checked(ENV.githubOrgs, GITHUB_LOGIN, 'a GitHub organisation name');
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, not '${raw}'`);
      return fallback;
    }
    return value;
  };
  const windowDays = integer(ENV.traceWindowDays, 7, 1, 3650);
  const pageBudget = integer(ENV.tracePageBudget, 40, 1, 1000);

  const awsReady = regions.length > 0 && accounts.length > 0;
  if (regions.length > 0 && accounts.length === 0 && !list(env[ENV.traceAccounts]).length)
    problems.push(`${ENV.traceRegions} is set but ${ENV.traceAccounts} is not: name the accounts to search`);
  if (accounts.length > 0 && regions.length === 0 && !list(env[ENV.traceRegions]).length)
    problems.push(`${ENV.traceAccounts} is set but ${ENV.traceRegions} is not: name the Regions to search`);

  const githubAppId = env[ENV.githubAppId] || undefined;
  const requested = (env[ENV.tracers] ?? 'auto').trim() || 'auto';
  let tracers: TracerName[];
  if (requested === 'none') tracers = [];
  else if (requested === 'auto') {
    tracers = TRACER_NAMES.filter((name) => {
      if (name === 'github-alerts') return Boolean(githubAppId) || githubOrgs.length > 0;
      if (name === 'cloudwatch-logs') return awsReady && logGroups.length > 0;
      return awsReady;
    });
  } else {
    const names = requested === 'all' ? [...TRACER_NAMES] : list(requested);
    const unknown = names.filter((n) => !(TRACER_NAMES as readonly string[]).includes(n));
    if (unknown.length)
      problems.push(
        `${ENV.tracers}: unknown tracer ${unknown.map((u) => `'${u}'`).join(', ')} (known: auto, all, none, ${TRACER_NAMES.join(', ')})`,
      );
    tracers = names.filter((n): n is TracerName => (TRACER_NAMES as readonly string[]).includes(n));
    const needAws = tracers.filter((t) => AWS_TRACERS.includes(t));
    if (needAws.length && !awsReady)
      problems.push(
        `${needAws.join(', ')} ${needAws.length === 1 ? 'needs' : 'need'} ${ENV.traceAccounts} and ${ENV.traceRegions}`,
      );
    if (tracers.includes('cloudwatch-logs') && logGroups.length === 0)
      problems.push(`cloudwatch-logs needs ${ENV.traceLogGroups}`);
  }
  if (problems.length) throw new TraceConfigurationError(problems);
  return {
    tracers,
    regions,
    accounts,
    logGroups,
    windowMs: windowDays * DAY_MS,
    pageBudget,
    githubOrgs,
    githubApiUrl: env[ENV.githubApiUrl] || 'https://api.github.com',
    ...(githubAppId ? { githubAppId } : {}),
  };
}
