// Image references chosen by a pull request can name any host. The client must never connect to a
// link-local or cloud metadata address — named directly, reached through DNS, a redirect or a token realm —
// and must say why in the image's detail. No test here sends a packet to such an address: names are
// pointed at addresses by a fake resolver, and each test first checks that the guard refuses the address
// it is about to use (a broken guard fails the test before any connection is tried).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOptions } from '../../src/options.js';
import { guardedLookup, lookupFor, refusedAddress, refusedHostname, refusedUrl } from '../../src/registry/network-safety.js';
import { fakesStoppedAfterEach, type FakeManifest } from '../support/fakes.js';
import { basic, keychainOf, resolveOne } from '../registry/helpers.js';
import { fakeDns, withoutProxyEnvironment } from '../faults/dns.js';
import { deployment, workspace } from './cli.js';
import type { Report } from '../../src/report/report.js';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const manifest: FakeManifest = { mediaType: OCI, body: JSON.stringify({ schemaVersion: 2, mediaType: OCI, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [] }) };
const NO_ALLOWANCE = { allowLinkLocal: new Set<string>() };

withoutProxyEnvironment();

const fake = fakesStoppedAfterEach();

/** Resolves `hostname` through the guard, as a connection would: the refusal's message, or null when allowed. */
function guardVerdict(lookup: LookupFunction, hostname: string): Promise<string | null> {
  return new Promise((resolve) => guardedLookup(lookup)(hostname, { all: true }, (error) => resolve(error ? error.message : null)));
}

describe('which addresses are refused', () => {
  it('refuses link-local and cloud metadata addresses in every spelling', () => {
    const refused = ['169.254.169.254', '169.254.170.2', '169.254.0.1', '100.100.100.200', 'fe80::1', 'febf::1', 'fd00:ec2::254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '64:ff9b::6464:64c8'];
    for (const address of refused) expect(refusedAddress(address), address).toBe(`refused: ${address} is a link-local/cloud metadata address`);
  });

  it('lets loopback, private and public addresses through', () => {
    for (const address of ['127.0.0.1', '::1', '10.0.0.5', '192.168.1.1', '172.16.0.1', '192.0.2.10', '100.100.100.201', '169.253.255.255', '169.255.0.0', 'fec0::1', 'fd00:ec2::253', '2001:db8::1']) {
      expect(refusedAddress(address), address).toBeNull();
    }
  });

  it('refuses metadata names and IP literals from the URL before any lookup', () => {
    expect(refusedHostname('metadata.google.internal')).toBe('refused: metadata.google.internal is the name of a cloud metadata service');
    expect(refusedHostname('METADATA.Google.Internal.')).toBe('refused: metadata.google.internal is the name of a cloud metadata service');
    expect(refusedHostname('[fe80::1]')).toBe('refused: fe80::1 is a link-local/cloud metadata address');
    expect(refusedHostname('registry.example.test')).toBeNull();
    // The classic spellings of 169.254.169.254 in a redirect's Location: the URL parser normalises them.
    for (const spelled of ['http://2852039166/', 'http://0xa9fea9fe/', 'http://0251.0376.0251.0376/', 'http://169.254.43518/', 'http://[::ffff:a9fe:a9fe]/']) {
      expect(refusedUrl(new URL(spelled), NO_ALLOWANCE)?.message, spelled).toMatch(/^refused: (169\.254\.169\.254|::ffff:a9fe:a9fe) is a link-local/);
    }
    expect(refusedUrl(new URL('http://169.254.169.254/latest'), { allowLinkLocal: new Set(['169.254.169.254']) })).toBeNull();
    expect(refusedUrl(new URL('http://169.254.169.254:5000/latest'), { allowLinkLocal: new Set(['169.254.169.254']) })?.message).toMatch(/^refused: 169\.254\.169\.254 is/);
  });

  it('resolves unguarded only for the hosts the config allows', () => {
    const dns = fakeDns({});
    const guard = { allowLinkLocal: new Set(['node-local.example.test:5000']), resolve: dns };
    expect(lookupFor(new URL('http://node-local.example.test:5000/v2/'), guard)).toBe(dns);
    expect(lookupFor(new URL('http://node-local.example.test:5001/v2/'), guard)).not.toBe(dns);
    expect(refusedUrl(new URL('http://[fe80::1]:5000/v2/'), { allowLinkLocal: new Set(['[fe80::1]:5000']) })).toBeNull();
  });

  it('reads allow-link-local from the config, per registry', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-linklocal-'));
    try {
      writeFileSync(path.join(dir, '.pullcheck.yml'), 'registries:\n  node-local.example.test:5000:\n    allow-link-local: true\n  other.example.test: {}\n');
      const options = buildOptions({ root: dir });
      expect(options.registries['node-local.example.test:5000']?.allowLinkLocal).toBe(true);
      expect(options.registries['other.example.test']?.allowLinkLocal).toBeUndefined();
      writeFileSync(path.join(dir, '.pullcheck.yml'), 'registries:\n  x.example.test:\n    allow-link-local: yes please\n');
      expect(() => buildOptions({ root: dir })).toThrow('registries.x.example.test.allow-link-local in .pullcheck.yml must be true or false');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a name when any of its addresses is refused', async () => {
    const mixed: LookupFunction = (_hostname, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }, { address: 'fe80::1', family: 6 }]);
    expect(await guardVerdict(mixed, 'two-faced.example.test')).toMatch(/^refused: two-faced\.example\.test resolves to fe80::1, a link-local/);
    expect(await guardVerdict(fakeDns({ 'registry.example.test': '127.0.0.1' }), 'registry.example.test')).toBeNull();
  });
});

