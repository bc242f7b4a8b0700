/**
 * DynamoDB rejects a write that meets a concurrent one (a cancelled transaction whose reason is
 * `TransactionConflict`, or `TransactionConflictException` for a single-item write); the stores'
 * client sends it again, and leaves a failed condition alone. Against an HTTP stand-in that
 * answers in DynamoDB's JSON 1.0 wire format, through the client the handlers use.
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dynamoDocumentClient } from '../../../functions/adapters/dynamodb/client.ts';
import { isConflictRejection } from '../../../functions/adapters/dynamodb/transaction-conflicts.ts';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

const ok: Answer = { status: 200, body: {} };
const cancelled = (...codes: string[]): Answer => ({
  status: 400,
  body: {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    CancellationReasons: codes.map((Code) =>
      Code === 'TransactionConflict'
        ? { Code, Message: 'Transaction is ongoing for the item' }
        : Code === 'ConditionalCheckFailed'
          ? { Code, Message: 'The conditional request failed' }
          : { Code },
    ),
  },
});
const putConflict: Answer = {
  status: 400,
  body: {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionConflictException',
    message: 'Transaction is ongoing for the item',
  },
};

/** Answers in order, then 200 `{}`; records each request's X-Amz-Target. */
let script: Answer[] = [];
let targets: string[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      targets.push(String(req.headers['x-amz-target']));
      const answer = script.shift() ?? ok;
      res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // The handlers' client reads its endpoint and credentials from the environment, as in Lambda.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${port}`;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCALSTANDIN0000';
  process.env.AWS_SECRET_ACCESS_KEY = 'local-stand-in-secret';
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  script = [];
  targets = [];
});

const transaction = () =>
  new TransactWriteCommand({
    TransactItems: [
      {
        Update: {
          TableName: 't',
          Key: { pk: 'INC#1', sk: 'META' },
          UpdateExpression: 'SET #s = :s',
          ConditionExpression: '#s = :open',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': 'containing', ':open': 'open' },
        },
      },
      { Put: { TableName: 't', Item: { pk: 'INC#1', sk: 'EVT#1' } } },
    ],
  });

describe('writes DynamoDB rejects for a concurrent write', () => {
  it('sends a transaction cancelled for a conflict again until it is written', async () => {
    script = [cancelled('TransactionConflict', 'None'), cancelled('None', 'TransactionConflict')];
    const output = await dynamoDocumentClient().send(transaction());
    expect(targets).toEqual(Array(3).fill('DynamoDB_20120810.TransactWriteItems'));
    expect(output.$metadata.attempts).toBe(3);
  });

  it('sends a single-item write that met a transaction again', async () => {
    script = [putConflict];
    await dynamoDocumentClient().send(new PutCommand({ TableName: 't', Item: { pk: 'a', sk: 'b' } }));
    expect(targets).toEqual(['DynamoDB_20120810.PutItem', 'DynamoDB_20120810.PutItem']);
  });

  it('does not send again a transaction whose condition failed, even beside a conflict', async () => {
    script = [cancelled('ConditionalCheckFailed', 'TransactionConflict')];
    const error = await dynamoDocumentClient()
      .send(transaction())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.[0]?.Code).toBe(
      'ConditionalCheckFailed',
    );
    expect(targets).toHaveLength(1);
  });

  it('gives the conflict to the caller once the client is out of attempts', async () => {
    script = Array.from({ length: 10 }, () => cancelled('TransactionConflict', 'None'));
    const error = await dynamoDocumentClient()
      .send(transaction())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    // The SDK's standard retry mode: 4 attempts for DynamoDB in this SDK (AWS_MAX_ATTEMPTS sets it).
    const attempts = await dynamoDocumentClient().config.maxAttempts();
    expect(attempts).toBeGreaterThan(1);
    expect(targets).toHaveLength(attempts);
  });
});

describe('isConflictRejection', () => {
  const reasons = (...codes: string[]) =>
    Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: codes.map((Code) => ({ Code })),
    });

  it('holds for conflicts and throttling inside a transaction, and nothing else', () => {
    expect(isConflictRejection(reasons('None', 'TransactionConflict'))).toBe(true);
    expect(isConflictRejection(reasons('ThrottlingError'))).toBe(true);
    expect(isConflictRejection(reasons('ConditionalCheckFailed', 'TransactionConflict'))).toBe(false);
    expect(isConflictRejection(reasons('ValidationError', 'TransactionConflict'))).toBe(false);
    expect(isConflictRejection(reasons('None', 'None'))).toBe(false);
    expect(isConflictRejection(reasons())).toBe(false);
    expect(isConflictRejection(Object.assign(new Error('x'), { name: 'TransactionConflictException' }))).toBe(
      true,
    );
    expect(isConflictRejection(new Error('ConditionalCheckFailedException'))).toBe(false);
    expect(isConflictRejection(undefined)).toBe(false);
  });
});
