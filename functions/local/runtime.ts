/**
 * The whole pipeline on one machine: DynamoDB Local and the SQS server, the table and queues from
 * the stack's definitions, the real handlers behind their HTTP routes, pollers feeding the queue
 * consumers, and (with `sandbox`) stand-ins for GitHub's and Slack's APIs.
 *
 * Handlers read their configuration from the environment when first imported, as in Lambda, so one
 * process runs one pipeline.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { Mode } from '../domain/containment/modes.ts';
import {
  CONTAINMENT_ROLE,
  ENV,
  FUNCTIONS,
  QUEUES,
  SECRETS,
  SWEEP_SCHEDULE,
  TABLE,
  type FunctionName,
  type QueueKey,
} from '../shared/resources.ts';
import { withoutSdkLogging } from '../adapters/aws/sdk-logging.ts';
import { LOCAL_AWS, startDynamoDbLocal, startSqsLocal, type RunningEmulator } from './emulators.ts';
import { json, type HttpRequest, type HttpResponse } from './http.ts';
import { lambdaContext, PriorityGate, startPoller, type Poller, type SqsLambda } from './poller.ts';
import { provisionQueues, provisionTable, type LocalQueue } from './provision.ts';
import { SANDBOX_AWS_ACCOUNT, SANDBOX_AWS_REGION } from './sandbox/aws-json.ts';
import { createTraceStandIns, traceEndpointEnv, type TraceStandIns } from './sandbox/aws-trace.ts';
import { createContainmentSandbox, type ContainmentSandbox } from './sandbox/containment.ts';
import { createGitHubSandbox, type GitHubSandbox } from './sandbox/github.ts';
import { createSlackSandbox, type SlackSandbox } from './sandbox/slack.ts';
import { BodyTooLarge, fromFunctionUrlResult, functionUrlEvent, readRequest, send } from './server.ts';

/** Development defaults for local runs only; each can be overridden by its environment variable. */
export const LOCAL_DEFAULTS = {
  GITHUB_WEBHOOK_SECRET: 'leakstop-local-webhook-secret',
  SLACK_SIGNING_SECRET: 'leakstop-local-slack-signing-secret',
  LEAKSTOP_FINGERPRINT_KEY: 'leakstop-local-fingerprint-key',
  SLACK_CHANNEL: '#leakstop-incidents',
} as const;

/** The bot token the Slack stand-in accepts. */
export const SANDBOX_SLACK_TOKEN = 'xoxb-sandbox-leakstop';

/** The largest body the local server reads: the Function URL limit the ingest handler also enforces. */
/** Queues on the path from webhook to verified containment; the others wait while these run (see PriorityGate). */
const CRITICAL_QUEUES: ReadonlySet<QueueKey> = new Set(['scanJobs', 'containment']);

const MAX_BODY_BYTES = 6 * 1024 * 1024;

export interface PipelineOptions {
  readonly port: number;
  readonly host?: string;
  readonly sandbox: boolean;
  /** Keep nothing on disk: DynamoDB Local in memory, the vault in memory. */
  readonly inMemory: boolean;
  readonly dataDir: string;
  readonly mode: Mode;
  /** Use an already running DynamoDB Local / SQS server (tests share one per run). */
  readonly dynamoEndpoint?: string;
  readonly sqsEndpoint?: string;
  /** Prefix for table and queue names, so several pipelines can share one emulator. */
  readonly resourcePrefix?: string;
  /** Concurrent batches per queue consumer. @default 5, as a Lambda SQS mapping starts */
  readonly concurrency?: number;
  readonly log?: (line: string) => void;
}

export interface RunningPipeline {
  readonly url: string;
  readonly port: number;
  readonly tableName: string;
  readonly queues: Record<QueueKey, LocalQueue>;
  readonly github?: GitHubSandbox;
  readonly slack?: SlackSandbox;
  /** CloudTrail, CloudWatch Logs, Lambda, SSM and Secrets Manager stand-ins (usage lookup, copies search). */
  readonly aws?: TraceStandIns;
  /** The credential registry and fault injector every provider stand-in shares (sandbox only). */
  readonly containment?: ContainmentSandbox;
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  /** Runs the scheduled sweep function now (grace-period AWS key deletion), as its timer does. */
  sweep(): Promise<unknown>;
  stop(): Promise<void>;
}

type HttpLambda = (event: LambdaFunctionURLEvent, context: unknown) => Promise<LambdaFunctionURLResult>;

/** Prints what the pipeline told the Slack stand-in, so a sandbox run shows its progress in the terminal. */
function echoSlack(path: string, response: HttpResponse, log: (line: string) => void): void {
  const method = path.slice(path.lastIndexOf('/') + 1);
  if (method !== 'chat.postMessage' && method !== 'chat.update') return;
  try {
    const body = JSON.parse(response.body) as {
      ok?: boolean;
      message?: { text?: string; thread_ts?: string };
    };
    if (!body.ok || !body.message?.text) return;
    const kind =
      method === 'chat.update' ? 'card updated' : body.message.thread_ts ? '  ↳ thread' : 'card posted';
    log(`slack ${kind}: ${body.message.text}`);
  } catch {
    // not JSON: nothing to show
  }
}

