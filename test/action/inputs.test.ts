import { describe, expect, it } from 'vitest';
import { readInputs } from '../../src/action-inputs.js';

const root = '/work/space';
const read = (inputs: Record<string, string>) => readInputs((name) => inputs[name] ?? '', root);
const failure = (inputs: Record<string, string>) => {
  try {
    read(inputs);
  } catch (error) {
    return (error as Error).message;
  }
  return null;
};

describe('action inputs', () => {
  it('leaves config-backed settings unset when empty, so the config file applies', () => {
    const inputs = read({});
    expect(inputs.options).toMatchObject({ root, paths: [], failOn: undefined, platforms: undefined, timeout: undefined, exclude: undefined, offline: false });
    expect(inputs).toMatchObject({ annotations: true, summary: true, review: 'auto', filterMode: null, sarif: null, secrets: [] });
  });

  it('splits lists on newlines, spaces or commas and resolves paths against the workspace', () => {
    const inputs = read({ paths: 'deploy/\n charts/web ./', platforms: 'linux/amd64, linux/arm64', sarif: 'out/p.sarif', rendered: '/tmp/r.yaml' });
    expect(inputs.options.paths).toEqual(['deploy', 'charts/web', '.']);
    expect(inputs.options.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(inputs.sarif).toBe('/work/space/out/p.sarif');
    expect(inputs.options.rendered).toEqual(['/tmp/r.yaml']);
  });

  it('names the input in one line when a value is wrong', () => {
    expect(failure({ 'fail-on': 'errors' })).toBe("input 'fail-on' must be one of error, warning, never (got 'errors')");
    expect(failure({ 'filter-mode': 'diff_context' })).toBe("input 'filter-mode' must be one of added, file, nofilter (got 'diff_context')");
    expect(failure({ annotations: 'yes' })).toBe("input 'annotations' must be true or false (got 'yes')");
    expect(failure({ timeout: 'soon' })).toMatch(/^input 'timeout' must be a duration like 90s/);
    expect(failure({ paths: '../elsewhere' })).toBe("input 'paths': ../elsewhere is outside the workspace /work/space");
  });

  it('reads registry-auth as YAML or JSON, masks every secret, and never quotes the text in an error', () => {
    const inputs = read({ 'registry-auth': '{"ghcr.io": {"token": "t0ken"}, "https://index.docker.io/v1/": {"username": "me", "password": "pa55"}}', 'github-token': 'ghs_x' });
    expect(inputs.options.registryAuth).toMatchObject({ 'ghcr.io': { token: 't0ken' }, 'docker.io': { username: 'me', password: 'pa55' } });
    expect(inputs.secrets).toEqual(expect.arrayContaining(['t0ken', 'pa55', Buffer.from('me:pa55').toString('base64'), 'ghs_x']));
    const message = failure({ 'registry-auth': 'ghcr.io:\n  token: "s3cret\n  username: [' });
    expect(message).toMatch(/^input 'registry-auth' is not valid YAML or JSON/);
    expect(message).not.toContain('s3cret');
  });

  it('checks a host whose secret is empty (a fork pull request) anonymously, with a note', () => {
    const inputs = read({ 'registry-auth': 'ghcr.io:\n  token: ""\nquay.io:\n  username: bot\n  password: pw' });
    expect(Object.keys(inputs.options.registryAuth ?? {})).toEqual(['quay.io']);
    expect(inputs.notes).toEqual([expect.stringContaining('empty secret for ghcr.io')]);
  });
});
