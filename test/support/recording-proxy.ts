// A transparent HTTP(S) reverse proxy in front of the real registry, so tests can see every request the
// code under test sent (method, path, status, whether it carried credentials). Distribution's own access
// log cannot say whether a request carried an Authorization header, hence this hop.
// The Host header is passed through unchanged, so the absolute URLs Distribution builds (upload Location
// headers) point back at this proxy, as they would at a real registry.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { describeRequest, type RecordedRequest } from './recorded.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) are for one connection only and are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface RecordingProxy {
  port: number;
  requests(): RecordedRequest[];
  clearRequests(): void;
  stop(): Promise<void>;
}

export interface RecordingProxyOptions {
  targetPort: number;
  /** Serve HTTPS with this certificate and speak HTTPS to the target (whose certificate is not checked:
   * the target is our own child process; the client-facing certificate is the one under test). */
  tls?: { cert: string; key: string };
}

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const recorded: RecordedRequest[] = [];
  const upstream = options.tls
    ? new https.Agent({ keepAlive: true, rejectUnauthorized: false })
    : new http.Agent({ keepAlive: true });
  const send = options.tls ? https.request : http.request;

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const entry = describeRequest(req.method ?? 'GET', req.url ?? '/', req.headers);
    const forward = send(
      { host: '127.0.0.1', port: options.targetPort, method: req.method, path: req.url, headers: withoutHopByHop(req.headers), agent: upstream },
      (answer) => {
        recorded.push({ ...entry, status: answer.statusCode ?? null });
        res.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      recorded.push({ ...entry, status: null });
      res.destroy(error);
    });
    req.pipe(forward);
  };

  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handle) : http.createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    requests: () => [...recorded],
    clearRequests: () => void recorded.splice(0),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstream.destroy();
    },
  };
}
