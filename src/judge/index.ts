// The judge: every image occurrence, with what the registry said about its reference, goes through a table
// of checks; each check returns at most one draft finding. Severity comes from the rule table unless the
// check or the user's config says otherwise. No I/O here.
import type { Finding, ImageOccurrence, Resolution, Severity } from '../model.js';
import type { PolicySettings } from '../options.js';
import { parseReference, type ImageReference } from '../reference/index.js';
import { findMovedLocation } from './moved-registries.js';
import { classifyImageString } from './placeholders.js';
import { platformMismatch } from './platforms.js';
import { policyChecks } from './policy.js';
import { rateLimitMessage } from './rate-limit.js';
import { restyle } from './restyle.js';
import { rule } from './rules.js';

export { restyle };

/** An occurrence with its image string already classified (done once, in the pipeline). */
export type Subject =
  | { occurrence: ImageOccurrence; kind: 'reference'; ref: ImageReference }
  | { occurrence: ImageOccurrence; kind: 'invalid'; reason: string; suggestion: string | null }
  | { occurrence: ImageOccurrence; kind: 'placeholder'; placeholder: string }
  | { occurrence: ImageOccurrence; kind: 'ko' };

export function classify(occurrence: ImageOccurrence): Subject {
  const found = classifyImageString(occurrence.written);
  if (found.kind === 'ko') return { occurrence, kind: 'ko' };
  if (found.kind === 'placeholder') return { occurrence, kind: 'placeholder', placeholder: found.placeholder ?? '' };
  const parsed = parseReference(occurrence.written);
  if (!parsed.ok) return { occurrence, kind: 'invalid', reason: parsed.reason, suggestion: parsed.suggestion };
  const { ref } = parsed;
  // distribution reads an upper-case first component as a registry host (`Acme/api` → host "Acme"), so
  // the reference parses, but the kubelet then dials a host that cannot exist: almost always a typo'd
  // name. Judged as invalid here so it is not also sent to a registry that does not exist.
  if (/[A-Z]/.test(ref.registry) && !/[.:]/.test(ref.registry)) {
    const lowered = occurrence.written.trim().replace(ref.registry, ref.registry.toLowerCase());
    return {
      occurrence,
      kind: 'invalid',
      reason: `"${ref.registry}" is read as a registry host because it has upper-case letters, and repository names must be lowercase`,
      suggestion: parseReference(lowered).ok ? lowered : null,
    };
  }
  return { occurrence, kind: 'reference', ref };
}

export interface JudgeContext {
  /** Null when the run is offline: only grammar and static rules apply. */
  resolutions: Map<string, Resolution> | null;
  /** Configured platforms; `auto` reads each workload's node constraints (see workloadPlatforms). */
  platforms: string[];
  severities: Record<string, Severity | 'off'>;
  /** The opt-in policy rules; absent = none. */
  policy?: PolicySettings;
}

export interface Draft {
  rule: string;
  message: string;
  replacement?: string | null;
  /** Overrides the rule table's severity for this finding (still below the user's override). */
  severity?: Severity;
}

export type Check = (subject: Subject, ctx: JudgeContext) => Draft | null;

/**
 * A string no valid reference is as long as (names stop at 255 characters), shortened for a message: a
 * pull request must not blow up an annotation, the job summary (1 MiB) or a review comment (65,536).
 */
function elided(text: string): string {
  return text.length <= 300 ? text : `${text.slice(0, 200)}…${text.slice(-60)} (${text.length} characters)`;
}

