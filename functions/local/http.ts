/** The local runtime's plain HTTP shapes, shared by its router and the sandbox stand-ins. */

export interface HttpRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/sandbox/github/repos/acme/api/compare/a...b`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact raw body as received (UTF-8). */
  readonly body: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}
