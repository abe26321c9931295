// The team's own rules, off unless the config turns them on: where images may come from
// (`allowed-registries`), that they are pinned by digest (`require-digest`), and that a tag commonly moved is
// not pulled IfNotPresent (`pull-policy`). No I/O; a disallowed registry is filtered out before resolution
// (the pipeline asks `registryAllowed`), so it is never contacted.
import type { PodFacts } from '../model.js';
import type { PolicySettings } from '../options.js';
import type { ImageReference } from '../reference/index.js';
import { matchesGlob } from './glob.js';
import type { Check, Draft, Subject } from './index.js';
import { restyle } from './restyle.js';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/**
 * The pull policy the API server gives the container: as written, else `Always` when the tag is `latest`
 * (written, or implied by neither tag nor digest), else `IfNotPresent` (Kubernetes SetDefaults_Container).
 * An unknown written value is taken as written would be rejected by the API server: null.
 */
export function effectivePullPolicy(ref: ImageReference, pod: PodFacts): PullPolicy | null {
  const written = pod.imagePullPolicy;
  if (written === null) return ref.tag === 'latest' || ref.tagDefaulted ? 'Always' : 'IfNotPresent';
  return written === 'Always' || written === 'IfNotPresent' || written === 'Never' ? written : null;
}

/** A glob with a `/` is matched against `registry/repository`, one without against the registry host. */
export function registryAllowed(ref: ImageReference, allowed: string[] | null): boolean {
  if (allowed === null) return true;
  return allowed.some((pattern) => matchesGlob(pattern, pattern.includes('/') ? ref.name : ref.registry));
}

/**
 * Tags that are moved by convention: named channels (`latest`, `stable`, `main` …, optionally with a
 * flavour: `stable-alpine`) and versions of one or two numbers (`1`, `v2`, `1.25`, `3.19-alpine`, `20.04`).
 * A three-part version, a date or a commit hash is taken as fixed. A heuristic, hence opt-in.
 */
const CHANNEL = /^(latest|stable|mainline|main|master|edge|dev|develop|nightly|canary|beta|alpha|rc|lts|current|unstable|next|release|prod|production|staging)(-[a-z]+)*$/;
const PARTIAL_VERSION = /^v?\d{1,3}(\.\d+)?([-_][a-z][a-z0-9.]*)*$/;
export function isMovingTag(tag: string): boolean {
  const lower = tag.toLowerCase();
  return CHANNEL.test(lower) || PARTIAL_VERSION.test(lower);
}

type ReferenceSubject = Extract<Subject, { kind: 'reference' }>;
type PolicyCheck = (s: ReferenceSubject, policy: PolicySettings, resolvedDigest: string | null) => Draft | null;

const disallowedRegistry: PolicyCheck = (s, policy) => {
  if (registryAllowed(s.ref, policy.allowedRegistries)) return null;
  return {
    rule: 'disallowed-registry',
    message: `${s.occurrence.written} comes from ${s.ref.registry}, which allowed-registries (${policy.allowedRegistries!.join(', ')}) does not list; it was not checked against the registry.`,
  };
};

const missingDigest: PolicyCheck = (s, policy, resolvedDigest) => {
  if (!policy.requireDigest || s.ref.digest) return null;
  const pinned = resolvedDigest ? `${s.ref.name}${s.ref.tagDefaulted ? '' : `:${s.ref.tag}`}@${resolvedDigest}` : null;
  return {
    rule: 'missing-digest',
    message: `${s.occurrence.written} is not pinned by digest (require-digest is on)` + (pinned ? `; the tag points at ${resolvedDigest} now.` : '.'),
    replacement: pinned && restyle(s.occurrence.written, s.ref, pinned),
  };
};

const mutableTagPullPolicy: PolicyCheck = (s, policy) => {
  const pod = s.occurrence.pod;
  if (!policy.pullPolicy || !pod || s.ref.digest) return null;
  const tag = s.ref.tag ?? 'latest';
  if (!isMovingTag(tag) || effectivePullPolicy(s.ref, pod) !== 'IfNotPresent') return null;
  const how = pod.imagePullPolicy === null ? 'IfNotPresent (the default for a tag other than latest)' : 'IfNotPresent';
  return {
    rule: 'mutable-tag-pull-policy',
    message: `${s.occurrence.written} is pulled ${how}, and "${tag}" is a tag that moves: each node keeps the build it pulled first, so nodes can run different builds under one tag. Pin a digest or a full version, or pull Always.`,
  };
};

const POLICY_CHECKS: PolicyCheck[] = [disallowedRegistry, missingDigest, mutableTagPullPolicy];

/** The policy rules as judge checks (each returns at most one draft per occurrence). */
export const policyChecks: Check[] = POLICY_CHECKS.map((check): Check => (subject, ctx) => {
  if (subject.kind !== 'reference' || !ctx.policy) return null;
  const resolution = ctx.resolutions?.get(subject.ref.canonical);
  return check(subject, ctx.policy, resolution?.status === 'ok' ? resolution.digest : null);
});
