// Runs the real CNCF Distribution registry (`docker-registry serve CONFIG`, 2.8 from Debian) on loopback for
// the registry tests: anonymous, htpasswd basic auth, token auth (with our token server), optionally TLS.
// Requests reach it through a recording proxy so tests can see what the code under test sent.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { run, startChild } from './process.js';
import type { RecordedRequest } from './recorded.js';
import { startRecordingProxy } from './recording-proxy.js';
import { makeTlsMaterial, type TlsCertKind, type TlsMaterial } from './tls.js';
import { startTokenServer, type Grants, type RunningTokenServer } from './token-server.js';

export type { RecordedRequest } from './recorded.js';
export type { RunningTokenServer, TokenRequest } from './token-server.js';
export type { TlsCertKind } from './tls.js';

export interface RegistryOptions {
  auth?: 'none' | 'htpasswd' | 'token';
  /** htpasswd and token users (username → password). */
  users?: Record<string, string>;
  /** Serve HTTPS with a CA made by the tests. */
  tls?: boolean;
  /** Which certificate to serve when `tls` (default valid). */
  tlsCert?: TlsCertKind;
  /** Token auth: which user may pull/push which repositories (globs on the repository name, e.g.
   * `team/*`); the anonymous user is the key ''. Default: every listed user may pull and push everything,
   * anonymous may do nothing. */
  grants?: Grants;
  /** `expires_in` the token server returns (default 300). */
  tokenTtlSeconds?: number;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT` of the recorded entry point. */
  host: string;
  /** Its PORT (e.g. for startTcpProxy in front of it). */
  port: number;
  /** `http://127.0.0.1:PORT` or `https://…`. */
  url: string;
  /** Distribution itself, without the recording proxy: what is sent here is not recorded (the push helpers use it). */
  direct: { host: string; url: string };
  /** PID of the docker-registry process. */
  pid: number;
  caPem?: string;
  caFile?: string;
  token?: RunningTokenServer;
  /** Credentials that may always pull and push (null without auth). */
  admin: { username: string; password: string } | null;
  /** Requests that reached the registry through `url`, oldest first. */
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** Stops the proxy, the registry (by PID, waiting for its exit) and the token server; removes temp dirs. */
  stop(): Promise<void>;
}

const ADMIN_USERNAME = 'pullcheck-admin';
/** bcrypt cost: Distribution checks the hash on every request, and the default (10) costs ~60 ms each. */
const BCRYPT_COST = '4';

async function htpasswdFile(dir: string, users: Record<string, string>): Promise<string> {
  const lines = await Promise.all(
    Object.entries(users).map(([username, password]) => run('htpasswd', ['-niB', '-C', BCRYPT_COST, username], password)),
  );
  const file = path.join(dir, 'htpasswd');
  await writeFile(file, lines.map((line) => line.trim()).join('\n') + '\n');
  return file;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const auth = options.auth ?? 'none';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pullcheck-registry-'));
  const cleanups: (() => Promise<void>)[] = [() => rm(dir, { recursive: true, force: true })];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse()) await step();
  };

  try {
    const admin = auth === 'none' ? null : { username: ADMIN_USERNAME, password: randomBytes(12).toString('hex') };
    const users = { ...options.users, ...(admin ? { [admin.username]: admin.password } : {}) };
    const tls: TlsMaterial | undefined = options.tls ? await makeTlsMaterial(dir, options.tlsCert) : undefined;

    const config: Record<string, unknown> = {
      version: '0.1',
      log: { level: 'info', formatter: 'text', accesslog: { disabled: true } },
      storage: {
        filesystem: { rootdirectory: path.join(dir, 'data') },
        delete: { enabled: true },
        maintenance: { uploadpurging: { enabled: false } },
      },
      // Lets pushImage store schema 1 manifests (2.8 refuses their PUT otherwise).
      compatibility: { schema1: { enabled: true } },
      http: {
        addr: '127.0.0.1:0',
        secret: randomBytes(16).toString('hex'),
        ...(tls ? { tls: { certificate: tls.certFile, key: tls.keyFile } } : {}),
      },
    };

    let token: RunningTokenServer | undefined;
    if (auth === 'htpasswd') {
      config.auth = { htpasswd: { realm: 'pullcheck-test', path: await htpasswdFile(dir, users) } };
    } else if (auth === 'token') {
      const defaultGrants: Grants = Object.fromEntries(Object.keys(users).map((user) => [user, { pull: ['**'], push: ['**'] }]));
      const grants: Grants = { ...(options.grants ?? defaultGrants), [ADMIN_USERNAME]: { pull: ['**'], push: ['**'] } };
      const server = await startTokenServer({ users, grants, ttlSeconds: options.tokenTtlSeconds, tls: tls?.valid });
      cleanups.push(() => server.stop());
      token = server;
      config.auth = { token: { realm: server.realm, service: server.service, issuer: server.issuer, rootcertbundle: server.rootCertFile } };
    }

    const configFile = path.join(dir, 'config.yml');
    await writeFile(configFile, stringify(config));
    const registry = await startChild('docker-registry', ['serve', configFile], /listening on 127\.0\.0\.1:(\d+)/);
    cleanups.push(() => registry.stop());
    const registryPort = Number(registry.ready[1]);

    const proxy = await startRecordingProxy({ targetPort: registryPort, tls: tls ? { cert: tls.cert, key: tls.key } : undefined });
    cleanups.push(() => proxy.stop());

    const scheme = tls ? 'https' : 'http';
    const host = `127.0.0.1:${proxy.port}`;
    const directHost = `127.0.0.1:${registryPort}`;
    return {
      host,
      port: proxy.port,
      url: `${scheme}://${host}`,
      direct: { host: directHost, url: `${scheme}://${directHost}` },
      pid: registry.pid,
      ...(tls ? { caPem: tls.caPem, caFile: tls.caFile } : {}),
      ...(token ? { token } : {}),
      admin,
      requests: proxy.requests,
      clearRequests: proxy.clearRequests,
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
