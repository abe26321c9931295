// Loopback stand-ins for what the real Distribution registry cannot do: Docker Hub / GHCR tag pagination
// and rate-limit headers, 429 and 5xx answers, slow answers, connections cut mid-response, redirects, and
// a latency-adding TCP proxy. Each behaves like the service it stands for, on 127.0.0.1 only.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { digestOf } from './images.js';
import { describeRequest, type RecordedRequest } from './recorded.js';
import { afterEach } from 'vitest';

export interface FakeManifest {
  mediaType: string;
  body: string | Buffer;
  /** Only when the digest is not the SHA-256 of body (schema 1: the digest skips the signatures). */
  digest?: string;
}

/** How to misbehave on one request. */
export type Fault =
  /** Answer this status (429, 5xx, 401 …) with a registry error body; `headers` e.g. Retry-After. */
  | { status: number; headers?: Record<string, string> }
  /** Answer normally, after this long. */
  | { delayMs: number }
  /** Cut the connection mid-response: half the body of a GET, else half the status line and headers. */
  | { reset: true }
  /** 307 to the same path on another base URL (e.g. another fake on another loopback port). */
  | { redirectTo: string };

export interface FakeRequest {
  method: string;
  path: string;
  /** 0 for the first request this fake received. */
  index: number;
}

export interface FakeRegistryOptions {
  /** repository → tag → manifest. Every manifest also answers by its digest. Ignores Accept (the real
   * registry's Accept quirks live in the Distribution tests); the recorded headers show what was sent. */
  images?: Record<string, Record<string, FakeManifest>>;
  /** Tags that tags/list reports besides those of `images`, e.g. hundreds for pagination. */
  extraTags?: Record<string, string[]>;
  /** Page size of tags/list when the client sends no `n` (default: everything in one page). */
  defaultPageSize?: number;
  /** Docker Hub rate-limit headers on manifest answers; each manifest GET (not HEAD) spends one, and at 0
   * the fake answers 429 TOOMANYREQUESTS like Docker Hub. */
  rateLimit?: { limit: number; remaining: number; windowSeconds?: number; source?: string };
  /** Decides, request by request, whether to misbehave (see `firstRequests`). */
  fault?: (request: FakeRequest) => Fault | undefined;
}

export interface FakeRegistry {
  host: string;
  url: string;
  port: number;
  requests(): RecordedRequest[];
  clearRequests(): void;
  stop(): Promise<void>;
}

/** A fault for the first `count` requests that match (all requests by default), then none. */
export function firstRequests(count: number, fault: Fault, matches: (request: FakeRequest) => boolean = () => true): (request: FakeRequest) => Fault | undefined {
  let seen = 0;
  return (request) => (matches(request) && seen++ < count ? fault : undefined);
}

export const isManifestRequest = (request: FakeRequest): boolean => /^\/v2\/.+\/manifests\/[^/]+$/.test(request.path.split('?')[0] ?? '');

const ERROR_CODES: Record<number, string> = { 401: 'UNAUTHORIZED', 403: 'DENIED', 404: 'MANIFEST_UNKNOWN', 429: 'TOOMANYREQUESTS', 503: 'UNAVAILABLE' };

function errorBody(status: number, code = ERROR_CODES[status] ?? 'UNKNOWN'): string {
  return JSON.stringify({ errors: [{ code, message: `fake registry answers ${status}`, detail: null }] });
}

/**
 * A schema 1 manifest as Docker Hub served them: pretty JWS whose digest covers the payload without the
 * `signatures` block. The signature is a placeholder (clients do not verify it; pullcheck only reads the
 * media type and digest).
 */
