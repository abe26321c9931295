// One registry host during a run: where it answers (HTTPS, or HTTP for insecure and loopback registries),
// what authentication it wants (learned once from `GET /v2/`, single-flight), and its credential. Every
// registry request of a check goes through `request`, which authorises it and reacts to a 401 once.
//
// When credentials are used: the ping is always anonymous (it is how the scheme and the token realm are
// learned, and /v2/ answers 401 with or without them). The keychain is asked only when the ping says the
// registry wants authentication, and from then on the credential is used from the first request: the
// first token call carries it, or every Basic request does. Trying each image anonymously first would cost
// a token call and a 401 per repository before the authenticated attempt, and on Docker Hub an
// authenticated check counts against the account's quota instead of the shared runner address.
import type { Credential, Keychain } from '../credentials/keychain.js';
import type { Quota } from '../model.js';
import { parseChallenges, type Challenge } from './challenge.js';
import type { Deadline } from './limits.js';
import { Semaphore } from './limits.js';
import type { RegistryConfig } from './options.js';
import { quotaOf } from './quota.js';
import { cleanText } from './text.js';
import { pullScope, type BearerChallenge, type Tokens } from './tokens.js';
import { isLoopbackHost, type Channel, type HttpResponse, type Transport } from './transport.js';
import { NetworkError, networkVerdict, registryErrorOf, unexpectedAnswer, verdict, Verdict } from './verdict.js';

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';
const MAX_PING_BODY = 64 * 1024;

/** What a check learns from its requests, for its Resolution. */
export interface Trace {
  authenticated: boolean;
  credentialSource: string | null;
  quota: Quota | null;
}

type Scheme = { kind: 'none' } | { kind: 'basic' } | { kind: 'bearer'; challenge: BearerChallenge };

interface Authorization {
  header: string | null;
  /** A credential (password, identity token, static token) stood behind the header. */
  withCredential: boolean;
  /** The bearer token was issued for several repositories at once. */
  shared: boolean;
}

const ANONYMOUS: Authorization = { header: null, withCredential: false, shared: false };

export interface RegistryRequest {
  method: 'GET' | 'HEAD';
  /** Path and query under the endpoint, e.g. `/v2/team/app/manifests/1.0`. */
  path: string;
  headers?: Record<string, string>;
  maxBodyBytes?: number;
}

export interface HostServices {
  transport: Transport;
  tokens: Tokens;
  keychain: Keychain;
  deadline: Deadline;
  perRegistryConcurrency: number;
}

export class RegistryHost {
  readonly channel: Channel;
  readonly isDockerHub: boolean;
  /** The registry answered 405/501 to a manifest HEAD: ask with GET from then on. */
  headUnsupported = false;
  #endpoint: URL | null = null;
  /** From the config (`endpoint`, or a mirror's URL): the only place this host is asked, scheme included. */
  readonly configuredEndpoint: URL | null;
  #scheme: Scheme = { kind: 'none' };
  #credential: Promise<Credential | null> | null = null;
  #ready: Promise<void> | null = null;

  constructor(
    readonly name: string,
    config: RegistryConfig,
    /** Every repository of this registry the run needs (for the shared token prefetch). */
    readonly repositories: readonly string[],
    readonly services: HostServices,
  ) {
    this.isDockerHub = name === DOCKER_HUB;
    this.configuredEndpoint = config.endpoint ? new URL(config.endpoint) : null;
    this.channel = {
      name,
      limiter: new Semaphore(services.perRegistryConcurrency),
      ca: config.ca ?? null,
      insecure: config.insecure === true,
      pausedUntil: 0,
      rateLimited: null,
    };
  }

  /** The host[:port] requests go to (`registry-1.docker.io` for Docker Hub, a configured endpoint …). */
  get endpointHost(): string {
    return this.configuredEndpoint?.host ?? (this.isDockerHub ? DOCKER_HUB_ENDPOINT : this.name);
  }

  /** Pings the registry once (every check of this registry waits for the same ping). */
  ready(): Promise<void> {
    this.#ready ??= this.#ping();
    return this.#ready;
  }

  /** Secrets this host may hold, so messages can be scrubbed of them. */
  async secrets(): Promise<string[]> {
    const credential = await this.#credential?.catch(() => null);
    if (!credential) return [];
    return credential.kind === 'basic' ? [credential.password, Buffer.from(`${credential.username}:${credential.password}`).toString('base64')] : [credential.token];
  }