const CHECKS: Check[] = [
  (s) => (s.kind === 'invalid' ? {
    rule: 'invalid-reference',
    message: `"${elided(s.occurrence.written)}" is not a valid image reference: ${s.reason}.`
      + (s.suggestion ? ` Did you mean "${elided(s.suggestion)}"?` : ''),
    replacement: s.suggestion,
  } : null),
  (s) => (s.kind === 'placeholder' ? {
    rule: 'unresolved-placeholder',
    message: `The image contains the placeholder ${s.placeholder}; the kubelet gets it verbatim unless a substitution step replaces it before deploy.`,
  } : null),
  (s) => (s.kind === 'ko' ? {
    rule: 'not-a-registry-reference',
    message: `${s.occurrence.written} is built and pushed by ko at deploy time; there is nothing in a registry to check yet.`,
  } : null),
  (s, ctx) => {
    if (s.kind !== 'reference') return null;
    const moved = findMovedLocation(s.ref.registry, s.ref.repository);
    if (!moved) return null;
    const target = moved.newName(s.ref.registry, s.ref.repository);
    const replacement = target ? restyle(s.occurrence.written, s.ref, target + suffixOf(s.ref)) : null;
    // A move that deletes images is an error, unless the registry still served this one a moment ago:
    // then the pull works today and blocking the merge would be a false alarm.
    const stillServed = resolutionOf(s, ctx)?.status === 'ok';
    return {
      rule: 'deprecated-registry',
      message: `${moved.what}${stillServed ? ' (this image still resolves today)' : ''}; ${moved.advice}${replacement ? `: ${replacement}` : ''}.`,
      replacement,
      severity: stillServed && moved.severity === 'error' ? 'warning' : moved.severity,
    };
  },
  (s) => (s.kind === 'reference' && !s.ref.tagDefaulted && s.ref.tag === 'latest' && !s.ref.digest ? {
    rule: 'latest-tag',
    message: `${s.occurrence.written} uses the mutable "latest" tag: nodes may run different builds, and it is pulled on every pod start.`,
  } : null),
  (s) => (s.kind === 'reference' && s.ref.tagDefaulted ? {
    rule: 'missing-tag',
    message: `${s.occurrence.written} has no tag or digest, so the kubelet pulls "latest" on every pod start.`,
  } : null),
  resolutionCheck,
  (s, ctx) => {
    const resolution = resolutionOf(s, ctx);
    if (!resolution || resolution.status !== 'ok' || !resolution.platforms) return null;
    const message = platformMismatch(s.occurrence, resolution, ctx.platforms);
    return message ? { rule: 'platform-missing', message } : null;
  },
  (s, ctx) => {
    const resolution = resolutionOf(s, ctx);
    if (!resolution || resolution.status !== 'ok' || !isSchema1(resolution.mediaType)) return null;
    return {
      rule: 'schema1-manifest',
      message: `${s.occurrence.written} is a Docker schema 1 image; containerd 2.1 and later cannot pull it.`,
    };
  },
  (s, ctx) => {
    const resolution = resolutionOf(s, ctx);
    if (s.kind !== 'reference' || !resolution || resolution.status !== 'ok') return null;
    if (!s.ref.tag || !s.ref.digest || !resolution.tagDigest || resolution.tagDigest === s.ref.digest) return null;
    return {
      rule: 'tag-digest-mismatch',
      message: `The tag ${s.ref.tag} now points at ${resolution.tagDigest}, not at the pinned ${s.ref.digest}; the kubelet pulls the digest, so the tag misleads readers.`,
      replacement: s.occurrence.written.replace(s.ref.digest, resolution.tagDigest),
    };
  },
  ...policyChecks,
];

