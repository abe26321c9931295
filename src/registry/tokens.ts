// Bearer tokens from a registry's token service (Docker token spec, OAuth2 refresh-token flow).
// Cached per realm + service + scope + identity until `expires_in` (60 s when absent, as the spec says)
// minus a margin; single-flight: every image that needs a token for the same scope waits for one call.
import type { Credential } from '../credentials/keychain.js';
import type { Channel, HttpResponse, Transport } from './transport.js';
import { isLoopbackHost } from './transport.js';
import { unexpectedAnswer, verdict } from './verdict.js';

export interface BearerChallenge {
  realm: URL;
  service: string | null;
}

export interface Grant {
  token: string;
  /** The token was issued for several scopes at once (a prefetch); a refusal with it is not final. */
  shared: boolean;
}

interface Entry {
  promise: Promise<Grant>;
  expiresAt: number;
  /** Once issued. */
  token?: string;
}

const DEFAULT_EXPIRES_IN_S = 60;
const MAX_TOKEN_RESPONSE = 1024 * 1024;
/** Scopes per token call: a token call costs one round trip, and a URL with 25 scopes stays far below 8 KB. */
export const SCOPES_PER_CALL = 25;
const CLIENT_ID = 'pullcheck';

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

export class Tokens {
  readonly #cache = new Map<string, Entry>();
  readonly #identities = new WeakMap<Credential, number>();
  #lastIdentity = 0;
  /** Token-service calls made (for the benchmark and tests). */
  calls = 0;

  constructor(readonly transport: Transport) {}

  /** A token for one scope. `own`: not the prefetched shared token, one issued for this scope alone. */
  get(channel: Channel, challenge: BearerChallenge, scope: string, credential: Credential | null, own = false): Promise<Grant> {
    const key = this.#key(challenge, own ? `${scope}\0own` : scope, credential);
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.promise;
    return this.#remember(key, this.#fetch(channel, challenge, [scope], credential));
  }

  /**
   * Drops `stale`, a token the registry called invalid, so the next `get` asks again. Only that token: when
   * it expires under several requests at once, the first to hear so fetches the new one and the others use
   * it (dropping whatever is cached would cost one token call per request in flight).
   */
  forget(challenge: BearerChallenge, scope: string, credential: Credential | null, stale: string): void {
    const key = this.#key(challenge, scope, credential);
    if (this.#cache.get(key)?.token === stale) this.#cache.delete(key);
  }

  /**
   * One token call for many scopes (in chunks of SCOPES_PER_CALL) instead of one per repository. Each
   * scope's entry falls back to a call of its own when the shared call fails (some token services refuse a
   * whole request when one scope is denied).
   */
  prefetch(channel: Channel, challenge: BearerChallenge, scopes: string[], credential: Credential | null): void {
    const missing = scopes.filter((scope) => !this.#cache.has(this.#key(challenge, scope, credential)));
    for (let i = 0; i < missing.length; i += SCOPES_PER_CALL) {
      const chunk = missing.slice(i, i + SCOPES_PER_CALL);
      if (chunk.length < 2) continue; // a single scope is fetched when first needed
      const shared = this.#fetch(channel, challenge, chunk, credential);
      for (const scope of chunk) {
        const promise = shared.then(
          (grant) => ({ ...grant, shared: true }),
          () => this.#fetch(channel, challenge, [scope], credential),
        );
        this.#remember(this.#key(challenge, scope, credential), promise);
      }
    }
  }

  #remember(key: string, promise: Promise<Grant & { expiresAt?: number }>): Promise<Grant> {
    const entry: Entry = { promise, expiresAt: Number.POSITIVE_INFINITY };
    promise.then(
      (grant) => {
        entry.expiresAt = grant.expiresAt ?? Number.POSITIVE_INFINITY;
        entry.token = grant.token;
      },
      () => undefined, // a refusal stays cached for the run: asking again gets the same answer
    );
    this.#cache.set(key, entry);
    return promise;
  }

  #key(challenge: BearerChallenge, scope: string, credential: Credential | null): string {
    return [challenge.realm.href, challenge.service ?? '', scope, this.#identity(credential)].join('\n');
  }

  /** A number per credential object: two credentials never share a token, and no secret goes into a key. */
  #identity(credential: Credential | null): number {
    if (!credential) return 0;
    let id = this.#identities.get(credential);
    if (id === undefined) this.#identities.set(credential, (id = ++this.#lastIdentity));
    return id;
  }

  async #fetch(channel: Channel, challenge: BearerChallenge, scopes: string[], credential: Credential | null): Promise<Grant & { expiresAt: number }> {
    const realm = challenge.realm;
    if (credential && realm.protocol !== 'https:' && !isLoopbackHost(realm.hostname)) {
      throw verdict('unauthorized', null, `the token service ${realm.host} is plain HTTP; the credentials from ${credential.source} are not sent there`);
    }
    let response: HttpResponse;
    if (credential?.kind === 'identity') {
      response = await this.#post(channel, challenge, scopes, credential.token);
      // Registries without the OAuth2 POST endpoint (GCR, some Artifactory) answer 404/405: use GET + basic.
      if (response.status === 404 || response.status === 405) {
        response = await this.#get(channel, challenge, scopes, credential.username ?? '<token>', credential.token);
      }
    } else if (credential?.kind === 'basic') {
      response = await this.#get(channel, challenge, scopes, credential.username, credential.password);
    } else {
      response = await this.#get(channel, challenge, scopes, null, null);
    }
    return parseGrant(response, realm, credential);
  }

  #get(channel: Channel, challenge: BearerChallenge, scopes: string[], username: string | null, password: string | null): Promise<HttpResponse> {
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    if (username && username !== '<token>') url.searchParams.set('account', username);
    const authorization = password !== null ? `Basic ${Buffer.from(`${username ?? ''}:${password}`).toString('base64')}` : null;
    this.calls++;
    return this.transport.send(channel, { method: 'GET', url, authorization, maxBodyBytes: MAX_TOKEN_RESPONSE });
  }

  #post(channel: Channel, challenge: BearerChallenge, scopes: string[], refreshToken: string): Promise<HttpResponse> {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID, scope: scopes.join(' ') });
    if (challenge.service) form.set('service', challenge.service);
    this.calls++;
    return this.transport.send(channel, {
      method: 'POST',
      url: challenge.realm,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      maxBodyBytes: MAX_TOKEN_RESPONSE,
    });
  }
}

function parseGrant(response: HttpResponse, realm: URL, credential: Credential | null): Grant & { expiresAt: number } {
  if (response.status === 401 || response.status === 403) {
    throw verdict(
      'unauthorized',
      response.status,
      credential
        ? `the token service ${realm.host} rejected the credentials from ${credential.source}`
        : `the token service ${realm.host} refused anonymous access`,
    );
  }
  if (response.status !== 200) throw unexpectedAnswer(`the token service ${realm.host}`, response);
  let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(response.body?.toString('utf8') ?? '') as typeof parsed;
  } catch {
    throw verdict('registry-error', 200, `the token service ${realm.host} answered with something that is not JSON`);
  }
  const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : parsed.access_token;
  if (typeof token !== 'string' || !token) throw verdict('registry-error', 200, `the token service ${realm.host} answered without a token`);
  const lifetimeMs = (typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_EXPIRES_IN_S) * 1000;
  const marginMs = Math.min(30_000, lifetimeMs / 4); // a token must not expire between the cache and the registry
  return { token, shared: false, expiresAt: Date.now() + lifetimeMs - marginMs };
}