  /** Sends one registry request for `repository` with the right authorization; a 401 is answered once. */
  async request(trace: Trace, repository: string, req: RegistryRequest): Promise<HttpResponse> {
    await this.ready();
    let auth = await this.#authorize(repository, false);
    let response = await this.#send(trace, req, auth);
    if (response.status === 401) {
      auth = await this.#afterUnauthorized(repository, response, auth);
      response = await this.#send(trace, req, auth);
      if (response.status === 401) throw await this.#refusal(repository, response, auth);
    }
    return response;
  }

  async #send(trace: Trace, req: RegistryRequest, auth: Authorization): Promise<HttpResponse> {
    const endpoint = this.#endpoint as URL;
    const response = await this.services.transport.send(this.channel, {
      method: req.method,
      url: new URL(req.path, endpoint),
      headers: req.headers,
      authorization: auth.header,
      maxBodyBytes: req.maxBodyBytes,
    });
    if (auth.withCredential) {
      trace.authenticated = true;
      trace.credentialSource = (await this.#credential)?.source ?? null;
    }
    trace.quota = quotaOf(response.headers) ?? trace.quota;
    return response;
  }

  async #ping(): Promise<void> {
    const response = await this.#findEndpoint();
    if (response.status === 200) return;
    if (response.status === 401) {
      this.#scheme = this.#schemeOf(parseChallenges(response.headers['www-authenticate']));
      const credential = await this.#lookUpCredential();
      this.#prefetchTokens(credential);
      return;
    }
    if (response.status === 404) {
      throw verdict('registry-error', 404, `${this.name} does not speak the registry API (GET /v2/ answered 404)`);
    }
    throw unexpectedAnswer(`${this.name} (GET /v2/)`, response);
  }

  /**
   * HTTPS first; plain HTTP only for insecure and loopback registries (as Docker does), and only when the
   * server does not speak TLS at all: a certificate it presented and we rejected is the answer to report
   * (plain HTTP to an HTTPS server only gets a 400). A configured endpoint names its scheme: only that one.
   */
  async #findEndpoint(): Promise<HttpResponse> {
    const host = this.endpointHost;
    const configured = this.configuredEndpoint?.protocol.slice(0, -1);
    const schemes = configured ? [configured] : this.channel.insecure || isLoopbackHost(new URL(`https://${host}`).hostname) ? ['https', 'http'] : ['https'];
    let failure: NetworkError | null = null;
    for (const scheme of schemes) {
      const endpoint = new URL(`${scheme}://${host}/`);
      try {
        const response = await this.services.transport.send(this.channel, {
          method: 'GET',
          url: new URL('/v2/', endpoint),
          maxBodyBytes: MAX_PING_BODY,
          retry: scheme === schemes[0], // the HTTP fallback is a probe: its failure is the answer
        });
        this.#endpoint = endpoint;
        return response;
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        if (error.failure === 'deadline') throw networkVerdict(error);
        // The first failure is the answer, unless it only showed the server speaks no TLS: then what the
        // server did over plain HTTP says more (an endless body, a stall) than "wrong version number".
        const spokeNoTls = failure?.failure === 'tls' && !failure.certificateRejected;
        if (failure === null || spokeNoTls) failure = error;
        if (error.certificateRejected) break;
      }
    }
    throw networkVerdict(failure as NetworkError);
  }

  #schemeOf(challenges: Challenge[]): Scheme {
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) {
      let realm: URL;
      try {
        realm = new URL(bearer.params.realm as string);
      } catch {
        throw verdict('registry-error', 401, `${this.name} names a token service that is not a URL`);
      }
      if (realm.protocol !== 'https:' && realm.protocol !== 'http:') {
        throw verdict('registry-error', 401, `${this.name} names a token service that is not HTTP(S)`);
      }
      return { kind: 'bearer', challenge: { realm, service: bearer.params.service ?? null } };
    }
    if (challenges.some((c) => c.scheme === 'basic')) return { kind: 'basic' };
    const offered = challenges.map((c) => c.scheme).join(', ') || 'no usable challenge';
    throw verdict('unauthorized', 401, `${this.name} asks for an authentication pullcheck does not support (${offered})`);
  }

  /**
   * Whose credentials this host gets: its own name's, except where the config points the registry at
   * another endpoint — then the endpoint's own (as containerd authenticates per host). A config the pull
   * request can edit must not be able to send the workflow's Docker Hub or GHCR login to a host it names.
   */
  get credentialHost(): string {
    const endpoint = this.configuredEndpoint?.host;
    return endpoint && endpoint !== this.name && !(this.isDockerHub && endpoint === DOCKER_HUB_ENDPOINT) ? endpoint : this.name;
  }

  /** Credentials are looked up only once a registry asks for them (a helper may run a process). */
  #lookUpCredential(): Promise<Credential | null> {
    if (!this.#credential) {
      const lookUp = this.services.keychain.resolve(this.credentialHost).catch((error: unknown) => {
        // not the registry's answer, and not a missing image: the image stays unverified
        const why = cleanText(error instanceof Error ? error.message : String(error));
        throw verdict('unverified', null, `reading the credentials for ${this.name} failed: ${why}`);
      });
      this.#credential = Promise.race([lookUp, this.services.deadline.expired()]);
    }
    return this.#credential;
  }

  /** With a token service and several repositories, one token call covers them all (see Tokens.prefetch). */
  #prefetchTokens(credential: Credential | null): void {
    if (this.#scheme.kind !== 'bearer' || credential?.kind === 'token' || this.repositories.length < 2) return;
    this.services.tokens.prefetch(this.channel, this.#scheme.challenge, this.repositories.map(pullScope), credential);
  }

  async #authorize(repository: string, own: boolean): Promise<Authorization> {
    if (this.#scheme.kind === 'none') return ANONYMOUS;
    const credential = await this.#lookUpCredential();
    if (this.#scheme.kind === 'basic') {
      if (credential?.kind !== 'basic') return ANONYMOUS;
      this.#refusePlainHttp(credential);
      const basic = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
      return { header: `Basic ${basic}`, withCredential: true, shared: false };
    }
    if (credential?.kind === 'token') {
      this.#refusePlainHttp(credential);
      return { header: `Bearer ${credential.token}`, withCredential: true, shared: false };
    }
    const grant = await this.services.tokens.get(this.channel, this.#scheme.challenge, pullScope(repository), credential, own);
    return { header: `Bearer ${grant.token}`, withCredential: credential !== null, shared: grant.shared };
  }

  /** Long-lived secrets never travel over plain HTTP, except to this machine. */
  #refusePlainHttp(credential: Credential): void {
    const endpoint = this.#endpoint as URL;
    if (endpoint.protocol === 'http:' && !isLoopbackHost(endpoint.hostname)) {
      throw verdict('unauthorized', null, `${this.name} is plain HTTP; the credentials from ${credential.source} are not sent over it`);
    }
  }

  /** The authorization to retry with after a 401, or the final Verdict. */
  async #afterUnauthorized(repository: string, response: HttpResponse, used: Authorization): Promise<Authorization> {
    // A challenge only counts from this registry itself, never from where a redirect led.
    if (response.url.origin !== (this.#endpoint as URL).origin) {
      throw verdict('unauthorized', 401, `${response.url.host} (where ${this.name} redirected) asked for credentials; none are sent there`);
    }
    const challenges = parseChallenges(response.headers['www-authenticate']);
    const error = challenges.find((c) => c.scheme === 'bearer')?.params.error;
    if (used.shared && (error === 'insufficient_scope' || error === 'invalid_token')) {
      return this.#authorize(repository, true); // the shared token may fall short: one of its own decides
    }
    if (error === 'invalid_token' && this.#scheme.kind === 'bearer') {
      const credential = await this.#lookUpCredential();
      this.services.tokens.forget(this.#scheme.challenge, pullScope(repository), credential, used.header?.replace(/^Bearer /, '') ?? '');
      return this.#authorize(repository, false);
    }
    if (this.#scheme.kind === 'none') {
      // /v2/ was open but this repository is not: take its challenge, as the ping would have.
      this.#scheme = this.#schemeOf(challenges);
      const retry = await this.#authorize(repository, false);
      if (retry.header !== null) return retry;
    }
    throw await this.#refusal(repository, response, used);
  }

  async #refusal(repository: string, response: HttpResponse, used: Authorization): Promise<Verdict> {
    const { code } = registryErrorOf(response.body);
    const insufficient = parseChallenges(response.headers['www-authenticate']).some(
      (c) => c.scheme === 'bearer' && c.params.error === 'insufficient_scope',
    );
    if (!used.withCredential) {
      return verdict(
        'unauthorized',
        401,
        this.isDockerHub
          ? 'repository not found or not accessible without credentials (Docker Hub answers 401 for both)'
          : `${this.name} requires credentials for ${repository} and none were found for it`,
        code,
      );
    }
    if (insufficient) {
      return verdict(
        'access-denied',
        401,
        this.isDockerHub
          ? `the credentials are valid but do not grant pull on ${repository} (or it does not exist)`
          : `the credentials are valid but do not grant pull on ${repository}`,
        code,
      );
    }
    const source = (await this.#credential)?.source ?? 'the keychain';
    return verdict('unauthorized', 401, `${this.name} rejected the credentials from ${source}`, code);
  }
}
