/**
 * Preloaded into the pipeline process by `bench:contain --requests` (node --import): counts every
 * outgoing HTTP request the process makes — DynamoDB Local, the SQS server, the sandbox stand-ins —
 * through Node's diagnostics channels (node:http for the AWS SDK, undici for fetch), so nothing in
 * the product is touched. On SIGUSR2 it writes the counts so far to $LEAKSTOP_BENCH_REQUESTS_FILE.
 *
 * Keys: `dynamodb GetItem`, `sqs ReceiveMessage` (from X-Amz-Target), or `http POST /sandbox/…`
 * with ids and tokens in the path reduced to a placeholder.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { writeFileSync } from 'node:fs';

const counts = new Map<string, number>();
const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

/** Path without query, with long or numeric segments (ids, tokens, repo names) folded. */
function shape(path: string): string {
  return path
    .split('?')[0]!
    .split('/')
    .map((part) => (/^\d+$/.test(part) || part.length > 24 || /-\d+$/.test(part) ? ':x' : part))
    .join('/');
}

function key(method: string, path: string, target: unknown): string {
  if (typeof target === 'string' && target.includes('.')) {
    const [service, action] = target.split('.') as [string, string];
    return `${service.startsWith('DynamoDB') ? 'dynamodb' : service.startsWith('AmazonSQS') ? 'sqs' : service} ${action}`;
  }
  return `http ${method} ${shape(path)}`;
}

subscribe('http.client.request.start', (message) => {
  const request = (message as { request: ClientRequest }).request;
  add(key(request.method, request.path, request.getHeader('x-amz-target')));
});

subscribe('undici:request:create', (message) => {
  const request = (message as { request: { method: string; path: string; headers: unknown } }).request;
  // undici keeps headers as a flat [name, value, …] array (or a string in older versions).
  const headers = request.headers;
  let target: unknown;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2)
      if (String(headers[i]).toLowerCase() === 'x-amz-target') target = headers[i + 1];
  } else if (typeof headers === 'string') {
    target = /x-amz-target:\s*([^\r\n]+)/i.exec(headers)?.[1];
  }
  add(key(request.method, request.path, target));
});

process.on('SIGUSR2', () => {
  const file = process.env.LEAKSTOP_BENCH_REQUESTS_FILE;
  if (file) writeFileSync(file, JSON.stringify(Object.fromEntries(counts)));
});
