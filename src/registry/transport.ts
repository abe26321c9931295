// HTTP for the registry client: one keep-alive dispatcher per origin (undici `request`; fetch closes the
// connection after every HEAD), per-request timeout under the run's deadline, retries with backoff,
// Retry-After, and redirects followed by hand so a credential never travels to another origin.
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { quotaOf, retryAfterSeconds } from './quota.js';
import { cleanText } from './text.js';
import { NetworkError, registryErrorOf, Verdict, type NetworkFailure } from './verdict.js';
import { DeadlineExceeded, type Deadline, type Semaphore } from './limits.js';
import { lookupFor, refusedUrl, type AddressGuard } from './network-safety.js';

/** What the transport keeps per registry: its limit, its CA, and whether it told us to stop (429). */
export interface Channel {
  /** The registry as written in references (`docker.io`, `127.0.0.1:5000`), for messages. */
  readonly name: string;
  readonly limiter: Semaphore;
  /** Extra CA (PEM) trusted for this registry on top of the system's. */
  readonly ca: string | null;
  /** The user marked the registry `insecure`: plain HTTP is allowed for it. */
  readonly insecure: boolean;
  /** No request leaves before this time (ms since epoch): a 429/503 asked us to wait. */
  pausedUntil: number;
  /** Once set, every later request of this registry ends with it, without being sent. */
  rateLimited: Verdict | null;
}

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  /** The Authorization header; sent to `url`'s origin only, never after a redirect to another origin. */
  authorization?: string | null;
  /** Read the body up to this size (bytes); 0 discards it. */
  maxBodyBytes?: number;
  /** False for a probe whose failure is an answer in itself (no retries). */
  retry?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Null when not read (HEAD, or maxBodyBytes 0). */
  body: Buffer | null;
  /** Where the answer came from, after redirects. */
  url: URL;
  /** How many times the request was sent (retries included). */
  attempts: number;
}

export interface TransportOptions {
  deadline: Deadline;
  globalLimiter: Semaphore;
  requestTimeoutMs: number;
  retries: number;
  /** Connections kept per origin (matches the per-registry concurrency). */
  connectionsPerOrigin: number;
  /** Which addresses are never connected to (link-local / cloud metadata); see network-safety.ts. */
  addressGuard: AddressGuard;
}

