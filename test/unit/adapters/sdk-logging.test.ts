/**
 * The busy clients drop the SDK's logger middleware: it walks every request and response to
 * filter sensitive members for a logger, the no-op default included, and leakstop never logs SDK
 * calls. A client given a recording logger shows whether a call still reaches it.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { HttpResponse } from '@smithy/core/protocols';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { withoutSdkLogging } from '../../../functions/adapters/aws/sdk-logging.ts';
import { documentClientOn } from '../../../functions/adapters/dynamodb/client.ts';

function clientLoggingTo(lines: unknown[]): DynamoDBClient {
  const record = (line: unknown) => lines.push(line);
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    logger: { debug: () => {}, info: record, warn: record, error: record },
    // DynamoDB's JSON 1.0 answer to GetItem, without a network.
    requestHandler: {
      handle: async () => ({
        response: new HttpResponse({
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from('{"Item":{"pk":{"S":"a"},"sk":{"S":"b"}}}')]),
        }),
      }),
    },
  });
}

describe('SDK logging', () => {
  it('an SDK client as built hands each call to its logger (what the removal saves)', async () => {
    const lines: unknown[] = [];
    await clientLoggingTo(lines).send(
      new GetItemCommand({ TableName: 'tbl', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    );
    expect(lines).toHaveLength(1);
  });

  it("the stores' document client makes its calls without the logger middleware", async () => {
    const lines: unknown[] = [];
    const client = documentClientOn(clientLoggingTo(lines));
    const { Item } = await client.send(new GetCommand({ TableName: 'tbl', Key: { pk: 'a', sk: 'b' } }));
    expect(Item).toEqual({ pk: 'a', sk: 'b' });
    expect(lines).toHaveLength(0);
  });

  it('withoutSdkLogging removes only the logger middleware', () => {
    const client = clientLoggingTo([]);
    const before = client.middlewareStack.identify();
    withoutSdkLogging(client);
    const after = client.middlewareStack.identify();
    expect(before.filter((m) => !after.includes(m))).toEqual([expect.stringMatching(/^loggerMiddleware/)]);
  });
});
