// The Action's inputs → one typed object, read and validated once (as actions/checkout's input-helper
// does). Every problem is an InputError whose one-line message names the input. Settings that the config
// file also has (fail-on, platforms, exclude, timeout, kustomize, helm) stay undefined when the input is
// empty, so the config file or the built-in default applies.
import path from 'node:path';
import { parseDuration, ConfigError, type RawOptions } from './options.js';
import { parseRegistryAuth, secretsOf } from './credentials/index.js';
import { FILTER_MODES, type FilterMode } from './report/github-diff.js';

export class InputError extends Error {}

export interface ActionInputs {
  options: RawOptions;
  /** Every secret read from the inputs: the caller masks them before anything is logged. */
  secrets: string[];
  /** Our own sentences about inputs that were accepted but degrade the run (e.g. empty credentials). */
  notes: string[];
  githubToken: string;
  annotations: boolean;
  summary: boolean;
  review: 'auto' | 'off';
  /** null = decided by the event: `added` on pull requests, `nofilter` otherwise. */
  filterMode: FilterMode | null;
  /** Absolute path to write SARIF to, or null for none. */
  sarif: string | null;
}

/** Returns an input's value, '' when not set (as @actions/core's getInput does). */
export type InputReader = (name: string) => string;

export function readInputs(input: InputReader, root: string): ActionInputs {
  const failOn = optional(input('fail-on'));
  if (failOn !== undefined) oneOf('fail-on', failOn, ['error', 'warning', 'never']);
  const timeout = optional(input('timeout'));
  if (timeout !== undefined) asInputError(() => parseDuration(timeout, "input 'timeout'"));
  const kustomize = optional(input('kustomize'));
  if (kustomize !== undefined) oneOf('kustomize', kustomize, ['auto', 'off']);
  const helm = optional(input('helm'));
  if (helm !== undefined) oneOf('helm', helm, ['auto', 'off']);
  const filterMode = optional(input('filter-mode'));
  // A fork pull request gets empty secrets: such hosts are checked anonymously (and reported unverified).
  const notes: string[] = [];
  const registryAuth = asInputError(() => parseRegistryAuth(input('registry-auth'), {
    input: "input 'registry-auth'",
    emptySecrets: 'skip',
    onSkipped: (host) => notes.push(`\`registry-auth\` has an empty secret for ${host} (secrets are not given to pull requests from forks); it is checked without credentials.`),
  }));
  const githubToken = input('github-token');
  const sarif = optional(input('sarif'));
  const config = optional(input('config'));

  return {
    options: {
      root,
      paths: list(input('paths')).map((p) => insideRoot(p, root)),
      exclude: optionalList(input('exclude')),
      configFile: config === undefined ? undefined : path.resolve(root, config),
      offline: boolean('offline', input('offline'), false),
      failOn,
      platforms: optionalList(input('platforms')),
      timeout,
      kustomize,
      helm,
      rendered: optionalList(input('rendered'))?.map((f) => path.resolve(root, f)),
      registryAuth,
      cacheDir: optional(input('cache')),
    },
    secrets: [...secretsOf(registryAuth), ...(githubToken ? [githubToken] : [])],
    notes,
    githubToken,
    annotations: boolean('annotations', input('annotations'), true),
    summary: boolean('summary', input('summary'), true),
    review: oneOf('review', optional(input('review')) ?? 'auto', ['auto', 'off']),
    filterMode: filterMode === undefined ? null : oneOf('filter-mode', filterMode, FILTER_MODES),
    sarif: sarif === undefined ? null : path.resolve(root, sarif),
  };
}

function optional(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Newline-, space- or comma-separated values (a YAML block scalar or a one-line list both work). */
function list(value: string): string[] {
  return value.split(/[\s,]+/).filter((item) => item !== '');
}

function optionalList(value: string): string[] | undefined {
  const items = list(value);
  return items.length > 0 ? items : undefined;
}

function insideRoot(p: string, root: string): string {
  const relative = path.relative(root, path.resolve(root, p));
  if (relative.startsWith('..') || path.isAbsolute(relative)) throw new InputError(`input 'paths': ${p} is outside the workspace ${root}`);
  return relative === '' ? '.' : relative.split(path.sep).join('/');
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(`input '${name}' must be one of ${allowed.join(', ')} (got '${value}')`);
}

/** The YAML 1.2 core schema booleans, as @actions/core's getBooleanInput accepts (its error spans lines). */
function boolean(name: string, value: string, fallback: boolean): boolean {
  const v = value.trim();
  if (v === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(v)) return true;
  if (['false', 'False', 'FALSE'].includes(v)) return false;
  throw new InputError(`input '${name}' must be true or false (got '${v}')`);
}

/** Runs a check shared with the CLI and the config file; its ConfigError names the input we passed it. */
function asInputError<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof ConfigError) throw new InputError(error.message);
    throw error;
  }
}