const RETRIED_STATUSES = new Set([500, 502, 503, 504]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 4_000;
/** Longest Retry-After we sit out (also capped by the deadline); a longer one ends the registry's run. */
const MAX_RETRY_AFTER_S = 60;
const USER_AGENT = 'pullcheck';

/**
 * undici is loaded with the first request, not when pullcheck starts: loading it is a third of the CLI's
 * start-up, and offline runs or runs without images never need it (docs/benchmarks.md).
 */
let undiciModule: Promise<typeof Undici> | null = null;
function loadUndici(): Promise<typeof Undici> {
  undiciModule ??= import('undici');
  return undiciModule;
}

export class Transport {
  readonly #dispatchers = new Map<string, Dispatcher>();

  constructor(readonly options: TransportOptions) {}

  /** One logical request: retried on 5xx, resets and timeouts; waits out short Retry-After answers. */
  async send(channel: Channel, req: HttpRequest): Promise<HttpResponse> {
    const { deadline } = this.options;
    const retries = req.retry === false ? 0 : this.options.retries;
    for (let attempt = 0; ; attempt++) {
      await this.#sleep(channel.pausedUntil - Date.now());
      let response: HttpResponse;
      try {
        response = await this.#limited(channel, () => {
          // checked once the permit is ours: a request queued behind the one that got the 429 stays unsent
          if (channel.rateLimited) throw channel.rateLimited;
          return this.#follow(channel, req);
        });
      } catch (error) {
        if (error instanceof Verdict) throw error;
        const failure = this.#describe(error, req.url);
        if (!failure.transient || attempt >= retries || !(await this.#backoff(attempt, null))) throw failure;
        continue;
      }
      response.attempts = attempt + 1;
      if (response.status === 429) {
        const wait = retryAfterSeconds(response.headers, Date.now());
        if (wait !== null && attempt < retries && wait <= MAX_RETRY_AFTER_S && wait * 1000 < deadline.remainingMs()) {
          channel.pausedUntil = Math.max(channel.pausedUntil, Date.now() + wait * 1000);
          continue;
        }
        channel.rateLimited ??= rateLimitedVerdict(response, wait);
        throw channel.rateLimited;
      }
      if (RETRIED_STATUSES.has(response.status) && attempt < retries) {
        const wait = response.status === 503 ? retryAfterSeconds(response.headers, Date.now()) : null;
        if (await this.#backoff(attempt, wait)) continue;
      }
      return response;
    }
  }

  async close(): Promise<void> {
    const all = [...this.#dispatchers.values()];
    this.#dispatchers.clear();
    await Promise.all(all.map((d) => d.destroy()));
  }

  async #limited<T>(channel: Channel, work: () => Promise<T>): Promise<T> {
    const { signal } = this.options.deadline;
    const releaseRegistry = await channel.limiter.acquire(signal);
    try {
      const releaseGlobal = await this.options.globalLimiter.acquire(signal);
      try {
        return await work();
      } finally {
        releaseGlobal();
      }
    } finally {
      releaseRegistry();
    }
  }

  async #follow(channel: Channel, req: HttpRequest): Promise<HttpResponse> {
    let { method, url, body } = req;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const refused = refusedUrl(url, this.options.addressGuard);
      if (refused) throw hop === 0 ? refused : new NetworkError('blocked', `${req.url.host} redirected to ${url.host}; ${refused.message}`, refused.code);
      const authorization = url.origin === req.url.origin ? req.authorization : null;
      const response = await this.#once(channel, { ...req, method, url, body, authorization });
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.status) || typeof location !== 'string') return response;
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new NetworkError('rejected', `${url.host} redirected to an unsupported address (${next.protocol})`);
      }
      if (url.protocol === 'https:' && next.protocol === 'http:' && !channel.insecure && !isLoopbackHost(next.hostname)) {
        throw new NetworkError('rejected', `${url.host} redirected from HTTPS to plain HTTP (${next.host}); not followed`);
      }
      if (response.status === 303 || (method === 'POST' && response.status <= 302)) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
      }
      url = next;
    }
    throw new NetworkError('rejected', `${req.url.host} redirected more than ${MAX_REDIRECTS} times`);
  }

  async #once(channel: Channel, req: HttpRequest): Promise<HttpResponse> {
    const timeout = AbortSignal.timeout(Math.max(1, Math.min(this.options.requestTimeoutMs, this.options.deadline.remainingMs())));
    const signal = AbortSignal.any([this.options.deadline.signal, timeout]);
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...req.headers };
    if (req.authorization) headers.authorization = req.authorization;
    try {
      // `reset: false`: undici closes the connection after every HEAD unless told otherwise (it guards against
      // servers that send a body with HEAD); registries do not, and a manifest check is mostly HEADs.
      const undici = await loadUndici();
      const dispatcher = this.#dispatcher(undici, req.url, channel.ca);
      const sent = undici.request(req.url, { method: req.method, headers, body: req.body, dispatcher, signal, reset: false });
      const response = await untilAborted(sent, signal, (late) => void late.body.dump().catch(() => undefined));
      const max = req.method === 'HEAD' ? 0 : (req.maxBodyBytes ?? 0);
      const body = max > 0 ? await untilAborted(readLimited(response.body, max, req.url), signal) : (await response.body.dump(), null);
      return { status: response.statusCode, headers: response.headers, body, url: req.url, attempts: 1 };
    } catch (error) {
      if (timeout.aborted && this.options.deadline.remainingMs() > 0) {
        throw new NetworkError('timeout', `no answer from ${req.url.host} within ${seconds(this.options.requestTimeoutMs)} s`);
      }
      throw error;
    }
  }

  #dispatcher(undici: typeof Undici, url: URL, ca: string | null): Dispatcher {
    const key = `${url.origin}\n${ca ?? ''}`;
    let dispatcher = this.#dispatchers.get(key);
    if (!dispatcher) {
      // With `ca` given, Node trusts only the listed CAs: keep the default ones (system, NODE_EXTRA_CA_CERTS) too.
      const tlsOptions = ca ? { ca: [...defaultCertificates(), ca] } : {};
      // The lookup refuses metadata addresses after DNS; it only applies where we connect ourselves (a
      // proxy resolves names itself, so `requestTls` for the tunnel has none).
      const connect = { ...tlsOptions, lookup: lookupFor(url, this.options.addressGuard) };
      const options = { connections: this.options.connectionsPerOrigin, connect };
      // Loopback never goes through a proxy; anything else honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
      // Plain-HTTP registries go to the proxy in absolute form, not through CONNECT, which proxies commonly
      // allow to port 443 only (squid's default); HTTPS is always tunnelled.
      dispatcher = isLoopbackHost(url.hostname)
        ? new undici.Agent(options)
        : new undici.EnvHttpProxyAgent({ ...options, requestTls: tlsOptions, proxyTunnel: false });
      this.#dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  }

  /** Waits before the next attempt; false when the wait would outlast the deadline (then do not retry). */
  async #backoff(attempt: number, retryAfterS: number | null): Promise<boolean> {
    // A registry that asks for more than MAX_RETRY_AFTER_S will not be back within this run: its answer stands
    // (sitting out a capped wait would only spend the whole run's deadline on it).
    if (retryAfterS !== null && retryAfterS > MAX_RETRY_AFTER_S) return false;
    const ms = retryAfterS !== null
      ? retryAfterS * 1000
      : Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt); // full jitter
    if (ms >= this.options.deadline.remainingMs()) return false;
    await this.#sleep(ms);
    return true;
  }

  async #sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, { signal: this.options.deadline.signal });
    } catch (error) {
      throw this.#describe(error, null);
    }
  }

  #describe(error: unknown, url: URL | null): NetworkError {
    const { deadline } = this.options;
    if (deadline.signal.aborted || deadline.remainingMs() === 0) {
      return new NetworkError('deadline', `${new DeadlineExceeded(deadline.timeoutMs).message}${url ? ` before ${url.host} answered` : ''}`);
    }
    return classify(error, url);
  }
}

