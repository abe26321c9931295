// Cases derived from distribution/reference's grammar (regexp.go) and ParseNormalizedNamed's normalisation
// (normalize.go), which is what the kubelet runs on every container image string.
import { describe, expect, it } from 'vitest';
import { familiar, parseReference, type ImageReference } from '../../src/reference/index.js';

const hex = (length: number, digit = 'a'): string => digit.repeat(length);
const SHA256 = `sha256:${hex(64)}`;

function accepted(input: string): ImageReference {
  const result = parseReference(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to parse, got: ${result.reason}`);
  return result.ref;
}

describe('references the kubelet accepts', () => {
  const cases: Array<[written: string, canonical: string]> = [
    // docker.io defaults: a single component is an official image under library/
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['library/nginx', 'docker.io/library/nginx:latest'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['docker.io/library/nginx:1', 'docker.io/library/nginx:1'],
    ['docker.io/library', 'docker.io/library/library:latest'],
    ['index.docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['index.docker.io/acme/api:2', 'docker.io/acme/api:2'],
    ['acme/api', 'docker.io/acme/api:latest'],
    ['acme/team/api:v1', 'docker.io/acme/team/api:v1'],
    ['a_b/c', 'docker.io/a_b/c:latest'],
    // a first component with '.' or ':', or 'localhost', is a registry; no library/ outside docker.io
    ['ghcr.io/acme/api:1', 'ghcr.io/acme/api:1'],
    ['ghcr.io/api', 'ghcr.io/api:latest'],
    ['a.b/c', 'a.b/c:latest'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app:dev', 'localhost:5000/app:dev'],
    ['localhost/library/app', 'localhost/library/app:latest'],
    ['registry:5000/app', 'registry:5000/app:latest'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000/app:latest'],
    ['1.2.3.4/app', '1.2.3.4/app:latest'],
    ['[::1]:5000/app:1', '[::1]:5000/app:1'],
    ['[::1]/app', '[::1]/app:latest'],
    ['[2001:db8::1]:443/a/b', '[2001:db8::1]:443/a/b:latest'],
    ['xn--bcher-kva.example/app', 'xn--bcher-kva.example/app:latest'],
    ['sub-domain.example.com:443/app', 'sub-domain.example.com:443/app:latest'],
    // without a '/', 'localhost' and dotted names are images on docker.io, and ':5000' is a tag
    ['localhost', 'docker.io/library/localhost:latest'],
    ['localhost:5000', 'docker.io/library/localhost:5000'],
    ['example.com', 'docker.io/library/example.com:latest'],
    // an upper-case first component is taken for a registry host and kept as written
    ['Acme/api', 'Acme/api:latest'],
    ['REGISTRY.EXAMPLE.COM/app', 'REGISTRY.EXAMPLE.COM/app:latest'],
    ['Docker.io/nginx', 'Docker.io/nginx:latest'],
    // a registry-looking first component that is only valid as a path is kept as one (see normalize.ts)
    ['my_registry.local/app', 'my_registry.local/app:latest'],
    // path component separators: one '.', one or two '_', any number of '-'
    ['a.b.c/d.e/f_g/h__i/j---k', 'a.b.c/d.e/f_g/h__i/j---k:latest'],
    ['my-app', 'docker.io/library/my-app:latest'],
    ['a', 'docker.io/library/a:latest'],
    ['0', 'docker.io/library/0:latest'],
    // tags: word characters, '.', '-', not starting with '.' or '-', at most 128
    ['nginx:Latest', 'docker.io/library/nginx:Latest'],
    ['nginx:_private', 'docker.io/library/nginx:_private'],
    ['nginx:1.25.3-alpine_x', 'docker.io/library/nginx:1.25.3-alpine_x'],
    [`nginx:${hex(128, 't')}`, `docker.io/library/nginx:${hex(128, 't')}`],
    // digests, alone or with a tag
    [`nginx@${SHA256}`, `docker.io/library/nginx@${SHA256}`],
    [`nginx:1.25@${SHA256}`, `docker.io/library/nginx:1.25@${SHA256}`],
    [`nginx@sha384:${hex(96)}`, `docker.io/library/nginx@sha384:${hex(96)}`],
    [`nginx@sha512:${hex(128)}`, `docker.io/library/nginx@sha512:${hex(128)}`],
    [`ghcr.io/acme/api:1@${SHA256}`, `ghcr.io/acme/api:1@${SHA256}`],
    // the 255-character limit is on the path after normalisation, registry excluded
    [hex(247, 'x'), `docker.io/library/${hex(247, 'x')}:latest`],
    [`ghcr.io/${hex(255, 'x')}`, `ghcr.io/${hex(255, 'x')}:latest`],
    [`a.b.c/${hex(249, 'x')}`, `a.b.c/${hex(249, 'x')}:latest`],
    ['docker.io/localhost/app', 'docker.io/localhost/app:latest'],
  ];

  it.each(cases)('%s → %s', (written, canonical) => {
    expect(accepted(written).canonical).toBe(canonical);
  });

  it('defaults the tag to latest only when neither tag nor digest is written', () => {
    expect(accepted('nginx')).toEqual({
      registry: 'docker.io',
      repository: 'library/nginx',
      tag: null,
      digest: null,
      name: 'docker.io/library/nginx',
      canonical: 'docker.io/library/nginx:latest',
      pullReference: 'docker.io/library/nginx:latest',
      tagDefaulted: true,
    });
    expect(accepted(`nginx@${SHA256}`)).toMatchObject({
      tag: null,
      canonical: `docker.io/library/nginx@${SHA256}`,
      pullReference: `docker.io/library/nginx@${SHA256}`,
      tagDefaulted: false,
    });
  });

  it('keeps both tag and digest, and pulls by the digest', () => {
    expect(accepted(`ghcr.io/acme/api:1@${SHA256}`)).toEqual({
      registry: 'ghcr.io',
      repository: 'acme/api',
      tag: '1',
      digest: SHA256,
      name: 'ghcr.io/acme/api',
      canonical: `ghcr.io/acme/api:1@${SHA256}`,
      pullReference: `ghcr.io/acme/api@${SHA256}`,
      tagDefaulted: false,
    });
  });

  it('splits registry, port and repository', () => {
    expect(accepted('[::1]:5000/app:1')).toMatchObject({ registry: '[::1]:5000', repository: 'app', tag: '1' });
    expect(accepted('localhost/app')).toMatchObject({ registry: 'localhost', repository: 'app' });
    expect(accepted('Acme/api')).toMatchObject({ registry: 'Acme', repository: 'api' });
    expect(accepted('index.docker.io/acme/api')).toMatchObject({ registry: 'docker.io', name: 'docker.io/acme/api' });
  });

  it('pulls a host-like first component that is only valid as a path from that host', () => {
    expect(accepted('my_registry.local/team/app')).toMatchObject({
      registry: 'my_registry.local',
      repository: 'team/app',
      name: 'my_registry.local/team/app',
    });
  });
});

describe('references the kubelet refuses', () => {
  const cases: Array<[written: string, reason: string, suggestion: string | null]> = [
    ['', 'image reference is empty', null],
    // whitespace, pasted URLs and transports
    [' nginx', 'image reference contains whitespace', 'nginx'],
    ['nginx:1.25\n', 'image reference contains whitespace', 'nginx:1.25'],
    ['ngi nx', 'image reference contains whitespace', null],
    ['\t', 'image reference contains whitespace', null],
    [' Acme/api:1 ', 'image reference contains whitespace', 'Acme/api:1'],
    [' https://GHCR.io/Acme/API:1 ', 'image reference contains whitespace', 'ghcr.io/acme/api:1'],
    ['https://ghcr.io/acme/api:1', "image reference must not start with 'https://'", 'ghcr.io/acme/api:1'],
    ['http://localhost:5000/app', "image reference must not start with 'http://'", 'localhost:5000/app'],
    ['docker://nginx:1.25', "image reference must not start with 'docker://'", 'nginx:1.25'],
    ['ko://github.com/acme/cmd', "image reference must not start with 'ko://'", null],
    // upper case in the path (the tag may keep its capitals)
    ['NGINX', 'repository name must be lowercase', 'nginx'],
    ['nginX:1.25', 'repository name must be lowercase', 'nginx:1.25'],
    ['Acme/API', 'repository name must be lowercase', 'acme/api'],
    ['acme/API:V1', 'repository name must be lowercase', 'acme/api:V1'],
    ['docker.io/Library/nginx', 'repository name must be lowercase', 'docker.io/library/nginx'],
    ['index.docker.io/Nginx', 'repository name must be lowercase', 'index.docker.io/nginx'],
    ['ghcr.io/Acme/api', 'repository name must be lowercase', 'ghcr.io/acme/api'],
    ['localhost:5000/App', 'repository name must be lowercase', 'localhost:5000/app'],
    ['UPPER.io/App', 'repository name must be lowercase', 'upper.io/app'],
    ['Foo_Bar/x', 'repository name must be lowercase', 'foo_bar/x'],
    // a bare image ID
    [hex(64), 'image reference is a bare image ID: cannot specify 64-byte hexadecimal strings', null],
    // path components
    [':1.25', 'image reference has no repository name', null],
    [`@${SHA256}`, 'image reference has no repository name', null],
    ['/nginx', "repository name has an empty component (a leading, trailing or doubled '/')", null],
    ['acme//api', "repository name has an empty component (a leading, trailing or doubled '/')", null],
    ['acme/api/', "repository name has an empty component (a leading, trailing or doubled '/')", null],
    ['ghcr.io/', "repository name has an empty component (a leading, trailing or doubled '/')", null],
    ['ac!me/api', "invalid character '!' in repository name", null],
    ['acme/ap$i:1', "invalid character '$' in repository name", null],
    ['acme/caf\u00e9', "invalid character '\u00e9' in repository name", null],
    ['a\u0000b', "invalid character '\\u0000' in repository name", null],
    ['-nginx', "repository name component '-nginx' must start and end with a letter or digit", null],
    ['nginx-', "repository name component 'nginx-' must start and end with a letter or digit", null],
    ['acme/nginx.', "repository name component 'nginx.' must start and end with a letter or digit", null],
    ['_nginx', "repository name component '_nginx' must start and end with a letter or digit", null],
    [`-${hex(100, 'x')}`, `repository name component '-${hex(58, 'x')}…' must start and end with a letter or digit`, null],
    ['ngi..nx', "repository name component 'ngi..nx' has the separator '..' (allowed: '.', '_', '__' or dashes)", null],
    ['ngi___nx', "repository name component 'ngi___nx' has the separator '___' (allowed: '.', '_', '__' or dashes)", null],
    ['ngi._nx', "repository name component 'ngi._nx' has the separator '._' (allowed: '.', '_', '__' or dashes)", null],
    ['ngi-.nx', "repository name component 'ngi-.nx' has the separator '-.' (allowed: '.', '_', '__' or dashes)", null],
    // length: library/ counts; a host-like component kept as a path counts too
    [hex(248, 'x'), 'repository name is longer than 255 characters', null],
    [`ghcr.io/${hex(256, 'x')}`, 'repository name is longer than 255 characters', null],
    [`a_b.c/${hex(250, 'x')}`, 'repository name is longer than 255 characters', null],
    // registry host and port
    ['registry:port/app', "registry port 'port' is not a number", null],
    ['nginx:1.0/app', "registry port '1.0' is not a number", null],
    ['registry:/app', "registry 'registry:' has an empty port", null],
    [':5000/app', "registry ':5000' has no host name", null],
    ['reg_istry:5000/app', "invalid character '_' in registry host 'reg_istry'", null],
    ['-reg.io/app', "registry host label '-reg' must start and end with a letter or digit", null],
    ['reg..io/app', "registry host 'reg..io' has an empty label (a leading, trailing or doubled '.')", null],
    ['.reg.io/app', "registry host '.reg.io' has an empty label (a leading, trailing or doubled '.')", null],
    ['[::1/app', "invalid IPv6 registry address '[::1'", null],
    ['[::1]:x/app', "registry port 'x' is not a number", null],
    ['[fe80::1%eth0]:5000/app', "invalid IPv6 registry address '[fe80::1%eth0]:5000'", null],
    ['[::1]abc/app', "invalid registry '[::1]abc'", null],
    ['fc00::1:5000/app', "registry 'fc00::1:5000' looks like an IPv6 address, which must be in square brackets ([::1]:5000)", null],
    // tags
    ['nginx:', 'tag is empty', null],
    [`nginx:@${SHA256}`, 'tag is empty', null],
    ['nginx:-dev', "tag may not start with '-'", null],
    ['nginx:.dev', "tag may not start with '.'", null],
    [`nginx:${hex(129, 't')}`, 'tag is longer than 128 characters', null],
    ['nginx:1.0+build', "invalid character '+' in tag", null],
    ['nginx:1:2', "invalid character ':' in tag", null],
    ['nginx:\u{1F680}', "invalid character '\u{1F680}' in tag", null],
    // digests
    [`nginx@sha256:${hex(63)}`, 'sha256 digest must be 64 lowercase hex characters', null],
    [`nginx@sha256:${hex(65)}`, 'sha256 digest must be 64 lowercase hex characters', null],
    [`nginx@sha256:${hex(64, 'A')}`, 'sha256 digest must be 64 lowercase hex characters', `nginx@sha256:${hex(64, 'a')}`],
    [`nginx@sha256:${hex(64, 'z')}`, 'sha256 digest must be 64 lowercase hex characters', null],
    [`nginx@SHA256:${hex(64)}`, 'unsupported digest algorithm SHA256', `nginx@${SHA256}`],
    [`nginx@md5:${hex(32)}`, 'unsupported digest algorithm md5', null],
    [`nginx@sha256+b64:${hex(64)}`, 'unsupported digest algorithm sha256+b64', null],
    [`nginx@sha384:${hex(64)}`, 'sha384 digest must be 96 lowercase hex characters', null],
    [`nginx@sha512:${hex(64)}`, 'sha512 digest must be 128 lowercase hex characters', null],
    ['nginx@sha256', 'digest must be written as algorithm:hex (sha256:…)', null],
    ['nginx@', 'digest is empty', null],
    ['nginx:1.25@', 'digest is empty', null],
    [`nginx@256:${hex(64)}`, "invalid digest algorithm '256'", null],
    [`nginx@${SHA256}@${SHA256}`, "image reference contains more than one '@'", null],
    // several repairs at once
    [` Nginx@sha256:${hex(64, 'B')}`, 'image reference contains whitespace', `nginx@sha256:${hex(64, 'b')}`],
  ];

  it.each(cases)('%j: %s', (written, reason, suggestion) => {
    expect(parseReference(written)).toEqual({ ok: false, reason, suggestion });
  });
});

describe('familiar', () => {
  const cases: Array<[written: string, short: string]> = [
    ['nginx', 'nginx:latest'],
    ['docker.io/library/nginx:1.25', 'nginx:1.25'],
    ['index.docker.io/acme/api:1', 'acme/api:1'],
    ['ghcr.io/acme/api:1', 'ghcr.io/acme/api:1'],
    ['library/a/b', 'library/a/b:latest'],
    [`nginx:1@${SHA256}`, `nginx:1@${SHA256}`],
    [`nginx@${SHA256}`, `nginx@${SHA256}`],
    // dropping docker.io here would make the first component a registry
    ['docker.io/localhost/app', 'docker.io/localhost/app:latest'],
    ['docker.io/example.com/app:1', 'docker.io/example.com/app:1'],
  ];

  it.each(cases)('%s → %s', (written, short) => {
    expect(familiar(accepted(written))).toBe(short);
  });
});
