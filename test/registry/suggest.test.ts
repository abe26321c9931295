import { describe, expect, it } from 'vitest';
import { closestNames, closestTags } from '../../src/registry/suggest.js';

describe('closestTags', () => {
  it('offers the version neighbours of a missing version, lower first', () => {
    expect(closestTags('1.4.2', ['1.3.9', '1.4.0', '1.4.1', '1.5.0', '2.0.0', 'latest'])).toEqual(['1.4.1', '1.5.0', '1.4.0']);
  });

  it('orders versions numerically, not as text', () => {
    expect(closestTags('1.10.0', ['1.9.0', '1.11.0', '1.2.0', '1.100.0'])).toEqual(['1.9.0', '1.11.0', '1.2.0']);
  });

  it('stays within the family: same number of components, same prefix and suffix', () => {
    const tags = ['1.25-alpine', '1.25.3', '1.27-alpine', '1.26', 'v1.26-alpine', '1.24-alpine'];
    expect(closestTags('1.26-alpine', tags)).toEqual(['1.25-alpine', '1.27-alpine', '1.24-alpine']);
  });

  it('gives the highest versions when the missing one is above them all', () => {
    expect(closestTags('3.0.0', ['1.0.0', '2.0.0', '2.1.0'])).toEqual(['2.1.0', '2.0.0', '1.0.0']);
  });

  it('falls back to edit distance for tags that are not versions', () => {
    expect(closestTags('lates', ['latest', 'stable', 'edge', 'slim'])).toEqual(['latest']);
    expect(closestTags('stabel', ['stable', 'latest', 'unstable'])).toEqual(['stable']);
  });

  it('offers nothing when nothing is close', () => {
    expect(closestTags('production', ['1.0', 'latest'])).toEqual([]);
    expect(closestTags('1.0', [])).toEqual([]);
  });
});

describe('closestNames', () => {
  it('keeps names within the distance, nearest first, at most three', () => {
    expect(closestNames('team/frontnd', ['team/front', 'team/backend', 'team/frontend', 'other/x'], 2)).toEqual(['team/frontend', 'team/front']);
    expect(closestNames('a', ['b', 'c', 'd', 'e'], 1)).toEqual(['b', 'c', 'd']);
  });
});
