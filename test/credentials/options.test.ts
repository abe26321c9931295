import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRegistryAuth } from '../../src/credentials/index.js';
import { buildOptions, ConfigError } from '../../src/options.js';
import { sandbox, type Sandbox } from './setup.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.remove());

describe('credential options', () => {
  it('reads use-pull-secrets from the config file (default off) and noSecrets from the entry point', () => {
    expect(buildOptions({ root: box.dir })).toMatchObject({ usePullSecrets: false, noSecrets: false });
    box.write('.pullcheck.yml', 'use-pull-secrets: true\n');
    expect(buildOptions({ root: box.dir, noSecrets: true })).toMatchObject({ usePullSecrets: true, noSecrets: true });
    box.write('.pullcheck.yml', 'use-pull-secrets: "yes please"\n');
    expect(() => buildOptions({ root: box.dir })).toThrow(new ConfigError('use-pull-secrets in .pullcheck.yml must be true or false'));
  });

  it('lets registry-auth replace the config file\'s credentials for a host, keeping its insecure and ca', () => {
    box.write('.pullcheck.yml', 'registries:\n  registry.test:5000:\n    insecure: true\n    username: from-file\n    password: file-password\n  quay.io:\n    token: file-token\n');
    const registryAuth = parseRegistryAuth('registry.test:5000: {token: input-token}\nghcr.io: {username: u, password: p}');
    expect(buildOptions({ root: box.dir, registryAuth }).registries).toEqual({
      'registry.test:5000': { insecure: true, ca: null, username: null, password: null, token: 'input-token' },
      'quay.io': { insecure: false, ca: null, username: null, password: null, token: 'file-token' },
      'ghcr.io': { insecure: false, ca: null, username: 'u', password: 'p', token: null },
    });
  });
});
