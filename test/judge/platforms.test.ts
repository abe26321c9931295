import { describe, expect, it } from 'vitest';
import { missingPlatforms, runsOn } from '../../src/judge/platforms.js';

describe('platform matching as containerd does it', () => {
  it.each([
    ['linux/amd64', 'linux/amd64', true],
    ['linux/arm64', 'linux/arm64/v8', true],
    ['linux/arm64/v8', 'linux/arm64', true],
    ['linux/arm/v7', 'linux/arm/v6', true],
    ['linux/arm/v6', 'linux/arm/v7', false],
    ['linux/arm', 'linux/arm/v7', true],
    ['linux/amd64/v3', 'linux/amd64', true],
    ['linux/amd64', 'linux/amd64/v3', false],
    ['linux/amd64', 'linux/arm64', false],
    ['linux/amd64', 'windows/amd64', false],
    ['windows/amd64', 'linux/amd64', false],
  ])('node %s runs image %s: %s', (node, image, expected) => expect(runsOn(node, image)).toBe(expected));

  it('lists what an index lacks', () => {
    expect(missingPlatforms(['linux/amd64', 'linux/arm64'], ['linux/arm64/v8'])).toEqual(['linux/amd64']);
    expect(missingPlatforms(['linux/amd64'], ['linux/amd64', 'linux/arm64'])).toEqual([]);
  });
});
