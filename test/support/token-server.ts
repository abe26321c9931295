// A small token server that follows the Docker registry token spec, as Distribution's `auth.token` expects:
//   GET  realm?service=S&scope=A&scope=B&account=U   (Basic auth of a user, or none for anonymous)
//   POST realm  grant_type=password|refresh_token     (OAuth2, form-encoded)
// It answers ES256 JWTs signed with a key whose self-signed certificate is the registry's rootcertbundle.
// Written by hand because no library implements the server side of this spec; the JWT is three base64url
// parts, and Distribution's exact demands (libtrust kid, raw r‖s signature, string aud) are listed in
// /work/shared/notes/registry-facts.md.
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import { HARNESS_HEADER } from './recorded.js';
import { makeSigningCertificate } from './tls.js';

/** user → repository globs they may pull / push; the anonymous user is ''. */
export type Grants = Record<string, { pull?: string[]; push?: string[] }>;

export interface TokenRequest {
  method: 'GET' | 'POST';
  /** `get` for the GET form, else the OAuth2 grant_type as sent. */
  grantType: string;
  service: string | null;
  /** Scopes as sent, one per entry (`repository:team/app:pull`). */
  scopes: string[];
  account: string | null;
  /** The user who asked (from Basic auth or the form); null when anonymous. Never a password. */
  username: string | null;
  hasAuthorization: boolean;
  status: number;
}

export interface RunningTokenServer {
  realm: string;
  service: string;
  requests(): TokenRequest[];
  clearRequests(): void;
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  users: Record<string, string>;
  grants: Grants;
  ttlSeconds?: number;
  /** Serve HTTPS with this certificate. */
  tls?: { cert: string; key: string };
}

export const TOKEN_SERVICE = 'pullcheck-test-registry';
const ISSUER = 'pullcheck-test-token-server';
const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** libtrust key id: SHA-256 of the DER public key, first 240 bits, base32, 12 groups of 4 joined by ':'. */
export function libtrustKeyId(publicKey: KeyObject): string {
  const digest = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const byte of digest) bits += byte.toString(2).padStart(8, '0');
  const base32 = bits.match(/.{5}/g)!.map((chunk) => alphabet[parseInt(chunk, 2)]).join('');
  return base32.match(/.{4}/g)!.join(':');
}

interface Scope { type: string; name: string; actions: string[] }

/** `repository:team/app:pull,push` → parts; the name is whatever lies between the first and last ':'. */
function parseScope(scope: string): Scope | null {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return null;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

function grantedActions(grants: Grants, username: string, scope: Scope): string[] {
  const grant = grants[username];
  if (!grant || scope.type !== 'repository') return [];
  const allows = (globs: string[] | undefined): boolean => (globs ?? []).some((glob) => picomatch(glob)(scope.name));
  return scope.actions.filter((action) => (action === 'pull' && allows(grant.pull)) || (action === 'push' && allows(grant.push)));
}

function basicCredentials(header: string | undefined): { username: string; password: string } | null {
  if (!header?.toLowerCase().startsWith('basic ')) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTokenServer(options: TokenServerOptions): Promise<RunningTokenServer & { issuer: string; rootCertFile: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pullcheck-token-'));
  const { certFile, keyFile } = await makeSigningCertificate(dir);
  const privateKey = createPrivateKey(await readFile(keyFile, 'utf8'));
  const kid = libtrustKeyId(createPublicKey(privateKey));
  const ttlSeconds = options.ttlSeconds ?? 300;
  const refreshTokens = new Map<string, string>(); // refresh token → username
  const recorded: TokenRequest[] = [];

  const mint = (username: string, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes.flatMap((text) => {
      const scope = parseScope(text);
      return scope ? [{ type: scope.type, name: scope.name, actions: grantedActions(options.grants, username, scope) }] : [];
    });
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', kid }));
    const claims = base64url(JSON.stringify({ iss: ISSUER, sub: username, aud: TOKEN_SERVICE, exp: now + ttlSeconds, nbf: now, iat: now, jti: randomBytes(12).toString('hex'), access }));
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    return `${header}.${claims}.${base64url(signature)}`;
  };

  const answer = (res: http.ServerResponse, status: number, body: object): number => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return status;
  };
  const issue = (res: http.ServerResponse, username: string, scopes: string[], withRefreshToken: boolean): number => {
    const token = mint(username, scopes);
    let refresh_token: string | undefined;
    if (withRefreshToken) {
      refresh_token = randomBytes(24).toString('hex');
      refreshTokens.set(refresh_token, username);
    }
    return answer(res, 200, { token, access_token: token, expires_in: ttlSeconds, issued_at: new Date().toISOString(), ...(refresh_token ? { refresh_token } : {}) });
  };
  const passwordMatches = (username: string, password: string): boolean => options.users[username] === password;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    const basic = basicCredentials(req.headers.authorization);
    const entry = { hasAuthorization: req.headers.authorization !== undefined, username: basic?.username ?? null };
    let status: number;
    let record: Omit<TokenRequest, 'status'>;
    if (req.method === 'GET') {
      const scopes = url.searchParams.getAll('scope').flatMap((scope) => scope.split(' ')).filter(Boolean);
      record = { ...entry, method: 'GET', grantType: 'get', service: url.searchParams.get('service'), scopes, account: url.searchParams.get('account') };
      if (record.service !== TOKEN_SERVICE) status = answer(res, 400, { details: `unknown service ${JSON.stringify(record.service)}` });
      else if (req.headers.authorization && (!basic || !passwordMatches(basic.username, basic.password))) status = answer(res, 401, { details: 'incorrect username or password' });
      else status = issue(res, basic?.username ?? '', scopes, basic !== null && url.searchParams.get('offline_token') === 'true');
    } else if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const grantType = form.get('grant_type') ?? '';
      const username = grantType === 'password' ? form.get('username') : grantType === 'refresh_token' ? (refreshTokens.get(form.get('refresh_token') ?? '') ?? null) : null;
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      record = { ...entry, method: 'POST', grantType, service: form.get('service'), scopes, account: null, username };
      if (record.service !== TOKEN_SERVICE) status = answer(res, 400, { error: 'invalid_request', error_description: 'unknown service' });
      else if (grantType === 'password') {
        status = username !== null && passwordMatches(username, form.get('password') ?? '')
          ? issue(res, username, scopes, form.get('access_type') === 'offline')
          : answer(res, 401, { error: 'invalid_grant', error_description: 'incorrect username or password' });
      } else if (grantType === 'refresh_token') {
        status = username !== null ? issue(res, username, scopes, false) : answer(res, 400, { error: 'invalid_grant', error_description: 'unknown refresh token' });
      } else status = answer(res, 400, { error: 'unsupported_grant_type' });
    } else {
      res.writeHead(405).end();
      return;
    }
    if (req.headers[HARNESS_HEADER] === undefined) recorded.push({ ...record, status });
  };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(req, res).catch((error: Error) => res.writeHead(500).end(error.message));
  };
  const server = options.tls ? https.createServer(options.tls, onRequest) : http.createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    realm: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/token`,
    service: TOKEN_SERVICE,
    issuer: ISSUER,
    rootCertFile: certFile,
    requests: () => [...recorded],
    clearRequests: () => void recorded.splice(0),
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
