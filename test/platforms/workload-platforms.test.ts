// `platforms: auto`: each workload is checked against the platforms its nodeSelector and required node
// affinity allow (kubernetes.io/os, kubernetes.io/arch), the other configured platforms standing in for
// what it leaves open. The affinity terms come from the extract stage.
import { describe, expect, it } from 'vitest';
import { extractManifests } from '../../src/extract/index.js';
import { classify, judge } from '../../src/judge/index.js';
import { workloadPlatforms } from '../../src/judge/platforms.js';
import type { PodFacts, Resolution } from '../../src/model.js';
import { workload, type WorkloadSpec } from '../policy/workspace.js';

function podOf(spec: Omit<WorkloadSpec, 'name' | 'image'>): PodFacts {
  const { occurrences } = extractManifests(workload({ name: 'api', image: 'acme/api:1', ...spec }), 'deploy/api.yaml', 'manifest');
  return occurrences[0]!.pod!;
}

describe('the pod facts carry the required node affinity', () => {
  it('keeps each term\'s match expressions, and leaves the field out when there is none', () => {
    const pod = podOf({ affinity: [[{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64', 'amd64'] }, { key: 'pool', operator: 'Exists' }], [{ key: 'kubernetes.io/os', operator: 'NotIn', values: ['windows'] }]] });
    expect(pod.requiredNodeAffinity).toEqual([
      [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64', 'amd64'] }, { key: 'pool', operator: 'Exists', values: [] }],
      [{ key: 'kubernetes.io/os', operator: 'NotIn', values: ['windows'] }],
    ]);
    expect('requiredNodeAffinity' in podOf({})).toBe(false);
  });
});

describe('workloadPlatforms', () => {
  it.each<[string, Omit<WorkloadSpec, 'name' | 'image'>, string[], string[]]>([
    ['no constraint: the configured platforms', {}, ['auto'], ['linux/amd64']],
    ['no constraint, with fallbacks configured', {}, ['auto', 'linux/arm64'], ['linux/arm64']],
    ['an arch nodeSelector', { nodeSelector: { 'kubernetes.io/arch': 'arm64' } }, ['auto'], ['linux/arm64']],
    ['an os nodeSelector keeps the fallback arch', { nodeSelector: { 'kubernetes.io/os': 'windows' } }, ['auto'], ['windows/amd64']],
    ['the deprecated beta label', { nodeSelector: { 'beta.kubernetes.io/arch': 'arm64' } }, ['auto'], ['linux/arm64']],
    ['affinity In: every listed arch', { affinity: [[{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }]] }, ['auto'], ['linux/amd64', 'linux/arm64']],
    ['affinity terms are alternatives', { affinity: [[{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }], [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }]] }, ['auto'], ['linux/amd64', 'linux/arm64']],
    ['a term without an arch requirement leaves the fallback open', { affinity: [[{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }], [{ key: 'zone', operator: 'In', values: ['a'] }]] }, ['auto'], ['linux/amd64', 'linux/arm64']],
    ['NotIn removes from the known values', { affinity: [[{ key: 'kubernetes.io/arch', operator: 'NotIn', values: ['arm64'] }]] }, ['auto', 'linux/amd64', 'linux/arm64'], ['linux/amd64']],
    ['NotIn every known value leaves nothing to check', { affinity: [[{ key: 'kubernetes.io/arch', operator: 'NotIn', values: ['amd64'] }]] }, ['auto'], []],
    ['nodeSelector and affinity must both hold', { nodeSelector: { 'kubernetes.io/arch': 'arm64' }, affinity: [[{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }]] }, ['auto'], ['linux/arm64']],
    ['a label without variant keeps the configured variant', { nodeSelector: { 'kubernetes.io/arch': 'arm' } }, ['auto', 'linux/arm/v7'], ['linux/arm/v7']],
    ['without auto the workload is not read', { nodeSelector: { 'kubernetes.io/arch': 'arm64' } }, ['linux/amd64'], ['linux/amd64']],
  ])('%s', (_what, spec, configured, expected) => {
    expect(workloadPlatforms(configured, podOf(spec)).platforms).toEqual(expected);
  });
});

describe('platform-missing per workload', () => {
  const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
  function findings(spec: Omit<WorkloadSpec, 'name' | 'image'>, offered: string[], mediaType = OCI_INDEX, configured = ['auto']) {
    const text = workload({ name: 'api', image: 'acme/api:1', ...spec });
    const { occurrences } = extractManifests(text, 'deploy/api.yaml', 'manifest');
    const resolution = { reference: 'docker.io/acme/api:1', status: 'ok', platforms: offered, mediaType, suggestions: [], evidence: { httpStatus: 200, errorCode: null, detail: null } } as unknown as Resolution;
    const found = judge(occurrences.map(classify), { resolutions: new Map([['docker.io/acme/api:1', resolution]]), platforms: configured, severities: {} });
    return found.map((f) => ({ rule: f.rule, line: f.range!.line, message: f.message }));
  }

  it('fires at the image line for an arm64 workload whose index has only amd64', () => {
    const line = workload({ name: 'api', image: 'acme/api:1', nodeSelector: { 'kubernetes.io/arch': 'arm64' } }).split('\n').findIndex((l) => l.includes('image:')) + 1;
    expect(findings({ nodeSelector: { 'kubernetes.io/arch': 'arm64' } }, ['linux/amd64'])).toEqual([{
      rule: 'platform-missing', line,
      message: 'acme/api:1 has no linux/arm64 image (it offers linux/amd64), but Deployment/shop/api is scheduled on linux/arm64 nodes (its nodeSelector / node affinity): the pull fails there with "no match for platform in manifest".',
    }]);
  });

  it('matches variants as containerd does, and is quiet when the workload\'s platforms are offered', () => {
    expect(findings({ nodeSelector: { 'kubernetes.io/arch': 'arm64' } }, ['linux/amd64', 'linux/arm64/v8'])).toEqual([]);
    expect(findings({ affinity: [[{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }]] }, ['linux/amd64', 'linux/arm64/v8', 'linux/s390x'])).toEqual([]);
  });

  it('says a Windows image cannot run on Linux nodes, and the reverse', () => {
    expect(findings({}, ['windows/amd64'])[0]!.message).toBe('acme/api:1 is a Windows image (windows/amd64), and the nodes run linux/amd64 (`platforms` in the config): Linux nodes cannot run Windows containers; the pull fails with "no match for platform in manifest".');
    expect(findings({ nodeSelector: { 'kubernetes.io/os': 'windows' } }, ['linux/amd64', 'linux/arm64'])[0]!.message).toBe('acme/api:1 is a Linux image (linux/amd64, linux/arm64), and Deployment/shop/api is scheduled on windows/amd64 nodes (its nodeSelector / node affinity): Windows nodes cannot run Linux containers; the pull fails with "no match for platform in manifest".');
  });
});
