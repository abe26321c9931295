// The cluster's side of credentials: the ServiceAccounts and image pull Secrets written in the scanned
// manifests and in the output of their renders. The pipeline hands over the text of each manifest file and
// render; only the documents that mention one of these kinds are parsed again (a regular-expression test
// first), so the pass stays cheap on large trees.
// Secret content is kept in memory for matching (and, with `use-pull-secrets`, for resolving) and never
// printed: findings name a Secret and the registry hosts it covers, never a user, password or token.
import { parseAllDocuments, LineCounter } from 'yaml';
import type { PodFacts, ScannedObject } from '../model.js';
import { readBlockDocument } from '../extract/block-reader.js';
import { splitDocuments } from '../extract/split.js';
import { plainValue } from '../extract/tree.js';
import { normaliseHost } from '../options.js';
import { escapeRegExp } from '../regexp.js';
import { splitAuth } from './auth-file.js';
import type { Credential, Keychain } from './keychain.js';
import { isObject } from '../guards.js';

export const DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
export const DOCKER_CFG = 'kubernetes.io/dockercfg';

export interface ServiceAccountFacts {
  name: string;
  namespace: string | null;
  file: string;
  line: number;
  /** Null when the object is known to exist (a rendered one) but its content was not read. */
  imagePullSecrets: string[] | null;
}

export interface PullSecretEntry {
  /** The key as written (`ghcr.io`, `https://index.docker.io/v1/`, `*.example.com/team`). */
  key: string;
  credential: Credential | null;
}

export interface SecretFacts {
  name: string;
  namespace: string | null;
  file: string;
  line: number;
  /** False for a Secret known to exist (a rendered one) whose content was not read: nothing can be said about it. */
  read: boolean;
  /** `type` as written (null when absent, which the API server defaults to Opaque). */
  type: string | null;
  /**
   * The registries a dockerconfigjson / dockercfg Secret holds credentials for. Null when its content could
   * not be read (encrypted with SOPS, a placeholder, not base64 or JSON) or the Secret is of another type.
   */
  entries: PullSecretEntry[] | null;
}

export interface ClusterObjects {
  serviceAccounts: ServiceAccountFacts[];
  secrets: SecretFacts[];
}

export interface ManifestSource {
  /** Relative to the scan root, as in every report. */
  file: string;
  text: string;
  /**
   * Output of a render (RenderResult.texts): its lines are not the user's, so each object read from it is
   * placed where the render stage traced it (its ScannedObject: the resource or template file to edit).
   */
  rendered?: boolean;
}

/** Quick test before parsing: does the text hold a ServiceAccount, a Secret or a List (which might)? */
const MENTIONS_KIND = /["']?kind["']?\s*:\s*["']?(?:ServiceAccount|Secret|List)\b/;
/**
 * A document whose root is a block mapping at column 0 (nearly every manifest): its first content line
 * starts with a key there. All its keys are at column 0 and nothing else is, so its own `kind` is too —
 * a RoleBinding's `- kind: ServiceAccount` subject is not.
 */
