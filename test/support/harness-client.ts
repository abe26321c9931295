// The HTTP client the harness itself uses to set registries up (pushes). It is deliberately not the
// client under test: it answers Basic and Bearer challenges with the admin credentials in the simplest
// way, and marks its traffic so the token server's recording leaves it out.
import { Agent, request, type Dispatcher } from 'undici';
import { HARNESS_HEADER } from './recorded.js';

export interface HarnessTarget {
  direct: { url: string };
  admin: { username: string; password: string } | null;
}

export interface HarnessResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
function challengeParameters(header: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const match of header.matchAll(/(\w+)="([^"]*)"/g)) parameters[match[1]!] = match[2]!;
  return parameters;
}

export class HarnessClient {
  // Loopback set-up traffic to our own child process: the certificate under test is checked by the tests,
  // not here, so expired / wrong-host set-ups can still be filled with images.
  private readonly dispatcher: Dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  private readonly bearerTokens = new Map<string, string>(); // scope → token
  private readonly basic: string | null;

  constructor(private readonly target: HarnessTarget) {
    const admin = target.admin;
    this.basic = admin ? `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}` : null;
  }

  get baseUrl(): string {
    return this.target.direct.url;
  }

  /** Sends a request to the registry (path or absolute URL), answering one auth challenge if needed. */
  async send(method: Dispatcher.HttpMethod, pathOrUrl: string, options: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<HarnessResponse> {
    const url = new URL(pathOrUrl, this.target.direct.url);
    const scope = url.pathname.match(/^\/v2\/(.+)\/(?:manifests|blobs|tags)\//)?.[1];
    const cached = scope ? this.bearerTokens.get(scope) : undefined;
    const first = await this.once(method, url, options, cached ? `Bearer ${cached}` : this.basic);
    if (first.status !== 401) return first; // a 401 with a cached token: it expired, fetch another
    const challenge = String(first.headers['www-authenticate'] ?? '');
    if (!challenge.toLowerCase().startsWith('bearer ')) return first;
    const token = await this.fetchToken(challengeParameters(challenge));
    if (scope) this.bearerTokens.set(scope, token);
    return this.once(method, url, options, `Bearer ${token}`);
  }

  private async fetchToken(parameters: Record<string, string>): Promise<string> {
    const realm = new URL(parameters.realm ?? '');
    if (parameters.service) realm.searchParams.set('service', parameters.service);
    if (parameters.scope) realm.searchParams.set('scope', parameters.scope);
    const answer = await request(realm, {
      dispatcher: this.dispatcher,
      headers: { [HARNESS_HEADER]: 'setup', ...(this.basic ? { authorization: this.basic } : {}) },
    });
    const body = (await answer.body.json()) as { token?: string };
    if (answer.statusCode !== 200 || !body.token) throw new Error(`harness: token server answered ${answer.statusCode}`);
    return body.token;
  }

  private async once(method: Dispatcher.HttpMethod, url: URL, options: { headers?: Record<string, string>; body?: Buffer }, authorization: string | null): Promise<HarnessResponse> {
    const answer = await request(url, {
      method,
      dispatcher: this.dispatcher,
      headers: { [HARNESS_HEADER]: 'setup', ...options.headers, ...(authorization ? { authorization } : {}) },
      body: options.body,
    });
    return { status: answer.statusCode, headers: answer.headers, body: Buffer.from(await answer.body.arrayBuffer()) };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
