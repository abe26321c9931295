// The results cache for repeated runs (`--cache-dir`, the Action's `cache` input, kept between jobs by
// actions/cache): what registries answered for references that cannot change — `name@digest` — in one
// JSON file, so the next run asks only about the rest.
//
// What is kept, and for how long:
//  - only `ok` answers of digest references without a tag: a digest names content that cannot change,
//    while a tag can move at any time, so every tag reference (`tag@digest` too) is asked again each run;
//    a missing digest may be pushed later, and a failure is no answer at all.
//  - for MAX_AGE_DAYS after the registry said so: content cannot change, but it can be deleted (retention
//    policies, garbage collection), so an old answer is asked again.
// The file is checked entry by entry on load: anything malformed is dropped (and said so), never trusted.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Resolution } from '../model.js';
import type { ImageReference } from '../reference/index.js';
import type { ResolutionCache } from '../registry/index.js';
import { isObject } from '../guards.js';

export const CACHE_FILE = 'pullcheck-results-v1.json';
const VERSION = 1;
export const MAX_AGE_DAYS = 7;
const MAX_AGE_MS = MAX_AGE_DAYS * 24 * 3600 * 1000;
/** Newest first beyond this: a bound on the file for repositories whose digests keep changing. */
const MAX_ENTRIES = 20_000;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** What is kept of a Resolution; the rest is the same for every cached answer. */
interface Entry {
  digest: string;
  mediaType: string | null;
  platforms: string[] | null;
  checkedAt: string;
  authenticated: boolean;
  credentialSource: string | null;
  endpoint?: string;
}

export interface OpenedCache {
  cache: ResultsCache;
  /** Why the file (or part of it) was not used, in one sentence; null when it was read whole or absent. */
  problem: string | null;
}

export class ResultsCache implements ResolutionCache {
  /** Answers served from the file this run. */
  hits = 0;
  readonly #entries: Map<string, Entry>;

  private constructor(readonly file: string, entries: Map<string, Entry>, private readonly now: () => Date) {
    this.#entries = entries;
  }

  /** Reads `dir`'s cache file; a missing file is an empty cache, a broken one is said so and not used. */
  static async open(dir: string, now: () => Date = () => new Date()): Promise<OpenedCache> {
    const file = path.join(dir, CACHE_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const problem = code === 'ENOENT' ? null : `the results cache ${file} cannot be read (${code ?? 'error'}); every image is checked`;
      return { cache: new ResultsCache(file, new Map(), now), problem };
    }
    const { entries, dropped } = parseEntries(text, now().getTime());
    const problem = dropped === 'file'
      ? `the results cache ${file} is not a pullcheck cache file of version ${VERSION}; it is rebuilt`
      : dropped > 0 ? `${dropped} entr${dropped === 1 ? 'y' : 'ies'} of the results cache ${file} ${dropped === 1 ? 'was' : 'were'} malformed and dropped` : null;
    return { cache: new ResultsCache(file, entries, now), problem };
  }

  get(ref: ImageReference, wantPlatforms: boolean): Resolution | null {
    const key = keyOf(ref);
    const entry = key === null ? undefined : this.#entries.get(key);
    if (!entry || expired(entry, this.now().getTime())) return null;
    if (wantPlatforms && entry.platforms === null) return null;
    this.hits++;
    return {
      reference: ref.canonical,
      status: 'ok',
      digest: entry.digest,
      mediaType: entry.mediaType,
      platforms: entry.platforms,
      checkedAt: entry.checkedAt,
      evidence: { httpStatus: 200, errorCode: null, detail: `from the results cache: the registry served it at ${entry.checkedAt}` },
      durationMs: 0,
      suggestions: [],
      tagDigest: null,
      quota: null,
      retryAfterSeconds: null,
      authenticated: entry.authenticated,
      credentialSource: entry.credentialSource,
      ...(entry.endpoint ? { endpoint: entry.endpoint } : {}),
    };
  }

  put(ref: ImageReference, resolution: Resolution): void {
    const key = keyOf(ref);
    if (key === null || resolution.status !== 'ok' || resolution.digest === null || resolution.digest !== ref.digest || resolution.checkedAt === null) return;
    if (this.#entries.get(key)?.checkedAt === resolution.checkedAt) return; // served from here: keep its age
    this.#entries.set(key, {
      digest: resolution.digest,
      mediaType: resolution.mediaType,
      platforms: resolution.platforms,
      checkedAt: resolution.checkedAt,
      authenticated: resolution.authenticated,
      credentialSource: resolution.credentialSource,
      ...(resolution.endpoint ? { endpoint: resolution.endpoint } : {}),
    });
  }

  /** Writes the file (atomically: a reader never sees half of it); returns a problem sentence or null. */
  async save(): Promise<string | null> {
    const now = this.now().getTime();
    const kept = [...this.#entries].filter(([, e]) => !expired(e, now)).sort(([, a], [, b]) => b.checkedAt.localeCompare(a.checkedAt)).slice(0, MAX_ENTRIES);
    const text = `${JSON.stringify({ version: VERSION, entries: Object.fromEntries(kept) })}\n`;
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(temporary, text);
      await rename(temporary, this.file);
      return null;
    } catch (error) {
      return `the results cache ${this.file} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'}); the next run checks every image again`;
    }
  }
}

/** `registry/repository@digest` for a digest reference without a tag; null for everything else. */
function keyOf(ref: ImageReference): string | null {
  return ref.digest !== null && ref.tag === null ? `${ref.name}@${ref.digest}` : null;
}

function expired(entry: Entry, now: number): boolean {
  const at = Date.parse(entry.checkedAt);
  return !(at <= now + 60_000) || now - at > MAX_AGE_MS; // a date in the future is not trusted either
}

function parseEntries(text: string, now: number): { entries: Map<string, Entry>; dropped: number | 'file' } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { entries: new Map(), dropped: 'file' };
  }
  if (!isObject(parsed) || parsed.version !== VERSION || !isObject(parsed.entries)) return { entries: new Map(), dropped: 'file' };
  const entries = new Map<string, Entry>();
  let dropped = 0;
  for (const [key, value] of Object.entries(parsed.entries)) {
    const entry = asEntry(key, value);
    if (entry === null) dropped++;
    else if (!expired(entry, now)) entries.set(key, entry);
  }
  return { entries, dropped };
}

/** The entry, when every field has its type and the key names the entry's own digest. */
function asEntry(key: string, value: unknown): Entry | null {
  if (!isObject(value)) return null;
  const { digest, mediaType, platforms, checkedAt, authenticated, credentialSource, endpoint } = value;
  const keyDigest = key.slice(key.lastIndexOf('@') + 1);
  if (typeof digest !== 'string' || !DIGEST.test(digest) || digest !== keyDigest || !key.includes('/')) return null;
  if (mediaType !== null && typeof mediaType !== 'string') return null;
  if (platforms !== null && !(Array.isArray(platforms) && platforms.every((p) => typeof p === 'string'))) return null;
  if (typeof checkedAt !== 'string' || Number.isNaN(Date.parse(checkedAt))) return null;
  if (typeof authenticated !== 'boolean' || (credentialSource !== null && typeof credentialSource !== 'string')) return null;
  if (endpoint !== undefined && typeof endpoint !== 'string') return null;
  return { digest, mediaType, platforms, checkedAt, authenticated, credentialSource, ...(endpoint !== undefined ? { endpoint } : {}) };
}

