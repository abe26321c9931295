// Credentials written in pullcheck's own config (`registries:` in the config file) or given to the Action
// as the `registry-auth` input, per registry host. First in the keychain: what the user wrote wins.
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, normaliseHost, type RegistrySettings } from '../options.js';
import type { Credential, Keychain } from './keychain.js';
import { isObject } from '../guards.js';

export function configKeychain(registries: Record<string, RegistrySettings>, source = 'pullcheck config'): Keychain {
  return {
    async resolve(host): Promise<Credential | null> {
      const settings = registries[normaliseHost(host)];
      if (!settings) return null;
      if (settings.token) return { kind: 'token', token: settings.token, source };
      if (settings.username && settings.password) {
        return { kind: 'basic', username: settings.username, password: settings.password, source };
      }
      return null;
    },
  };
}

const AUTH_KEYS = ['username', 'password', 'token'] as const;

export interface ParseRegistryAuthOptions {
  /** Names the input in errors (default `registry-auth`). */
  input?: string;
  /**
   * A fork pull request gets no secrets, so `${{ secrets.X }}` is empty there: `skip` drops entries with an
   * empty value instead of failing the run (the images are then reported `unverified`). Default `error`.
   */
  emptySecrets?: 'error' | 'skip';
  /** Told about each host skipped for an empty secret, so the caller can say so. */
  onSkipped?: (host: string) => void;
}

/**
 * The Action's `registry-auth` input, YAML or JSON:
 *   { "<host>": { username, password } | { token } }
 * Every value is read as a string (YAML's failsafe schema), so a password like `0123` or `true` stays
 * exactly as written. Errors name the host and the key, never a value — the text is a secret.
 */
export function parseRegistryAuth(text: string, options: ParseRegistryAuthOptions = {}): Record<string, RegistrySettings> {
  const input = options.input ?? 'registry-auth';
  if (text.trim() === '') return {};
  const lines = new LineCounter();
  const document = parseDocument(text, { schema: 'failsafe', uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  const error = document.errors[0];
  if (error) {
    // The position only: the parser's message quotes the text around the error, which holds secrets.
    const at = lines.linePos(error.pos[0]);
    throw new ConfigError(`${input} is not valid YAML or JSON (line ${at.line}, column ${at.col})`);
  }
  const value: unknown = document.toJS({ maxAliasCount: 0 });
  if (!isObject(value)) throw new ConfigError(`${input} must map registry hosts to {username, password} or {token}`);

  const result: Record<string, RegistrySettings> = {};
  for (const [key, entry] of Object.entries(value)) {
    const host = normaliseHost(key);
    const where = `${input} for ${host || JSON.stringify(key)}`;
    if (!host || /\s/.test(host)) throw new ConfigError(`${input} has an entry whose key is not a registry host`);
    if (!isObject(entry)) throw new ConfigError(`${where} must be {username, password} or {token}`);
    for (const k of Object.keys(entry)) {
      if (!(AUTH_KEYS as readonly string[]).includes(k)) throw new ConfigError(`unknown setting '${k}' in ${where} (known: ${AUTH_KEYS.join(', ')})`);
    }
    const empty = AUTH_KEYS.filter((k) => entry[k] === '');
    if (empty.length > 0) {
      if (options.emptySecrets === 'skip') {
        options.onSkipped?.(host);
        continue;
      }
      throw new ConfigError(`${empty[0]} in ${where} is empty (is the secret it comes from set?)`);
    }
    const text = (k: (typeof AUTH_KEYS)[number]): string | null => {
      const v = entry[k];
      if (v === undefined || v === null) return null;
      if (typeof v !== 'string') throw new ConfigError(`${k} in ${where} must be a string`);
      return v;
    };
    const username = text('username');
    const password = text('password');
    const token = text('token');
    if (token !== null && (username !== null || password !== null)) throw new ConfigError(`${where} takes either username/password or token, not both`);
    if (token === null && (username === null || password === null)) throw new ConfigError(`${where} needs both username and password (or a token)`);
    if (result[host]) throw new ConfigError(`${input} names ${host} twice`);
    result[host] = { insecure: false, ca: null, username, password, token };
  }
  return result;
}

/**
 * Every secret string in these settings, in the forms it may travel in (as is, and base64 of
 * `user:password` as in an Authorization header), for the Action to mask in the log (core.setSecret).
 */
export function secretsOf(registries: Record<string, RegistrySettings>): string[] {
  return Object.values(registries).flatMap((s) => [
    ...(s.password ? [s.password] : []),
    ...(s.token ? [s.token] : []),
    ...(s.username && s.password ? [Buffer.from(`${s.username}:${s.password}`).toString('base64')] : []),
  ]);
}

