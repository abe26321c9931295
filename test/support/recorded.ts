// What the loopback servers of the test harness remember about each request they saw. Secrets never land
// here: the Authorization header is reduced to "was there one, and which scheme".
import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. `/v2/team/app/manifests/1.0`. */
  path: string;
  /** Status answered; null when the server cut the connection instead of answering. */
  status: number | null;
  hasAuthorization: boolean;
  /** `basic`, `bearer` … (lower-case), or null without an Authorization header. */
  authScheme: string | null;
  /** Request headers with `authorization`, `proxy-authorization` and `cookie` removed. */
  headers: Record<string, string>;
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** The part of a RecordedRequest known before the answer. */
export function describeRequest(method: string, path: string, headers: IncomingHttpHeaders): Omit<RecordedRequest, 'status'> {
  const authorization = headers.authorization;
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (SECRET_HEADERS.has(name) || value === undefined) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method,
    path,
    hasAuthorization: authorization !== undefined,
    authScheme: authorization ? (authorization.split(' ')[0] ?? '').toLowerCase() : null,
    headers: kept,
  };
}

/** Header the harness puts on its own set-up traffic (pushes, admin tokens) so recordings leave it out. */
export const HARNESS_HEADER = 'x-pullcheck-harness';
