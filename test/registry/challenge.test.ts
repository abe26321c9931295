import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseChallenges } from '../../src/registry/challenge.js';

describe('parseChallenges (WWW-Authenticate)', () => {
  it('reads a Docker Hub style Bearer challenge', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"')).toEqual([
      { scheme: 'bearer', token68: null, params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' } },
    ]);
  });

  it('splits several challenges in one header, with commas inside quoted values', () => {
    const header = 'Basic realm="a, b", Bearer realm="https://t.example/token", service="svc", scope="repository:a:pull,push", error="insufficient_scope"';
    expect(parseChallenges(header)).toEqual([
      { scheme: 'basic', token68: null, params: { realm: 'a, b' } },
      { scheme: 'bearer', token68: null, params: { realm: 'https://t.example/token', service: 'svc', scope: 'repository:a:pull,push', error: 'insufficient_scope' } },
    ]);
  });

  it('reads challenges from several headers, in order', () => {
    expect(parseChallenges(['Basic realm="one"', 'Bearer realm="two"']).map((c) => [c.scheme, c.params.realm])).toEqual([
      ['basic', 'one'],
      ['bearer', 'two'],
    ]);
  });

  it('unescapes quoted-pairs and keeps escaped quotes inside values', () => {
    expect(parseChallenges('Basic realm="say \\"hi\\", \\\\ ok"')[0]?.params.realm).toBe('say "hi", \\ ok');
  });

  it('treats scheme and parameter names case-insensitively, allows spaces around "=" and unquoted values', () => {
    expect(parseChallenges('BEARER Realm = "r" ,SERVICE=svc')).toEqual([{ scheme: 'bearer', token68: null, params: { realm: 'r', service: 'svc' } }]);
  });

  it('reads a token68 challenge followed by another challenge', () => {
    expect(parseChallenges('Negotiate abc+/def==, Basic realm="x"')).toEqual([
      { scheme: 'negotiate', token68: 'abc+/def==', params: {} },
      { scheme: 'basic', token68: null, params: { realm: 'x' } },
    ]);
  });

  it('reads bare schemes and empty headers', () => {
    expect(parseChallenges('Basic, Bearer')).toEqual([
      { scheme: 'basic', token68: null, params: {} },
      { scheme: 'bearer', token68: null, params: {} },
    ]);
    expect(parseChallenges(undefined)).toEqual([]);
    expect(parseChallenges('')).toEqual([]);
  });

  it('round-trips any realm value written as a quoted-string', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (realm, service) => {
        const quote = (s: string): string => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
        const [bearer, basicOne] = parseChallenges(`Bearer realm=${quote(realm)}, service=${quote(service)}, Basic realm="b"`);
        expect(bearer?.params).toEqual({ realm, service });
        expect(basicOne).toEqual({ scheme: 'basic', token68: null, params: { realm: 'b' } });
      }),
    );
  });

  it('never throws on garbage', () => {
    fc.assert(fc.property(fc.string(), (header) => void parseChallenges(header)));
  });
});
