// Docker Hub announces its pull quota on every manifest answer (HEAD included):
//   ratelimit-limit: 100;w=21600   ratelimit-remaining: 76;w=21600   docker-ratelimit-source: <address>
// The numbers change over time (and per account), so they are read, never assumed.
import type { IncomingHttpHeaders } from 'node:http';
import type { Quota } from '../model.js';
import { cleanText } from './text.js';

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseCount(value: string | undefined): { count: number | null; window: number | null } {
  if (!value) return { count: null, window: null };
  const [countPart, ...params] = value.split(';');
  const count = Number.parseInt(countPart?.trim() ?? '', 10);
  const windowParam = params.map((p) => p.trim()).find((p) => p.toLowerCase().startsWith('w='));
  const window = windowParam ? Number.parseInt(windowParam.slice(2), 10) : Number.NaN;
  return { count: Number.isFinite(count) ? count : null, window: Number.isFinite(window) ? window : null };
}

/** The quota a response announces, or null when it carries no `ratelimit-*` header. */
export function quotaOf(headers: IncomingHttpHeaders): Quota | null {
  const limit = parseCount(first(headers['ratelimit-limit']));
  const remaining = parseCount(first(headers['ratelimit-remaining']));
  const source = first(headers['docker-ratelimit-source']);
  if (limit.count === null && remaining.count === null) return null;
  return {
    limit: limit.count,
    remaining: remaining.count,
    windowSeconds: limit.window ?? remaining.window,
    source: source ? cleanText(source, 80) : null,
  };
}

/**
 * Seconds to wait from `Retry-After` (delta-seconds or an HTTP-date), null when absent or unreadable.
 * A date in the past means "now" (0).
 */
export function retryAfterSeconds(headers: IncomingHttpHeaders, nowMs: number): number | null {
  const value = first(headers['retry-after'])?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number.parseInt(value, 10);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - nowMs) / 1000));
}
