// GET /v2/<name>/tags/list, following `Link: <…>; rel="next"` pages (Docker Hub, GHCR; Distribution 2.8
// sends everything in one page). Its 404 is how a missing repository shows on Distribution, whose manifest
// endpoint says MANIFEST_UNKNOWN for a missing repository and a missing tag alike.
import type { RegistryHost, Trace } from './host.js';
import { NetworkError, registryErrorOf, Verdict } from './verdict.js';

const PAGE_SIZE = 1000;
/** At most this many pages (20 000 tags): enough to suggest neighbours, bounded for huge repositories. */
const MAX_PAGES = 20;
const MAX_PAGE_BYTES = 4 * 1024 * 1024;

export type TagListing =
  | { kind: 'tags'; tags: string[] }
  | { kind: 'no-repository'; errorCode: string | null }
  /** The list could not be read; `why` says what happened instead. */
  | { kind: 'unknown'; why: string };

const listings = new WeakMap<RegistryHost, Map<string, Promise<TagListing>>>();

/** The repository's tags, read once per run however many of its tags are missing (single-flight). */
export function listTags(host: RegistryHost, trace: Trace, repository: string): Promise<TagListing> {
  let ofHost = listings.get(host);
  if (!ofHost) listings.set(host, (ofHost = new Map()));
  let listing = ofHost.get(repository);
  if (!listing) ofHost.set(repository, (listing = readTags(host, trace, repository)));
  return listing;
}

async function readTags(host: RegistryHost, trace: Trace, repository: string): Promise<TagListing> {
  const tags: string[] = [];
  let path: string | null = `/v2/${repository}/tags/list?n=${PAGE_SIZE}`;
  try {
    for (let page = 0; path !== null && page < MAX_PAGES; page++) {
      const response = await host.request(trace, repository, { method: 'GET', path, maxBodyBytes: MAX_PAGE_BYTES });
      if (response.status === 404 && page === 0) return { kind: 'no-repository', errorCode: registryErrorOf(response.body).code };
      if (response.status !== 200) return { kind: 'unknown', why: `its tag list answered HTTP ${response.status}` };
      const parsed = parseTagPage(response.body);
      if (!parsed) return { kind: 'unknown', why: 'its tag list is not valid JSON' };
      tags.push(...parsed);
      path = nextPage(response.headers.link, response.url);
    }
  } catch (error) {
    // The manifest's 404 stands; only the triage failed (the run's deadline passing still ends the check).
    const unreadable = error instanceof Verdict || (error instanceof NetworkError && error.failure !== 'deadline');
    if (unreadable) return { kind: 'unknown', why: `its tag list could not be read (${error.message})` };
    throw error;
  }
  return { kind: 'tags', tags };
}

function parseTagPage(body: Buffer | null): string[] | null {
  try {
    const parsed = JSON.parse(body?.toString('utf8') ?? '') as { tags?: unknown };
    if (parsed.tags === null || parsed.tags === undefined) return []; // Distribution: `"tags": null` when empty
    return Array.isArray(parsed.tags) ? parsed.tags.filter((t): t is string => typeof t === 'string') : null;
  } catch {
    return null;
  }
}

/**
 * The path+query of the `rel="next"` link (RFC 8288), resolved against the page's URL; null when there is
 * none, or when it leads to another origin (a token for this registry must not follow it there).
 */
export function nextPage(link: string | string[] | undefined, current: URL): string | null {
  const values = link === undefined ? [] : Array.isArray(link) ? link : [link];
  for (const value of values) {
    for (const match of value.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]*)*)/g)) {
      const rel = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2] ?? '')?.[1] ?? '';
      if (!rel.toLowerCase().split(/\s+/).includes('next')) continue;
      let target: URL;
      try {
        target = new URL(match[1] ?? '', current);
      } catch {
        return null;
      }
      return target.origin === current.origin ? `${target.pathname}${target.search}` : null;
    }
  }
  return null;
}