export async function startPipeline(options: PipelineOptions): Promise<RunningPipeline> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const host = options.host ?? '127.0.0.1';
  const prefix = options.resourcePrefix ?? '';
  const dataDir = resolve(options.dataDir);
  let ready = false;
  let route: (request: HttpRequest) => Promise<HttpResponse> = async () => json(503, { status: 'starting' });

  // 1. Listen first, so a port of 0 is known before the handlers are configured with it.
  const server: Server = createServer((req, res) => {
    readRequest(req, MAX_BODY_BYTES)
      .then(async (request) => send(res, await route(request)))
      .catch((error: unknown) => {
        if (error instanceof BodyTooLarge) {
          send(res, json(413, { error: error.message }));
          req.resume();
          return;
        }
        log(`request failed: ${(error as Error).message}`);
        if (!res.headersSent) send(res, json(500, { error: 'internal error' }));
      });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, host, () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host}:${port}`;

  const started: RunningEmulator[] = [];
  const pollers: Poller[] = [];
  let sweepTimer: NodeJS.Timeout | undefined;
  const stop = async () => {
    clearInterval(sweepTimer);
    await Promise.allSettled(pollers.map((p) => p.stop()));
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
    await Promise.allSettled(started.map((e) => e.stop()));
  };

  try {
    // 2. The emulators.
    let dynamoEndpoint = options.dynamoEndpoint;
    if (!dynamoEndpoint) {
      const dynamo = await startDynamoDbLocal(options.inMemory ? undefined : join(dataDir, 'dynamodb'));
      started.push(dynamo);
      dynamoEndpoint = dynamo.endpoint;
    }
    let sqsEndpoint = options.sqsEndpoint;
    if (!sqsEndpoint) {
      const sqs = await startSqsLocal();
      started.push(sqs);
      sqsEndpoint = sqs.endpoint;
    }

    // 3. Table and queues from the stack's definitions.
    const dynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamoEndpoint });
    const sqs = withoutSdkLogging(
      new SQSClient({ ...LOCAL_AWS, endpoint: sqsEndpoint, cacheMiddleware: true }),
    );
    const tableName = prefix + TABLE.name;
    await provisionTable(dynamo, tableName);
    const queues = await provisionQueues(sqs, prefix);

    // 4. The environment the handlers read, as the CDK stack sets it in Lambda.
    const env: Record<string, string> = {
      AWS_REGION: LOCAL_AWS.region,
      AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      [ENV.tableName]: tableName,
      [ENV.mode]: options.mode,
      [ENV.vaultBackend]: options.inMemory ? 'memory' : 'file',
      [ENV.vaultDir]: join(dataDir, 'vault'),
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      // Lambda runs Node 22; the SDK's notice about this machine's Node 20 is noise in a local run.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    for (const [key, queue] of Object.entries(queues) as [QueueKey, LocalQueue][])
      env[ENV.queueUrl[key]] = queue.url;
    for (const [name, value] of Object.entries(LOCAL_DEFAULTS)) env[name] = process.env[name] ?? value;
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    let github: GitHubSandbox | undefined;
    let slack: SlackSandbox | undefined;
    let aws: TraceStandIns | undefined;
    let containment: ContainmentSandbox | undefined;
    if (options.sandbox) {
      env[ENV.githubApiUrl] = `${url}/sandbox/github`;
      env[ENV.slackApiUrl] = `${url}/sandbox/slack/api/`;
      env[SECRETS.slackBotToken.env] = SANDBOX_SLACK_TOKEN;
      // The AWS SDKs reach the stand-ins through their service-specific endpoint settings.
      env.AWS_ENDPOINT_URL_STS = `${url}/sandbox/aws/sts`;
      env.AWS_ENDPOINT_URL_IAM = `${url}/sandbox/aws/iam`;
      env[ENV.gitlabApiUrl] = `${url}/sandbox/gitlab`;
      env[ENV.npmRegistryUrl] = `${url}/sandbox/npm`;
      containment = createContainmentSandbox({
        roleName: () => process.env[ENV.awsRoleName] || CONTAINMENT_ROLE.defaultName,
        externalId: () => process.env[ENV.awsExternalId] || undefined,
      });
      github = createGitHubSandbox({
        webhookSecret: () =>
          process.env[SECRETS.githubWebhookSecret.env] ?? LOCAL_DEFAULTS.GITHUB_WEBHOOK_SECRET,
        webhookUrl: () => `${url}/webhooks/github`,
        publicUrl: () => url,
        credentials: containment.github,
      });
      slack = createSlackSandbox(containment.slack);
      // The adapters authenticate to the stand-in as the real ones do to GitHub: as its App.
      env[ENV.githubAppId] = String(github.app.id);
      env[SECRETS.githubAppPrivateKey.env] = github.app.privateKey;
      // The tracers' AWS services, reached through the SDK's AWS_ENDPOINT_URL_<SERVICE> settings; the
      // stand-ins model one account, which the tracers search in one Region, every log group.
      aws = createTraceStandIns({
        // One fault injector for every stand-in; callers on role sessions are in the session's account.
        fault: (service) => containment?.faults.take(service)?.status,
        accountOf: (accessKeyId) => containment?.accountOfSession(accessKeyId),
      });
      Object.assign(env, traceEndpointEnv(url));
      const traceDefaults = {
        [ENV.traceAccounts]: SANDBOX_AWS_ACCOUNT,
        [ENV.traceRegions]: SANDBOX_AWS_REGION,
        [ENV.traceLogGroups]: '*',
        [ENV.tracers]: 'all',
      };
      for (const [name, value] of Object.entries(traceDefaults)) env[name] = process.env[name] ?? value;
    }
    // Secrets-Manager ARNs from a shell that deployed the stack must not redirect a local run.
    for (const secret of Object.values(SECRETS)) delete process.env[`${secret.env}_ARN`];
    Object.assign(process.env, env);

    // 5. The real handlers, imported only now that their environment is set.
    const load = async (name: FunctionName) =>
      (await import(`../../${FUNCTIONS[name].entry}`)) as { handler: unknown };
    const http = {
      ingest: (await load('ingest')).handler as HttpLambda,
      slack: (await load('slack')).handler as HttpLambda,
      history: (await load('history')).handler as HttpLambda,
      actions: (await load('actions')).handler as HttpLambda,
    };
    const gate = new PriorityGate();
    for (const [key, queue] of Object.entries(queues) as [QueueKey, LocalQueue][]) {
      const consumer = QUEUES[key].consumer;
      if (!consumer) continue;
      const handler = (await load(consumer)).handler as SqsLambda;
      pollers.push(
        startPoller({
          sqs,
          queueUrl: queue.url,
          queueArn: queue.arn,
          functionName: consumer,
          handler,
          batchSize: queue.definition.batchSize,
          timeoutSeconds: FUNCTIONS[consumer].timeoutSeconds,
          // Lambda's SQS event source mapping starts with five concurrent batches.
          concurrency: options.concurrency ?? 5,
          onError: log,
          gate: { gate, role: CRITICAL_QUEUES.has(key) ? 'critical' : 'deferred' },
        }),
      );
    }

    // The scheduled function: EventBridge invokes it in AWS, a timer here; one run at a time.
    const sweepHandler = (await load('sweep')).handler as (
      event: unknown,
      context: unknown,
    ) => Promise<unknown>;
    let sweeping: Promise<unknown> | undefined;
    const sweep = () =>
      (sweeping ??= sweepHandler(
        { source: 'leakstop.local' },
        lambdaContext('sweep', FUNCTIONS.sweep.timeoutSeconds),
      ).finally(() => (sweeping = undefined)));
    sweepTimer = setInterval(
      () => void sweep().catch((error: unknown) => log(`sweep failed: ${(error as Error).message}`)),
      SWEEP_SCHEDULE.everyMinutes * 60_000, // hourly, as EventBridge runs it
    );
    sweepTimer.unref();

    const invoke = async (name: keyof typeof http, request: HttpRequest) =>
      fromFunctionUrlResult(
        await http[name](functionUrlEvent(request), lambdaContext(name, FUNCTIONS[name].timeoutSeconds)),
      );

    route = async (request) => {
      const { method, path } = request;
      if (path === '/healthz') return ready ? json(200, { status: 'ok' }) : json(503, { status: 'starting' });
      if (path === '/webhooks/github') return invoke('ingest', request);
      if (path === '/slack/interactions' || path === '/slack/commands') return invoke('slack', request);
      if (method === 'POST' && /^\/incidents\/[^/]+\/approve\/?$/.test(path))
        return invoke('actions', request);
      if (path === '/incidents' || path.startsWith('/incidents/')) return invoke('history', request);
      if (github && path.startsWith('/sandbox/github/'))
        return (await github.handle(request)) ?? json(404, { message: 'Not Found' });
      if (aws && path.startsWith('/sandbox/aws/')) {
        const response = await aws.handle(request);
        if (response) return response;
      }
      if (containment) {
        const answered = await containment.handle(request);
        if (answered) return answered;
      }
      if (slack && path.startsWith('/sandbox/slack/')) {
        const response = (await slack.handle(request)) ?? json(404, { error: 'unknown_method' });
        echoSlack(path, response, log);
        return response;
      }
      return json(404, { error: `no route for ${method} ${path}` });
    };
    ready = true;
    return {
      url,
      port,
      tableName,
      queues,
      dynamoEndpoint,
      sqsEndpoint,
      ...(github ? { github } : {}),
      ...(slack ? { slack } : {}),
      ...(aws ? { aws } : {}),
      ...(containment ? { containment } : {}),
      sweep,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
