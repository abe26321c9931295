// One typed Options object, validated once. The CLI and the Action turn their inputs into the raw shape
// below and call `buildOptions`; everything after that trusts the result. Every problem is a ConfigError
// whose message names the setting (and the config file) in one line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Severity } from './model.js';
import { RULES } from './judge/rules.js';
import { isObject } from './guards.js';

export type FailOn = 'error' | 'warning' | 'never';

export interface RegistrySettings {
  insecure: boolean;
  /** PEM text of the CA that signs this registry's certificate (read from the `ca` path). */
  ca: string | null;
  username: string | null;
  password: string | null;
  token: string | null;
  /** Where the registry itself is asked (`scheme://host[:port]`), e.g. a pull-through cache standing in for it. */
  endpoint?: string;
  /** Mirrors asked first, in order (containerd hosts.toml semantics); the registry is asked last. */
  mirrors?: string[];
  /** `allow-link-local: true`: the registry may be at a link-local / cloud metadata address (refused otherwise). */
  allowLinkLocal?: boolean;
}

/** The opt-in policy rules (off unless the config turns them on). */
export interface PolicySettings {
  /** `allowed-registries`: globs over the registry host (or `registry/repository` when the glob has a `/`); null = any. */
  allowedRegistries: string[] | null;
  /** `require-digest: true`: every image must be pinned by digest (`missing-digest`). */
  requireDigest: boolean;
  /** `pull-policy: true`: a mutable tag pulled IfNotPresent is reported (`mutable-tag-pull-policy`). */
  pullPolicy: boolean;
}

/** One `ignore` entry: findings of `rule` whose image and file match the globs are suppressed, with the reason. */
export interface IgnoreEntry {
  rule: string;
  /** Glob over the image as written or its canonical form; null = any image. */
  image: string | null;
  /** Glob over the finding's file (relative to the root); null = any file. */
  path: string | null;
  reason: string;
}

/** How one Helm chart is rendered (config `charts: { <folder>: … }`). */
export interface ChartSettings {
  /** Root-relative values files, applied in order after the chart's own values.yaml. */
  values?: string[];
  /** `--set key=value` pairs, in helm's `--set` syntax. */
  set?: Record<string, string>;
  /** Release name; default: the chart folder's name. */
  release?: string;
  namespace?: string;
}

export interface Options {
  /** Absolute scan root; every reported path is relative to it. */
  root: string;
  paths: string[];
  include: string[];
  exclude: string[];
  offline: boolean;
  failOn: FailOn;
  maxFileSize: number;
  platforms: string[];
  timeoutMs: number;
  registries: Record<string, RegistrySettings>;
  /** Severity overrides per rule id; 'off' drops the rule. */
  severities: Record<string, Severity | 'off'>;
  kustomize: 'auto' | 'off';
  helm: 'auto' | 'off';
  charts: Record<string, ChartSettings>;
  rendered: string[];
  /** Config `nodes`: nodes per platform, for a DaemonSet's pod count and the "once per node" pull estimate. */
  nodes: number;
  policy: PolicySettings;
  ignore: IgnoreEntry[];
  /** Config `use-pull-secrets: true`: also resolve with the dockerconfigjson Secrets in the scanned manifests. */
  usePullSecrets: boolean;
  /**
   * This run has no secrets (a pull request from a fork): images that need credentials are reported
   * `unverified`, never unauthorized or not found. Set by the Action when the head repository is not the base.
   */
  noSecrets: boolean;
  /** Absolute folder of the results cache (`--cache-dir`, the Action's `cache` input); null: no cache. */
  cacheDir: string | null;
}

export class ConfigError extends Error {}

/** What the CLI flags or Action inputs say; undefined = not given (the config file or a default applies). */
export interface RawOptions {
  root?: string;
  paths?: string[];
  include?: string[];
  exclude?: string[];
  offline?: boolean;
  failOn?: string;
  platforms?: string[];
  timeout?: string;
  configFile?: string;
  kustomize?: string;
  helm?: string;
  rendered?: string[];
  noSecrets?: boolean;
  /** The results cache folder, relative to the scan root or absolute. */
  cacheDir?: string;
  /** Credentials from the Action's `registry-auth` input (parseRegistryAuth); they win over the config file's. */
  registryAuth?: Record<string, RegistrySettings>;
}