describe('the registry client', () => {
  it('refuses an IP literal in the reference without a lookup or a connection: registry-unreachable, with the reason', async () => {
    const dns = fakeDns({});
    const r = await resolveOne('169.254.169.254/latest/meta-data:1', { lookup: dns });
    expect(r).toMatchObject({ status: 'registry-unreachable', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toMatch(/^refused: 169\.254\.169\.254 is a link-local\/cloud metadata address; set allow-link-local for the registry/);
    expect(dns.asked).toEqual([]);
  });

  it('refuses a name that resolves to a metadata address, after the lookup and before connecting', async () => {
    const dns = fakeDns({ 'registry.example.test': '169.254.169.254' });
    expect(await guardVerdict(dns, 'registry.example.test')).not.toBeNull(); // tripwire: no connection below if the guard is broken
    dns.asked.splice(0);
    const r = await resolveOne('registry.example.test:5000/team/app:1', { lookup: dns, registries: { 'registry.example.test:5000': { insecure: true } } });
    expect(r).toMatchObject({ status: 'registry-unreachable', evidence: { httpStatus: null } });
    expect(r.evidence.detail).toMatch(/^refused: registry\.example\.test resolves to 169\.254\.169\.254, a link-local\/cloud metadata address/);
    expect(dns.asked.length).toBeGreaterThan(0);
  });

  it('refuses metadata.google.internal by name, so not even a proxy is asked to resolve it', async () => {
    const dns = fakeDns({});
    const r = await resolveOne('metadata.google.internal/computemetadata/v1:1', { lookup: dns });
    expect(r.evidence.detail).toMatch(/^refused: metadata\.google\.internal is the name of a cloud metadata service/);
    expect(dns.asked).toEqual([]);
  });

  it('reaches a registry behind an ordinary name through the same resolver', async () => {
    const registry = await fake({ images: { app: { '1': manifest } } });
    const dns = fakeDns({ 'registry.example.test': '127.0.0.1' });
    const host = `registry.example.test:${registry.port}`;
    expect(await resolveOne(`${host}/app:1`, { lookup: dns, registries: { [host]: { insecure: true } } })).toMatchObject({ status: 'ok' });
  });
});

describe('redirects and token realms do not lead to metadata addresses', () => {
  it('does not follow a manifest redirect to 169.254.169.254, and no credential leaves', async () => {
    expect(refusedUrl(new URL('http://169.254.169.254/v2/app/manifests/1'), NO_ALLOWANCE)).not.toBeNull(); // tripwire
    const registry = await fake({
      images: { app: { '1': manifest } },
      fault: (r) => (r.path === '/v2/' ? { status: 401, headers: { 'www-authenticate': 'Basic realm="fake"' } } : r.path.includes('/manifests/') ? { redirectTo: 'http://169.254.169.254' } : undefined),
    });
    const r = await resolveOne(`${registry.host}/app:1`, { keychain: keychainOf({ [registry.host]: basic('deploy', 'hunter2-secret') }) });
    expect(r).toMatchObject({ status: 'registry-unreachable' });
    expect(r.evidence.detail).toMatch(new RegExp(`^${registry.host.replace(/\./g, '\\.')} redirected to 169\\.254\\.169\\.254; refused: 169\\.254\\.169\\.254 is a link-local`));
    expect(r.status).not.toMatch(/not-found/);
  });

  it('does not follow a redirect to a name that resolves to a metadata address', async () => {
    const dns = fakeDns({ 'cdn.example.test': 'fd00:ec2::254' });
    expect(await guardVerdict(dns, 'cdn.example.test')).not.toBeNull(); // tripwire
    const registry = await fake({ images: { app: { '1': manifest } }, fault: (r) => (r.path.includes('/manifests/') ? { redirectTo: 'http://cdn.example.test' } : undefined) });
    const r = await resolveOne(`${registry.host}/app:1`, { lookup: dns });
    expect(r.status).toBe('registry-unreachable');
    expect(r.evidence.detail).toMatch(/refused: cdn\.example\.test resolves to fd00:ec2::254/);
  });

  it('never sends the credential to a token realm at a metadata address', async () => {
    expect(refusedUrl(new URL('https://169.254.169.254/token'), NO_ALLOWANCE)).not.toBeNull(); // tripwire
    // HTTPS: a plain-HTTP realm would already be refused the credential for being plain HTTP.
    const registry = await fake({ fault: (r) => (r.path === '/v2/' ? { status: 401, headers: { 'www-authenticate': 'Bearer realm="https://169.254.169.254/latest/meta-data/iam",service="x"' } } : undefined) });
    const keychain = keychainOf({ [registry.host]: basic('deploy', 'hunter2-secret') });
    const r = await resolveOne(`${registry.host}/app:1`, { keychain });
    expect(r.status).toBe('registry-unreachable');
    expect(r.evidence.detail).toMatch(/^refused: 169\.254\.169\.254 is a link-local/);
    expect(JSON.stringify(r)).not.toContain('hunter2-secret');
  });

  it('does not follow a token realm that redirects to metadata.google.internal', async () => {
    const realm = await fake({ fault: () => ({ redirectTo: 'http://metadata.google.internal' }) });
    const registry = await fake({ fault: (r) => (r.path === '/v2/' || r.path.includes('/manifests/') ? { status: 401, headers: { 'www-authenticate': `Bearer realm="${realm.url}/token",service="x"` } } : undefined) });
    const dns = fakeDns({});
    const r = await resolveOne(`${registry.host}/app:1`, { lookup: dns, keychain: keychainOf({ [registry.host]: basic('deploy', 'hunter2-secret') }) });
    expect(r.status).toBe('registry-unreachable');
    expect(r.evidence.detail).toMatch(/redirected to metadata\.google\.internal; refused: metadata\.google\.internal is the name of a cloud metadata service/);
    expect(realm.requests().map((q) => q.authScheme)).toEqual(['basic']); // the realm the challenge named got it, nothing further
    expect(dns.asked).toEqual([]);
  });
});

describe('allowed-registries', () => {
  it('sends nothing to a registry the policy does not allow, and says so at the image', async () => {
    const allowed = await fake({ images: { app: { '1': manifest } } });
    const other = await fake({ images: { app: { '1': manifest } } });
    const ws = workspace();
    try {
      ws.write('.pullcheck.yml', `allowed-registries: ["${allowed.host}"]\n`);
      ws.write('deploy.yaml', deployment('app', [`${allowed.host}/app:1`, `${other.host}/app:1`]));
      const out = await ws.run(['--format', 'json', '--timeout', '10s']);
      const report = JSON.parse(out.stdout) as Report;
      expect(report.images.find((i) => i.registry === other.host)?.status).toBe('unchecked');
      expect(report.findings.filter((f) => f.rule === 'disallowed-registry').map((f) => f.line)).toEqual([16]);
      expect(other.requests()).toEqual([]);
      expect(allowed.requests().length).toBeGreaterThan(0);
    } finally {
      ws.remove();
    }
  });
});
