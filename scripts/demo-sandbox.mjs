// Keeps the demo on this machine. pullcheck resolves every valid image it finds, and examples/ holds one on
// k8s.gcr.io (to show the deprecated-registry rule). pullcheck sends requests for registries that are not
// on loopback through HTTPS_PROXY / HTTP_PROXY (undici's EnvHttpProxyAgent) and never looks their names
// up itself then; loopback registries are always reached directly. So the demo runs the CLI with both
// variables pointing at this stand-in proxy on 127.0.0.1, which refuses every request and notes the host:
// no DNS query and no packet for k8s.gcr.io leaves the machine, and pullcheck reports that registry as
// "could not be reached" (never "not found").
import http from 'node:http';

/** Starts the refusing proxy; `refused()` lists the `host:port`s that were asked for, in order. */
export async function startSandbox() {
  const refused = [];
  const server = http.createServer((req, res) => {
    // A plain-HTTP proxy request carries the absolute URL.
    refused.push(hostOf(req.url));
    res.writeHead(403, { 'content-type': 'text/plain' }).end('the pullcheck demo stays on this machine\n');
  });
  server.on('connect', (req, socket) => {
    refused.push(req.url ?? '?');
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    /** Environment for the CLI: every non-loopback registry goes to the stand-in, whatever the user's proxy settings. */
    env: { HTTPS_PROXY: url, https_proxy: url, HTTP_PROXY: url, http_proxy: url, NO_PROXY: '', no_proxy: '' },
    refused: () => [...new Set(refused)],
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function hostOf(url) {
  try {
    const { hostname, port, protocol } = new URL(url ?? '');
    return `${hostname}:${port || (protocol === 'https:' ? 443 : 80)}`;
  } catch {
    return String(url);
  }
}