const BLOCK_ROOT = /^(?:(?:---)?[ \t]*(?:#.*)?\r?\n)*["']?[A-Za-z_]/;
const ROOT_KIND = /^["']?kind["']?[ \t]*:\s*["']?(?:ServiceAccount|Secret|List)\b/m;

function holdsWantedKind(documentText: string): boolean {
  return BLOCK_ROOT.test(documentText) ? ROOT_KIND.test(documentText) : MENTIONS_KIND.test(documentText);
}

/**
 * `sources`: the text of the manifest files and of the renders. `objects`: every scanned object, rendered
 * ones included; a ServiceAccount or Secret among them whose text was not given is recorded as existing but
 * unread, so the checks stay silent about it rather than call it missing.
 */
export function readClusterObjects(sources: Iterable<ManifestSource>, objects: ScannedObject[] = []): ClusterObjects {
  const found: ClusterObjects = { serviceAccounts: [], secrets: [] };
  for (const source of sources) {
    const counts = { serviceAccounts: found.serviceAccounts.length, secrets: found.secrets.length };
    readSource(source, found);
    if (source.rendered) {
      placeAsTraced(found.serviceAccounts.slice(counts.serviceAccounts), 'ServiceAccount', objects);
      placeAsTraced(found.secrets.slice(counts.secrets), 'Secret', objects);
    }
  }
  const known = (list: { name: string; namespace: string | null }[], o: ScannedObject): boolean =>
    list.some((x) => x.name === o.name && x.namespace === o.namespace);
  for (const o of objects) {
    if (o.name === null) continue;
    const base = { name: o.name, namespace: o.namespace, file: o.file, line: o.line };
    if (o.kind === 'ServiceAccount' && !known(found.serviceAccounts, o)) found.serviceAccounts.push({ ...base, imagePullSecrets: null });
    if (o.kind === 'Secret' && !known(found.secrets, o)) found.secrets.push({ ...base, read: false, type: null, entries: null });
  }
  return found;
}

function readSource({ file, text }: ManifestSource, found: ClusterObjects): void {
  if (!MENTIONS_KIND.test(text)) return;
  // Only the documents that mention one of these kinds: a ServiceAccount often shares its file with large
  // ConfigMaps and workloads, and parsing those again doubled a scan's time (docs/benchmarks.md).
  for (const chunk of splitDocuments(text)) {
    if (!holdsWantedKind(chunk.text)) continue;
    // The extract stage's fast reader where it can (several times faster than yaml on small documents).
    const tree = chunk.wholeStream ? undefined : readBlockDocument(chunk.text, chunk.linesBefore);
    if (tree !== undefined) {
      if (tree !== null) collect(plainValue(tree), file, tree.pos.line, found);
      continue;
    }
    const lines = new LineCounter();
    for (const document of parseAllDocuments(chunk.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false })) {
      // A document that does not parse is reported by the extract stage (manifest-invalid); nothing to add.
      if (document.errors.length > 0) continue;
      const line = chunk.linesBefore + lines.linePos(document.contents?.range?.[0] ?? document.range[0]).line;
      collect(document.toJS({ maxAliasCount: 100 }), file, line, found);
    }
  }
}

/** Objects read from a render take the place its ScannedObject was traced to (same kind, name and namespace). */
function placeAsTraced(facts: { name: string; namespace: string | null; file: string; line: number }[], kind: string, objects: ScannedObject[]): void {
  for (const fact of facts) {
    const traced = objects.find((o) => o.kind === kind && o.name === fact.name && o.namespace === fact.namespace);
    if (traced) Object.assign(fact, { file: traced.file, line: traced.line });
  }
}

function collect(value: unknown, file: string, line: number, into: ClusterObjects): void {
  if (!isObject(value)) return;
  const metadata = isObject(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : null;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : null;
  if (value.kind === 'List' && Array.isArray(value.items)) {
    for (const item of value.items) collect(item, file, line, into);
  } else if (value.kind === 'ServiceAccount' && name) {
    into.serviceAccounts.push({ name, namespace, file, line, imagePullSecrets: secretNames(value.imagePullSecrets) });
  } else if (value.kind === 'Secret' && name) {
    const type = typeof value.type === 'string' ? value.type : null;
    const source = `pull secret ${namespace ? `${namespace}/` : ''}${name} (${file})`;
    into.secrets.push({ name, namespace, file, line, read: true, type, entries: registryEntries(value, type, source) });
  }
}

/** `imagePullSecrets: [{name: a}, {name: b}]` → ['a', 'b']. */
export function secretNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => (isObject(item) && typeof item.name === 'string' && item.name !== '' ? [item.name] : []));
}

/** The registry entries of a docker-config Secret, as the kubelet reads them (stringData wins over data). */
function registryEntries(secret: Record<string, unknown>, type: string | null, source: string): PullSecretEntry[] | null {
  const key = type === DOCKER_CONFIG_JSON ? '.dockerconfigjson' : type === DOCKER_CFG ? '.dockercfg' : null;
  if (!key) return null;
  const stringData = isObject(secret.stringData) ? secret.stringData[key] : undefined;
  const data = isObject(secret.data) ? secret.data[key] : undefined;
  let json: string;
  if (typeof stringData === 'string') json = stringData;
  else if (typeof data === 'string' && /^[A-Za-z0-9+/\s]+={0,2}\s*$/.test(data)) json = Buffer.from(data, 'base64').toString('utf8');
  else return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  const auths = type === DOCKER_CONFIG_JSON ? (isObject(parsed) ? parsed.auths : undefined) : parsed;
  if (!isObject(auths)) return null;
  return Object.entries(auths).map(([registry, entry]) => ({ key: registry, credential: isObject(entry) ? credentialOf(entry, source) : null }));
}

function credentialOf(entry: Record<string, unknown>, source: string): Credential | null {
  const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  let username = text(entry.username);
  let password = text(entry.password);
  const auth = text(entry.auth);
  const decoded = auth ? splitAuth(auth) : null;
  if (decoded) ({ username, password } = decoded);
  const identity = text(entry.identitytoken);
  if (identity) return { kind: 'identity', token: identity, username, source };
  return username && password ? { kind: 'basic', username, password, source } : null;
}