function suffixOf(ref: ImageReference): string {
  return `${ref.tag && !ref.tagDefaulted ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

function resolutionOf(s: Subject, ctx: JudgeContext): Resolution | null {
  return s.kind === 'reference' ? (ctx.resolutions?.get(s.ref.canonical) ?? null) : null;
}

function isSchema1(mediaType: string | null): boolean {
  return mediaType !== null && mediaType.startsWith('application/vnd.docker.distribution.manifest.v1');
}

/** What the registry's answer means for the person who wrote the image. */
function resolutionCheck(s: Subject, ctx: JudgeContext): Draft | null {
  const r = resolutionOf(s, ctx);
  if (s.kind !== 'reference' || !r) return null;
  const image = s.occurrence.written;
  const detail = r.evidence.detail ? ` (${r.evidence.detail})` : '';
  const closest = r.suggestions[0] ?? null;
  switch (r.status) {
    case 'ok':
    case 'unchecked':
      return null;
    case 'tag-not-found': {
      const replacement = closest ? restyle(image, s.ref, closest) : null;
      return {
        rule: 'tag-not-found',
        message: `${s.ref.name} has no tag "${s.ref.tag ?? 'latest'}".` + (replacement
          ? ` Closest existing: ${r.suggestions.map((x) => tagOf(x) ?? x).join(', ')}.`
          : ' Push it, or use a tag that exists.'),
        replacement,
      };
    }
    case 'repository-not-found': {
      const replacement = closest ? restyle(image, s.ref, closest) : null;
      return {
        rule: 'repository-not-found',
        message: `${s.ref.registry} has no repository ${s.ref.repository}${detail}.` + (replacement ? ` Did you mean ${replacement}?` : ' Check the name, or push the image.'),
        replacement,
      };
    }
    case 'digest-not-found':
      return { rule: 'digest-not-found', message: `${s.ref.name} has no manifest ${s.ref.digest}; no pull of this digest can succeed.` };
    case 'unauthorized': {
      // The run had no credentials for this registry, but the pod names pull secrets: the cluster may well
      // hold what this run lacks. That is "could not verify", not a refusal the kubelet will meet.
      const secrets = s.occurrence.pod?.imagePullSecrets ?? [];
      if (!r.authenticated && secrets.length > 0) {
        return {
          rule: 'unverified',
          message: `${s.ref.registry} wants credentials for ${s.ref.repository} and this run has none; the pod's pull secret ${secrets.join(', ')} may provide them. Give pullcheck the same credentials (registry-auth or docker login) to verify the image.`,
        };
      }
      return { rule: 'unauthorized', message: `${s.ref.registry} refused access to ${s.ref.repository}${detail}; the kubelet fails the same way unless the cluster has working credentials for ${s.ref.registry}.` };
    }
    case 'access-denied':
      return { rule: 'access-denied', message: `Pulling ${image} is denied${r.evidence.detail ? `: ${r.evidence.detail}` : ''}. Grant pull on ${s.ref.repository} to the identity the cluster uses.` };
    case 'rate-limited':
      return { rule: 'rate-limited', message: rateLimitMessage(s.ref, r) };
    case 'registry-unreachable':
      return { rule: 'registry-unreachable', message: `Could not reach ${s.ref.registry} to verify ${image}${detail}; this does not mean the image is missing.` };
    case 'registry-error':
      return { rule: 'registry-error', message: `${s.ref.registry} failed to answer for ${image}${detail}; the image could not be verified (not reported as missing).` };
    case 'unverified':
      return { rule: 'unverified', message: `${image} could not be verified${detail}; it was not checked, not found missing.` };
  }
}

/** The tag of a suggestion that is a full reference, or null when it is not one. */
function tagOf(suggestion: string): string | null {
  const parsed = parseReference(suggestion);
  return parsed.ok ? parsed.ref.tag : null;
}

export function judge(subjects: Subject[], ctx: JudgeContext): Finding[] {
  const findings: Finding[] = [];
  for (const subject of subjects) {
    for (const check of CHECKS) {
      const draft = check(subject, ctx);
      if (!draft) continue;
      const severity = effectiveSeverity(draft.rule, draft.severity, ctx.severities);
      if (severity === 'off') continue;
      findings.push({
        rule: draft.rule,
        severity,
        message: draft.message,
        range: subject.occurrence.range,
        image: subject.occurrence.written,
        fix: draft.replacement ? { replacement: draft.replacement } : null,
      });
    }
  }
  return findings;
}

export function effectiveSeverity(ruleId: string, fromCheck: Severity | undefined, overrides: Record<string, Severity | 'off'>): Severity | 'off' {
  return overrides[ruleId] ?? fromCheck ?? rule(ruleId).severity;
}