const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_NODES = 3;
/** Found automatically when no --config is given, so a repository can carry its settings. */
export const DEFAULT_CONFIG_FILES = ['.github/pullcheck.yml', '.github/pullcheck.yaml', '.pullcheck.yml', '.pullcheck.yaml'];

export function buildOptions(raw: RawOptions): Options {
  const root = path.resolve(raw.root ?? '.');
  const { config, file: configFile } = loadConfig(root, raw.configFile);
  const where = (key: string) => (configFile ? `${key} in ${configFile}` : key);

  const failOn = oneOf(raw.failOn ?? str(config['fail-on'], where('fail-on')) ?? 'error', ['error', 'warning', 'never'] as const, '--fail-on');
  const timeoutText = raw.timeout ?? str(config.timeout, where('timeout'));
  const platforms = raw.platforms ?? strList(config.platforms, where('platforms')) ?? ['linux/amd64'];
  for (const p of platforms) checkPlatform(p);

  return {
    root,
    paths: raw.paths?.length ? raw.paths : ['.'],
    include: raw.include ?? strList(config.include, where('include')) ?? [],
    exclude: raw.exclude ?? strList(config.exclude, where('exclude')) ?? [],
    offline: raw.offline ?? false,
    failOn,
    maxFileSize: config['max-file-size'] === undefined ? DEFAULT_MAX_FILE_SIZE : parseSize(config['max-file-size'], where('max-file-size')),
    platforms,
    timeoutMs: timeoutText === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(timeoutText, raw.timeout ? '--timeout' : where('timeout')),
    registries: withRegistryAuth(parseRegistries(config.registries, configFile, root), raw.registryAuth),
    severities: parseSeverities(config, where),
    kustomize: oneOf(raw.kustomize ?? str(config.kustomize, where('kustomize')) ?? 'auto', ['auto', 'off'] as const, '--kustomize'),
    helm: oneOf(raw.helm ?? str(config.helm, where('helm')) ?? 'auto', ['auto', 'off'] as const, '--helm'),
    charts: parseCharts(config.charts, where('charts')),
    rendered: raw.rendered ?? [],
    nodes: config.nodes === undefined || config.nodes === null ? DEFAULT_NODES : positiveInteger(config.nodes, where('nodes')),
    policy: {
      allowedRegistries: parseAllowedRegistries(config['allowed-registries'], where('allowed-registries')),
      requireDigest: bool(config['require-digest'], where('require-digest')) ?? false,
      pullPolicy: bool(config['pull-policy'], where('pull-policy')) ?? false,
    },
    ignore: parseIgnore(config.ignore, where),
    usePullSecrets: bool(config['use-pull-secrets'], where('use-pull-secrets')) ?? false,
    noSecrets: raw.noSecrets ?? false,
    cacheDir: raw.cacheDir ? path.resolve(root, raw.cacheDir) : null,
  };
}

type ConfigObject = Record<string, unknown>;

function loadConfig(root: string, explicit: string | undefined): { config: ConfigObject; file: string | null } {
  const candidates = explicit ? [path.resolve(explicit)] : DEFAULT_CONFIG_FILES.map((f) => path.join(root, f));
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if (explicit) throw new ConfigError(`cannot read config file ${explicit}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      continue;
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text, { maxAliasCount: 100 });
    } catch (error) {
      throw new ConfigError(`config file ${displayPath(file, root)} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    if (parsed === null || parsed === undefined) return { config: {}, file: displayPath(file, root) };
    if (!isObject(parsed)) throw new ConfigError(`config file ${displayPath(file, root)} must be a mapping`);
    const known = new Set(['registries', 'platforms', 'timeout', 'fail-on', 'include', 'exclude', 'max-file-size', 'rules', 'unreachable', 'kustomize', 'helm', 'charts', 'use-pull-secrets',
      'nodes', 'allowed-registries', 'require-digest', 'pull-policy', 'ignore']);
    for (const key of Object.keys(parsed)) {
      if (!known.has(key)) throw new ConfigError(`unknown setting '${key}' in ${displayPath(file, root)} (known: ${[...known].join(', ')})`);
    }
    return { config: parsed, file: displayPath(file, root) };
  }
  return { config: {}, file: null };
}

