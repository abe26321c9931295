// Loopback servers for the fault matrix that the shared fakes (test/support/fakes.ts) do not cover: a proxy
// that injects faults in front of the REAL registry, a server that accepts connections and never answers,
// and one that never stops sending a body. All on 127.0.0.1, port 0, stopped by handle.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { expect } from 'vitest';
import type { Resolution } from '../../src/model.js';
import type { Fault, FakeRequest } from '../support/fakes.js';

export interface Stoppable {
  host: string;
  url: string;
  port: number;
  stop(): Promise<void>;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return (server.address() as AddressInfo).port;
}

function handle(server: http.Server | net.Server, port: number, sockets: Set<net.Socket>): Stoppable {
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    port,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function tracked(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** Accepts every connection and never sends a byte (a hung registry, or a firewall that swallows traffic). */
export async function startSilentServer(): Promise<Stoppable & { connections(): number }> {
  let accepted = 0;
  const server = net.createServer(() => void accepted++);
  const sockets = tracked(server);
  const port = await listen(server);
  return { ...handle(server, port, sockets), connections: () => accepted };
}

/**
 * Answers `status` (200 by default) with a chunked body that never ends: 64 KiB chunks as fast as the client
 * reads them, for the requests `matches` picks; the others get `otherwise` (e.g. a 401 challenge).
 */
export async function startEndlessBodyServer(
  matches: (req: http.IncomingMessage) => boolean,
  options: { status?: number; contentType?: string; otherwise?: (req: http.IncomingMessage, res: http.ServerResponse) => void } = {},
): Promise<Stoppable & { bytesSent(): number }> {
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, '['); // starts no valid JSON, ends none
  const server = http.createServer((req, res) => {
    if (!matches(req)) {
      if (options.otherwise) options.otherwise(req, res);
      else res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND"}]}');
      return;
    }
    res.writeHead(options.status ?? 200, { 'content-type': options.contentType ?? 'application/json', 'docker-content-digest': `sha256:${'c'.repeat(64)}` });
    if (req.method === 'HEAD') return void res.end();
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk)) sent += chunk.length;
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  const sockets = tracked(server);
  const port = await listen(server);
  return { ...handle(server, port, sockets), bytesSent: () => sent };
}

/**
 * An HTTP reverse proxy in front of the real registry that misbehaves as `fault` says (status answers,
 * connections cut before the answer) and otherwise forwards the request unchanged.
 */
export async function startFaultProxy(targetPort: number, fault: (request: FakeRequest) => Fault | undefined): Promise<Stoppable & { statuses(): Array<number | null> }> {
  const statuses: Array<number | null> = [];
  const upstream = new http.Agent({ keepAlive: true });
  let index = 0;
  const server = http.createServer((req, res) => {
    const injected = fault({ method: req.method ?? 'GET', path: req.url ?? '/', index: index++ });
    if (injected && 'status' in injected) {
      statuses.push(injected.status);
      const body = JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: `injected ${injected.status}` }] });
      res.writeHead(injected.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...injected.headers });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    if (injected && 'reset' in injected) {
      statuses.push(null);
      return void req.socket.destroy();
    }
    const forward = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers, agent: upstream }, (answer) => {
      statuses.push(answer.statusCode ?? null);
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      statuses.push(null);
      res.destroy();
    });
    req.pipe(forward);
  });
  const sockets = tracked(server);
  const port = await listen(server);
  const base = handle(server, port, sockets);
  return {
    ...base,
    statuses: () => [...statuses],
    stop: async () => {
      await base.stop();
      upstream.destroy();
    },
  };
}

/** Runs `work` and measures how long it took (ms). */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

const NOT_FOUND = new Set(['repository-not-found', 'tag-not-found', 'digest-not-found']);

/** The promise every fault row keeps: a fault is never reported as a missing image. */
export function expectNotCalledMissing(resolutions: Iterable<Resolution>): void {
  for (const r of resolutions) expect(NOT_FOUND.has(r.status), `${r.reference} is ${r.status}: ${r.evidence.detail}`).toBe(false);
}
