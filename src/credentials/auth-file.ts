// Credential files in Docker's format: Docker's config.json and podman/skopeo's auth.json share it.
//   auths:       { "<server>": { auth: base64(user:pass) | username+password | identitytoken | registrytoken } }
//   credHelpers: { "<server>": "<name>" }   → docker-credential-<name> for that server only
//   credsStore:  "<name>"                   → docker-credential-<name> for every server
// Like Docker, a server's credHelpers entry wins over credsStore, and a helper's answer over `auths`.
import { readFileSync } from 'node:fs';
import { normaliseHost } from '../options.js';
import { askHelper, type HelperAnswer } from './helper.js';
import { memoise, type Credential, type CredentialProblem, type Keychain } from './keychain.js';
import { isObject } from '../guards.js';

interface AuthEntry { auth?: unknown; username?: unknown; password?: unknown; identitytoken?: unknown; registrytoken?: unknown }

interface ParsedAuthFile {
  entries: Map<string, AuthEntry>;
  helpers: Map<string, string>;
  store: string | null;
}

export interface AuthFileOptions {
  /** Names the file in the credential's `source` and in findings, e.g. `Docker config ~/.docker/config.json`. */
  label: string;
  /**
   * What a key with a path means. Docker keys are servers and ignore any path (`docker`); podman's
   * `quay.io/team` holds credentials for that namespace only, which a per-host keychain cannot honour, so
   * such keys are left out (`podman`).
   */
  paths: 'docker' | 'podman';
  /** Environment for credential helpers (they need PATH, HOME, cloud credentials …). */
  env: NodeJS.ProcessEnv;
  helperTimeoutMs?: number;
}

/** Docker Hub's key in config files and credential stores, from the days of the v1 API. */
export const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';

export function authFileKeychain(file: string, options: AuthFileOptions): Keychain {
  const problems: CredentialProblem[] = [];
  let parsed: ParsedAuthFile | null = null;
  const load = (): ParsedAuthFile => (parsed ??= readAuthFile(file, options, problems));
  const source = options.label;

  const fromHelper = async (name: string, host: string): Promise<Credential | null> => {
    for (const serverUrl of helperServerUrls(host)) {
      const answer: HelperAnswer = await askHelper(name, serverUrl, { env: options.env, timeoutMs: options.helperTimeoutMs });
      if (answer.kind === 'not-found') continue;
      if (answer.kind === 'failed') {
        problems.push({
          rule: 'credential-helper-failed',
          host,
          message: `The credential helper docker-credential-${name} (named in ${options.label}) failed for ${host}: ${answer.why}. Images on ${host} were checked without these credentials.`,
        });
        return null;
      }
      const helperSource = `${source} (docker-credential-${name})`;
      return answer.username === '<token>'
        ? { kind: 'identity', token: answer.secret, username: null, source: helperSource }
        : { kind: 'basic', username: answer.username, password: answer.secret, source: helperSource };
    }
    return null;
  };

  return memoise({
    async resolve(requested) {
      const host = normaliseHost(requested);
      const file = load();
      const helper = file.helpers.get(host) ?? file.store;
      if (helper) {
        const found = await fromHelper(helper, host);
        if (found) return found;
      }
      const entry = file.entries.get(host);
      return entry ? credentialOf(entry, host, options.label, problems) : null;
    },
    problems: () => [...problems],
  });
}

/** The server URLs Docker itself stores a host's credentials under, most likely first. */
function helperServerUrls(host: string): string[] {
  return host === 'docker.io' ? [DOCKER_HUB_SERVER_URL, 'docker.io'] : [host, `https://${host}`];
}

function readAuthFile(file: string, options: AuthFileOptions, problems: CredentialProblem[]): ParsedAuthFile {
  const empty: ParsedAuthFile = { entries: new Map(), helpers: new Map(), store: null };
  const invalid = (why: string): ParsedAuthFile => {
    problems.push({ rule: 'credential-file-invalid', host: null, message: `${options.label} ${why}; its credentials were not used.` });
    return empty;
  };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No file is the common case (nobody logged in): nothing to offer, and nothing wrong.
    return code === 'ENOENT' || code === 'ENOTDIR' ? empty : invalid(`cannot be read (${code ?? 'error'})`);
  }
  if (text.trim() === '') return empty;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // Only the position: V8's message can quote the file's text, and this file holds secrets.
    const at = /line \d+ column \d+/.exec((error as Error).message)?.[0];
    return invalid(`is not valid JSON${at ? ` (${at})` : ''}`);
  }
  if (!isObject(json)) return invalid('is not a JSON object');
  const { auths, credHelpers, credsStore } = json;
  if (auths !== undefined && !isObject(auths)) return invalid('has an "auths" that is not an object');
  if (credHelpers !== undefined && !isObject(credHelpers)) return invalid('has a "credHelpers" that is not an object');
  if (credsStore !== undefined && typeof credsStore !== 'string') return invalid('has a "credsStore" that is not a string');

  const result: ParsedAuthFile = { entries: new Map(), helpers: new Map(), store: credsStore || null };
  for (const [key, entry] of Object.entries(auths ?? {})) {
    const host = hostOfKey(key, options.paths);
    if (host === null || !isObject(entry)) continue;
    // An exact `host` key beats `https://host/…` spellings of the same server.
    if (!result.entries.has(host) || key === host) result.entries.set(host, entry);
  }
  for (const [key, name] of Object.entries(credHelpers ?? {})) {
    const host = hostOfKey(key, options.paths);
    if (host !== null && typeof name === 'string' && name !== '') result.helpers.set(host, name);
  }
  return result;
}

/** `https://index.docker.io/v1/` → `docker.io`; `ghcr.io` → `ghcr.io`; podman's `quay.io/team` → null. */
function hostOfKey(key: string, paths: AuthFileOptions['paths']): string | null {
  const path = key.trim().replace(/^[a-z]+:\/\//i, '').replace(/^[^/]*/, '');
  if (paths === 'podman' && !/^\/?(v[12]\/?)?$/.test(path)) return null;
  const host = normaliseHost(key);
  return host === '' ? null : host;
}

function credentialOf(entry: AuthEntry, host: string, label: string, problems: CredentialProblem[]): Credential | null {
  const source = label;
  const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  if (text(entry.registrytoken)) return { kind: 'token', token: text(entry.registrytoken)!, source };
  const decoded = text(entry.auth) ? splitAuth(text(entry.auth)!) : null;
  if (text(entry.auth) && !decoded) {
    problems.push({ rule: 'credential-file-invalid', host, message: `${label} has an "auth" value for ${host} that is not base64 of user:password; it was not used.` });
  }
  const username = decoded?.username ?? text(entry.username);
  if (text(entry.identitytoken)) return { kind: 'identity', token: text(entry.identitytoken)!, username, source };
  if (decoded) return { kind: 'basic', ...decoded, source };
  const password = text(entry.password);
  if (username && password) return { kind: 'basic', username, password, source };
  return null;
}

/** A Docker `auth` value (base64 of `user:password`) taken apart; null when it is not one. */
export function splitAuth(auth: string): { username: string; password: string } | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(auth.trim())) return null;
  const decoded = Buffer.from(auth.trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : null;
}