function displayPath(file: string, root: string): string {
  const rel = path.relative(root, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/');
}

function parseRegistries(value: unknown, configFile: string | null, root: string): Record<string, RegistrySettings> {
  if (value === undefined || value === null) return {};
  const where = configFile ? ` in ${configFile}` : '';
  if (!isObject(value)) throw new ConfigError(`registries${where} must be a mapping of host to settings`);
  const result: Record<string, RegistrySettings> = {};
  const configDir = configFile ? path.dirname(path.resolve(root, configFile)) : root;
  for (const [host, settings] of Object.entries(value)) {
    const key = `registries.${host}${where}`;
    // `registries.HOST.NAME in FILE`: the file comes after the whole key.
    const setting = (name: string) => `registries.${host}.${name}${where}`;
    if (settings !== null && !isObject(settings)) throw new ConfigError(`${key} must be a mapping`);
    const s = settings ?? {};
    const known = new Set(['insecure', 'ca', 'username', 'password', 'token', 'endpoint', 'mirrors', 'allow-link-local']);
    for (const k of Object.keys(s)) if (!known.has(k)) throw new ConfigError(`unknown setting '${k}' under ${key}`);
    const caPath = str(s.ca, setting('ca'));
    let ca: string | null = null;
    if (caPath !== undefined) {
      try {
        ca = readFileSync(path.resolve(configDir, caPath), 'utf8');
      } catch (error) {
        throw new ConfigError(`cannot read CA file ${caPath} (${setting('ca')}): ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
      }
    }
    const username = str(s.username, setting('username')) ?? null;
    const password = str(s.password, setting('password')) ?? null;
    const token = str(s.token, setting('token')) ?? null;
    if ((username === null) !== (password === null)) throw new ConfigError(`${key} needs both username and password`);
    if (token !== null && username !== null) throw new ConfigError(`${key} takes either username/password or token, not both`);
    if (s.insecure !== undefined && typeof s.insecure !== 'boolean') throw new ConfigError(`${setting('insecure')} must be true or false`);
    const allowLinkLocal = bool(s['allow-link-local'], setting('allow-link-local'));
    const endpoint = s.endpoint === undefined || s.endpoint === null ? undefined : endpointUrl(s.endpoint, setting('endpoint'));
    const mirrors = strList(s.mirrors, setting('mirrors'))?.map((url, i) => endpointUrl(url, setting(`mirrors[${i}]`)));
    result[normaliseHost(host)] = { insecure: s.insecure === true, ca, username, password, token, ...(endpoint ? { endpoint } : {}), ...(mirrors ? { mirrors } : {}), ...(allowLinkLocal ? { allowLinkLocal } : {}) };
  }
  return result;
}

/** The `registry-auth` credentials replace the config file's for the same host; its insecure/ca stay. */
function withRegistryAuth(registries: Record<string, RegistrySettings>, auth: Record<string, RegistrySettings> | undefined): Record<string, RegistrySettings> {
  const merged = { ...registries };
  for (const [host, s] of Object.entries(auth ?? {})) {
    const base = merged[host] ?? { insecure: false, ca: null };
    merged[host] = { ...base, username: s.username, password: s.password, token: s.token };
  }
  return merged;
}

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** `https://index.docker.io/v1/` → `docker.io`; `https://host:5000/path` → `host:5000`. */
export function normaliseHost(key: string): string {
  let host = key.trim().replace(/^[a-z]+:\/\//i, '');
  host = host.split('/')[0]!.toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host;
}

function parseSeverities(config: ConfigObject, where: (k: string) => string): Record<string, Severity | 'off'> {
  const result: Record<string, Severity | 'off'> = {};
  const rules = config.rules;
  if (rules !== undefined && rules !== null) {
    if (!isObject(rules)) throw new ConfigError(`${where('rules')} must map rule ids to error|warning|notice|off`);
    for (const [id, level] of Object.entries(rules)) {
      if (!RULES.has(id)) throw new ConfigError(`unknown rule '${id}' in ${where('rules')} (see docs/rules.md)`);
      result[id] = oneOf(String(level), ['error', 'warning', 'notice', 'off'] as const, where(`rules.${id}`));
    }
  }
  // `unreachable: warning` is the switch for teams whose CI cannot see every registry.
  const unreachable = str(config.unreachable, where('unreachable'));
  if (unreachable !== undefined) {
    const level = oneOf(unreachable, ['error', 'warning'] as const, where('unreachable'));
    result['registry-unreachable'] ??= level;
    result['registry-error'] ??= level;
  }
  return result;
}

function parseCharts(value: unknown, key: string): Record<string, ChartSettings> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new ConfigError(`${key} must map chart folders to settings`);
  const result: Record<string, ChartSettings> = {};
  for (const [chart, settings] of Object.entries(value)) {
    const k = `${key}.${chart}`;
    if (!isObject(settings)) throw new ConfigError(`${k} must be a mapping`);
    const set = settings.set;
    if (set !== undefined && !isObject(set)) throw new ConfigError(`${k}.set must be a mapping`);
    result[chart.replace(/\/+$/, '')] = {
      values: strList(settings.values, `${k}.values`),
      set: set ? Object.fromEntries(Object.entries(set).map(([a, b]) => [a, String(b)])) : undefined,
      release: str(settings.release, `${k}.release`),
      namespace: str(settings.namespace, `${k}.namespace`),
    };
  }
  return result;
}

/**
 * A registry endpoint or mirror: `http(s)://host[:port]`, nothing after the host. containerd's path
 * prefixes (`override_path`) are not supported, so a path is refused rather than silently dropped.
 */
function endpointUrl(value: unknown, key: string): string {
  const text = str(value, key) ?? '';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${key} must be a URL like https://mirror.example.com (got '${text}')`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${key} must start with https:// or http:// (got '${text}')`);
  if ((url.pathname !== '/' && url.pathname !== '/v2' && url.pathname !== '/v2/') || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`${key} must be scheme://host[:port] only (got '${text}'); path prefixes and credentials in the URL are not supported`);
  }
  return `${url.protocol}//${url.host}`;
}

function parseAllowedRegistries(value: unknown, key: string): string[] | null {
  const globs = strList(value, key);
  if (globs === undefined) return null;
  if (globs.length === 0 || globs.some((g) => g.trim() === '')) throw new ConfigError(`${key} must list at least one registry glob, e.g. [ghcr.io, '*.dkr.ecr.*.amazonaws.com']`);
  return globs.map((g) => g.trim());
}

function parseIgnore(value: unknown, where: (key: string) => string): IgnoreEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(`${where('ignore')} must be a list of {rule, image, path, reason} entries`);
  return value.map((entry, i) => {
    const k = (name = '') => where(`ignore[${i}]${name}`);
    if (!isObject(entry)) throw new ConfigError(`${k()} must be a mapping with rule, reason and optionally image and path`);
    for (const name of Object.keys(entry)) {
      if (!['rule', 'image', 'path', 'reason'].includes(name)) throw new ConfigError(`unknown setting '${name}' under ${k()} (known: rule, image, path, reason)`);
    }
    const rule = str(entry.rule, k('.rule'));
    if (!rule) throw new ConfigError(`${k()} needs a rule (see docs/rules.md)`);
    if (!RULES.has(rule)) throw new ConfigError(`unknown rule '${rule}' in ${k('.rule')} (see docs/rules.md)`);
    const reason = str(entry.reason, k('.reason'))?.trim();
    if (!reason) throw new ConfigError(`${k()} needs a reason: it is shown in the report next to what it suppresses`);
    return { rule, image: str(entry.image, k('.image')) ?? null, path: str(entry.path, k('.path')) ?? null, reason };
  });
}

function positiveInteger(value: unknown, key: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new ConfigError(`${key} must be a whole number greater than zero (got '${String(value)}')`);
}

function checkPlatform(p: string): void {
  if (p === 'auto') return; // per workload, from its nodeSelector and node affinity
  if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(p)) {
    throw new ConfigError(`platform '${p}' must look like os/arch[/variant], e.g. linux/amd64 or linux/arm/v7`);
  }
}

export function parseDuration(text: string, key: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new ConfigError(`${key} must be a duration like 90s, 2m or 500ms (got '${text}')`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  const ms = Number(m[1]) * unit;
  if (ms <= 0) throw new ConfigError(`${key} must be greater than zero`);
  return ms;
}

function parseSize(value: unknown, key: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(String(value));
  if (!m) throw new ConfigError(`${key} must be a size like 10MB or 500kB (got '${String(value)}')`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b']!;
  return Math.round(Number(m[1]) * unit);
}

function oneOf<T extends string>(value: string, allowed: readonly T[], key: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${key} must be one of ${allowed.join(', ')} (got '${value}')`);
}

function str(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ConfigError(`${key} must be a string`);
}

function bool(value: unknown, key: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  throw new ConfigError(`${key} must be true or false`);
}

function strList(value: unknown, key: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new ConfigError(`${key} must be a list of strings`);
}