export function schema1Manifest(repository: string, tag: string, architecture = 'amd64'): FakeManifest {
  const payload = JSON.stringify({
    schemaVersion: 1,
    name: repository,
    tag,
    architecture,
    fsLayers: [{ blobSum: 'sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4' }],
    history: [{ v1Compatibility: JSON.stringify({ id: digestOf(Buffer.from(`${repository}:${tag}`)).slice(7), architecture, os: 'linux' }) }],
  }, null, 3);
  const formatLength = payload.length - 2; // the payload ends "\n}"; formatTail holds those two characters
  const protectedHeader = Buffer.from(JSON.stringify({ formatLength, formatTail: Buffer.from('\n}').toString('base64url'), time: '2016-01-01T00:00:00Z' })).toString('base64url');
  const signatures = JSON.stringify([{ header: { alg: 'ES256' }, signature: 'cGxhY2Vob2xkZXI', protected: protectedHeader }], null, 3).replace(/\n/g, '\n   ');
  return {
    mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
    body: `${payload.slice(0, formatLength)},\n   "signatures": ${signatures}\n}`,
    digest: digestOf(Buffer.from(payload)),
  };
}

interface StoredManifest { mediaType: string; body: Buffer; digest: string }

function indexImages(images: Record<string, Record<string, FakeManifest>>): Map<string, Map<string, StoredManifest>> {
  const byRepository = new Map<string, Map<string, StoredManifest>>();
  for (const [repository, tags] of Object.entries(images)) {
    const references = new Map<string, StoredManifest>();
    for (const [tag, manifest] of Object.entries(tags)) {
      const body = Buffer.from(manifest.body);
      const stored = { mediaType: manifest.mediaType, body, digest: manifest.digest ?? digestOf(body) };
      references.set(tag, stored);
      references.set(stored.digest, stored);
    }
    byRepository.set(repository, references);
  }
  return byRepository;
}

export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const images = indexImages(options.images ?? {});
  const rateLimit = options.rateLimit ? { ...options.rateLimit } : undefined;
  const recorded: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let index = 0;

  const rateLimitHeaders = (): Record<string, string> => {
    if (!rateLimit) return {};
    const window = rateLimit.windowSeconds ?? 21_600;
    return {
      'ratelimit-limit': `${rateLimit.limit};w=${window}`,
      'ratelimit-remaining': `${rateLimit.remaining};w=${window}`,
      'docker-ratelimit-source': rateLimit.source ?? '127.0.0.1',
    };
  };

  function answer(req: http.IncomingMessage, res: http.ServerResponse, url: URL): number {
    const send = (status: number, headers: Record<string, string>, body: string | Buffer = ''): number => {
      const bytes = Buffer.from(body);
      res.writeHead(status, { 'docker-distribution-api-version': 'registry/2.0', 'content-length': String(bytes.length), ...headers });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      return status;
    };
    const json = { 'content-type': 'application/json' };
    if (url.pathname === '/v2/' || url.pathname === '/v2') return send(200, json, '{}');

    const tagsList = url.pathname.match(/^\/v2\/(.+)\/tags\/list$/);
    if (tagsList && req.method === 'GET') {
      const repository = tagsList[1]!;
      const known = images.get(repository);
      if (!known && !options.extraTags?.[repository]) return send(404, json, errorBody(404, 'NAME_UNKNOWN'));
      const tags = [...new Set([...[...(known?.keys() ?? [])].filter((reference) => !reference.startsWith('sha256:')), ...(options.extraTags?.[repository] ?? [])])].sort();
      const last = url.searchParams.get('last');
      const size = Number(url.searchParams.get('n') ?? options.defaultPageSize ?? tags.length);
      const after = last === null ? tags : tags.filter((tag) => tag > last);
      const page = after.slice(0, size);
      const more = after.length > page.length && page.length > 0;
      const link: Record<string, string> = more ? { link: `</v2/${repository}/tags/list?n=${size}&last=${encodeURIComponent(page[page.length - 1]!)}>; rel="next"` } : {};
      return send(200, { ...json, ...link }, JSON.stringify({ name: repository, tags: page }));
    }

    const manifest = url.pathname.match(/^\/v2\/(.+)\/manifests\/([^/]+)$/);
    if (manifest && (req.method === 'GET' || req.method === 'HEAD')) {
      const stored = images.get(manifest[1]!)?.get(decodeURIComponent(manifest[2]!));
      if (rateLimit && req.method === 'GET') {
        if (rateLimit.remaining === 0) return send(429, { ...json, ...rateLimitHeaders() }, errorBody(429));
        rateLimit.remaining -= 1;
      }
      if (!stored) return send(404, { ...json, ...rateLimitHeaders() }, errorBody(404));
      return send(200, { 'content-type': stored.mediaType, 'docker-content-digest': stored.digest, etag: `"${stored.digest}"`, ...rateLimitHeaders() }, stored.body);
    }
    return send(404, json, errorBody(404, 'UNSUPPORTED'));
  }

  /** Writes part of a response, then destroys the socket, like a peer that crashed or a middlebox reset. */
  function cutMidResponse(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const socket = req.socket;
    const stored = url.pathname.match(/^\/v2\/(.+)\/manifests\/([^/]+)$/);
    const body = stored ? images.get(stored[1]!)?.get(decodeURIComponent(stored[2]!))?.body : undefined;
    if (req.method === 'GET' && body && body.length > 1) {
      res.writeHead(200, { 'content-length': String(body.length) });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => socket.destroy());
    } else {
      socket.write('HTTP/1.1 200 OK\r\nContent-Ty', () => socket.destroy());
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake.invalid');
    const entry = describeRequest(req.method ?? 'GET', req.url ?? '/', req.headers);
    const record = (status: number | null): void => void recorded.push({ ...entry, status });
    const fault = options.fault?.({ method: entry.method, path: entry.path, index: index++ });
    if (fault && 'reset' in fault) {
      record(null);
      cutMidResponse(req, res, url);
    } else if (fault && 'redirectTo' in fault) {
      record(307);
      res.writeHead(307, { location: `${fault.redirectTo}${req.url ?? '/'}`, 'content-length': '0' }).end();
    } else if (fault && 'status' in fault) {
      const body = errorBody(fault.status);
      record(fault.status);
      res.writeHead(fault.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...fault.headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else if (fault && 'delayMs' in fault) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) record(answer(req, res, url));
      }, fault.delayMs);
      timers.add(timer);
    } else {
      record(answer(req, res, url));
    }
  });
  const port = await listen(server);
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => [...recorded],
    clearRequests: () => void recorded.splice(0),
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return (server.address() as AddressInfo).port;
}

