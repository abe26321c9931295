// Closest existing names for a missing tag or repository. Pure functions.
//
// Tags are compared as version families by hand rather than with `semver`: image tags are rarely semver
// (`1.25`, `1.25.3-alpine3.19`, `v2`), and a suffix like `-alpine` is a variant, not a pre-release, so
// `1.4.2-alpine` must be compared with `1.4.1-alpine` and never with `1.4.1`.
import { distance } from 'fastest-levenshtein';

export const MAX_SUGGESTIONS = 3;

interface Version {
  tag: string;
  /** Everything but the numbers: `v` + `.` + `-alpine`. Tags of one family share it and the count of numbers. */
  family: string;
  numbers: number[];
}

const VERSION = /^(v?)(\d+(?:\.\d+){0,3})(.*)$/i;

function versionOf(tag: string): Version | null {
  const match = VERSION.exec(tag);
  if (!match) return null;
  const numbers = (match[2] ?? '').split('.').map(Number);
  return { tag, family: `${match[1]}|${numbers.length}|${match[3]}`, numbers };
}

function compareNumbers(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Up to 3 existing tags closest to `wanted`, best first. A versioned tag gets its neighbours in the same
 * family by version order, nearest first, the lower one before the higher (1.4.2 → 1.4.1, 1.5.0, 1.4.0);
 * any other tag gets the tags within a small edit distance, nearest first.
 */
export function closestTags(wanted: string, tags: readonly string[]): string[] {
  const version = versionOf(wanted);
  if (version) {
    const family = tags.map(versionOf).filter((v): v is Version => v !== null && v.family === version.family && v.tag !== wanted);
    if (family.length > 0) return neighbours(version, family);
  }
  return closestNames(wanted, tags, Math.max(2, Math.ceil(wanted.length / 3)));
}

function neighbours(wanted: Version, family: Version[]): string[] {
  const sorted = [...family].sort((a, b) => compareNumbers(a.numbers, b.numbers) || a.tag.localeCompare(b.tag));
  const lower = sorted.filter((v) => compareNumbers(v.numbers, wanted.numbers) < 0).reverse();
  const higher = sorted.filter((v) => compareNumbers(v.numbers, wanted.numbers) >= 0);
  const out: string[] = [];
  for (let i = 0; out.length < MAX_SUGGESTIONS && (i < lower.length || i < higher.length); i++) {
    for (const v of [lower[i], higher[i]]) if (v && out.length < MAX_SUGGESTIONS) out.push(v.tag);
  }
  return out;
}

/** Names within `maxDistance` edits of `wanted` (itself excluded), nearest first, then alphabetical. */
export function closestNames(wanted: string, names: readonly string[], maxDistance: number): string[] {
  return [...new Set(names)]
    .filter((name) => name !== wanted)
    .map((name) => ({ name, d: distance(wanted, name) }))
    .filter(({ d }) => d <= maxDistance)
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, MAX_SUGGESTIONS)
    .map(({ name }) => name);
}