/**
 * Whether a pull-secret key gives the kubelet credentials for `registry/repository` — the kubelet's own
 * rules (pkg/credentialprovider keyring): the scheme is dropped, a `/v1/` or `/v2/` path means the host;
 * host labels are globs matched one by one (`*.example.com` matches `a.example.com`, not `example.com`);
 * the port must be equal; the key's path must be a prefix of the repository path. Docker Hub images also
 * take the `index.docker.io` and `docker.io` keys.
 */
export function keyCovers(key: string, registry: string, repository: string): boolean {
  const target = `${registry}/${repository}`;
  const glob = kubeletKey(key);
  if (urlsMatch(glob, target)) return true;
  if (normaliseHost(registry) !== 'docker.io') return false;
  const bareHost = glob.split('/', 1)[0];
  return (bareHost === 'index.docker.io' || bareHost === 'docker.io') && glob === bareHost;
}

/** The key the kubelet files a docker-config entry under: no scheme, `/v1/` and `/v2/` stripped. */
function kubeletKey(key: string): string {
  const withoutScheme = key.trim().replace(/^https?:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  const host = slash < 0 ? withoutScheme : withoutScheme.slice(0, slash);
  let path = slash < 0 ? '' : withoutScheme.slice(slash);
  if (path.startsWith('/v1/') || path.startsWith('/v2/')) path = path.slice(3);
  return path === '' || path === '/' ? host : host + path;
}

function urlsMatch(glob: string, target: string): boolean {
  const [globHost, globPort, globPath] = splitUrl(glob);
  const [targetHost, targetPort, targetPath] = splitUrl(target);
  if (globPort !== targetPort) return false;
  const globLabels = globHost.split('.');
  const targetLabels = targetHost.split('.');
  if (globLabels.length !== targetLabels.length) return false;
  if (!targetPath.startsWith(globPath)) return false;
  return globLabels.every((label, i) => globMatches(label, targetLabels[i] ?? ''));
}

/** `host:port/path` → [host, port, /path]. */
function splitUrl(text: string): [string, string, string] {
  const slash = text.indexOf('/');
  const authority = slash < 0 ? text : text.slice(0, slash);
  const path = slash < 0 ? '' : text.slice(slash);
  const colon = authority.lastIndexOf(':');
  return colon < 0 ? [authority, '', path] : [authority.slice(0, colon), authority.slice(colon + 1), path];
}

/**
 * Go's filepath.Match for one host label (no separators in it): `*`, `?`, `[a-z]`, `[^a]`, `\x`.
 * By hand because glob libraries add brace, extglob and negation syntax that Go does not have.
 */
function globMatches(pattern: string, text: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i] as string);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false; // Go: ErrBadPattern, which the kubelet treats as no match
      source += `[${pattern.slice(i + 1, end)}]`; // `[a-z]` and `[^a]` read the same in both syntaxes
      i = end;
    } else source += escapeRegExp(c);
  }
  try {
    return new RegExp(`^${source}$`).test(text);
  } catch {
    return false;
  }
}

/** Namespaces match when equal, or when either is unset (applied with `kubectl -n` or by Kustomize). */
export function sameNamespace(a: string | null, b: string | null): boolean {
  return a === null || b === null || a === b;
}

/** The ServiceAccount a pod runs as (`default` when unnamed), when the scanned manifests hold it. */
export function serviceAccountOf(pod: PodFacts, cluster: ClusterObjects): ServiceAccountFacts | null {
  const name = pod.serviceAccountName ?? 'default';
  return cluster.serviceAccounts.find((sa) => sa.name === name && sameNamespace(sa.namespace, pod.namespace)) ?? null;
}

/**
 * With `use-pull-secrets: true`: the docker-config Secrets of the manifests as one more credential source.
 * Per host, a key that names just that host wins over a key with a path; the first Secret in scan order
 * wins among equals. Glob keys are the kubelet's business and are not used here.
 */
export function pullSecretKeychain(cluster: ClusterObjects): Keychain {
  return {
    async resolve(requested) {
      const host = normaliseHost(requested);
      let withPath: Credential | null = null;
      for (const secret of cluster.secrets) {
        for (const entry of secret.entries ?? []) {
          if (!entry.credential || entry.key.includes('*') || normaliseHost(entry.key) !== host) continue;
          const key = kubeletKey(entry.key);
          if (!key.includes('/')) return entry.credential;
          withPath ??= entry.credential;
        }
      }
      return withPath;
    },
  };
}