export interface TcpProxy {
  host: string;
  port: number;
  /** Connections accepted so far (a client that reuses connections keeps this low). */
  connections(): number;
  stop(): Promise<void>;
}

/**
 * A loopback TCP proxy that delays every chunk by `delayMs` in each direction (this kernel has no netem).
 * Chunks keep their order because timers with equal delays fire in the order they were set. There is no
 * back-pressure: fine for registry test traffic of a few kilobytes.
 */
export async function startTcpProxy(targetPort: number, options: { delayMs?: number } = {}): Promise<TcpProxy> {
  const delayMs = options.delayMs ?? 0;
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let accepted = 0;
  const later = (action: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, delayMs);
    timers.add(timer);
  };
  const relay = (from: net.Socket, to: net.Socket): void => {
    from.on('data', (chunk) => later(() => to.write(chunk)));
    from.on('end', () => later(() => to.end()));
    from.on('error', () => to.destroy());
    from.on('close', () => later(() => to.destroy()));
  };

  const server = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    relay(client, upstream);
    relay(upstream, client);
  });
  const port = await listen(server);
  return {
    host: `127.0.0.1:${port}`,
    port,
    connections: () => accepted,
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port with nothing listening (bound, then closed), for "connection refused" tests. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `fake(options)` for a test file: starts a fake registry that is stopped after the test that started it. */
export function fakesStoppedAfterEach(): (options?: FakeRegistryOptions) => Promise<FakeRegistry> {
  const running: FakeRegistry[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((f) => f.stop()));
  });
  return async (options) => {
    const started = await startFakeRegistry(options);
    running.push(started);
    return started;
  };
}
