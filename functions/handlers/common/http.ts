/** Function URL (payload v2) request and response helpers shared by the HTTP handlers. */
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';

export function rawBody(event: LambdaFunctionURLEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

export function header(event: LambdaFunctionURLEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function jsonResponse(statusCode: number, body: unknown): LambdaFunctionURLResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

export function problem(statusCode: number, message: string): LambdaFunctionURLResult {
  return jsonResponse(statusCode, { error: message });
}