/**
 * `work`, or the signal's reason as soon as it aborts. undici honours the signal in most phases but not
 * all (a CONNECT through a proxy that never answers ignores it): the timeout must hold regardless.
 * `discard` disposes of a result that arrives after the abort.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, discard?: (late: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      reject(signal.reason as Error);
      work.then((late) => discard?.(late), () => undefined);
    };
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error as Error);
      },
    );
  });
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function defaultCertificates(): string[] {
  return typeof tls.getCACertificates === 'function' ? tls.getCACertificates('default') : [...tls.rootCertificates];
}

async function readLimited(body: AsyncIterable<Buffer> & { destroy(): void }, max: number, url: URL): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw new NetworkError('rejected', `${url.host} sent more than ${Math.round(max / 1024)} KiB for ${url.pathname}`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const FAILURE_CODES: Record<string, NetworkFailure> = {
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_FAIL: 'dns',
  EAI_NONAME: 'dns',
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
};
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;

/** The Node/undici error (or one of its causes) as a NetworkError whose message names the failure. */
export function classify(error: unknown, url: URL | null): NetworkError {
  let code: string | null = null;
  let message = error instanceof Error ? error.message : String(error);
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof NetworkError) return e; // ours, e.g. a refused address from the connection's lookup
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && (FAILURE_CODES[c] || TLS_CODE.test(c) || c.startsWith('HPE_'))) {
      code = c;
      message = e.message;
      break;
    }
  }
  const host = url?.host ?? 'the registry';
  // undici words a proxy's refusal of CONNECT as "Proxy response (403) !== 200 when HTTP Tunneling".
  const proxyStatus = /Proxy response \((\d{3})\)/.exec(message)?.[1];
  if (proxyStatus) return new NetworkError('protocol', `the HTTPS proxy refused the connection to ${host} (HTTP ${proxyStatus}); check HTTPS_PROXY and NO_PROXY`, code);
  const failure: NetworkFailure = code === null || code.startsWith('HPE_') ? 'protocol' : (FAILURE_CODES[code] ?? 'tls');
  const why = cleanText(message, 120);
  switch (failure) {
    case 'dns':
      return new NetworkError('dns', `DNS lookup of ${url?.hostname ?? host} failed (${code})`, code);
    case 'refused':
      return new NetworkError('refused', `connection to ${host} refused`, code);
    case 'reset':
      return new NetworkError('reset', `connection to ${host} was reset (${code})`, code);
    case 'timeout':
      return new NetworkError('timeout', `no answer from ${host} in time (${code})`, code);
    case 'tls':
      return new NetworkError('tls', `TLS with ${host} failed: ${why}; if the registry uses a private CA, set \`ca\` for it in the config (or NODE_EXTRA_CA_CERTS)`, code);
    default:
      return new NetworkError('protocol', `talking to ${host} failed${code ? ` (${code})` : ''}: ${why}`, code);
  }
}

function rateLimitedVerdict(response: HttpResponse, wait: number | null): Verdict {
  const { code } = registryErrorOf(response.body);
  const quota = quotaOf(response.headers);
  const parts = [`${response.url.host} answered 429 Too Many Requests`];
  if (wait !== null) parts.push(`retry after ${wait} s (${new Date(Date.now() + wait * 1000).toISOString()})`);
  if (quota?.remaining !== null && quota?.remaining !== undefined) {
    parts.push(`quota ${quota.remaining} of ${quota.limit ?? '?'} left${quota.windowSeconds ? ` per ${quota.windowSeconds} s` : ''}`);
  }
  return new Verdict('rate-limited', { httpStatus: 429, errorCode: code, detail: parts.join('; ') }, wait, quota);
}

/** localhost, 127.0.0.0/8 and ::1 (with or without brackets): Docker treats these as insecure registries. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host) || host === '0:0:0:0:0:0:0:1';
  return false;
}
