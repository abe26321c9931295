import { describe, expect, it } from 'vitest';
import { projectFix } from '../../src/judge/fix-projection.js';

describe('projectFix: the fix for the text a rendered image points at', () => {
  it.each([
    ['the whole image', 'shop/api:1.4.3', 'shop/api:1.4.3', 'shop/api:1.4.2', 'shop/api:1.4.2'],
    ['a kustomize newTag line', '1.4.3', 'reg.local:5000/shop/api:1.4.3', 'reg.local:5000/shop/api:1.4.2', '1.4.2'],
    ['a values digest without algorithm', 'a'.repeat(64), `shop/api@sha256:${'a'.repeat(64)}`, `shop/api@sha256:${'b'.repeat(64)}`, 'b'.repeat(64)],
    ['a newName line', 'k8s.gcr.io/pause', 'k8s.gcr.io/pause:3.9', 'registry.k8s.io/pause:3.9', 'registry.k8s.io/pause'],
    ['a values repository without registry', 'shop/paymnets', 'reg.local:5000/shop/paymnets:1', 'reg.local:5000/shop/payments:1', 'shop/payments'],
  ])('maps onto %s', (_what, rangeText, written, replacement, expected) => {
    expect(projectFix(rangeText, written, replacement)).toBe(expected);
  });

  it('drops a fix that does not fit the text at the range', () => {
    // The tag changed, but the range holds the repository: editing it cannot apply the fix.
    expect(projectFix('shop/api', 'reg.local/shop/api:1.4.3', 'reg.local/shop/api:1.4.2')).toBeNull();
    // Name and tag both change: no single scalar carries the fix.
    expect(projectFix('1.0', 'bitnami/redis:1.0', 'bitnamilegacy/redis:1.1')).toBeNull();
    // A registry change where the values file holds only the repository: it would need another line.
    expect(projectFix('pause', 'k8s.gcr.io/pause:3.9', 'registry.k8s.io/pause:3.9')).toBeNull();
  });
});
