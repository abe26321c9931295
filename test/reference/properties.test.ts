// Properties over many generated strings: the parser never throws, its output is stable under re-parsing,
// and its explanation of a refusal agrees with the acceptance rules (explain.ts and normalize.ts are two
// readings of one grammar; GENERIC_REASON would mean they disagree).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENERIC_REASON } from '../../src/reference/explain.js';
import { familiar, parseReference } from '../../src/reference/index.js';

const RUNS = { numRuns: 3000 };

/** Near-valid references: glued from the grammar's own tokens, so most are one mistake away from valid. */
const TOKENS = [
  'a', 'b', 'z', '0', '9', 'A', 'Z', 'nginx', 'library', 'localhost', 'docker.io', 'index.docker.io', 'ghcr.io',
  '.', '_', '__', '-', '--', '/', '/', ':', ':', '@', '5000', '[::1]', '[', ']', 'latest', 'V1',
  'sha256:', 'sha384:', 'md5:', 'SHA256:', 'a'.repeat(64), 'A'.repeat(64), '0123456789abcdef'.repeat(6),
  ' ', '\t', 'https://', 'docker://', '!', 'é', '+', '%',
];
const referenceLike = fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 }).map((parts) => parts.join(''));

/** Valid by construction, with the parts a parser must give back. */
interface Parts {
  registry: string | null;
  path: string;
  tag: string | null;
  digest: string | null;
}
const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
const component = fc.stringMatching(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+){0,3}$/);
const explicitRegistry = fc.oneof(
  fc.tuple(fc.array(label, { minLength: 2, maxLength: 4 }), fc.option(fc.integer({ min: 1, max: 65535 })))
    .map(([labels, port]) => labels.join('.') + (port === null ? '' : `:${port}`))
    .filter((host) => host !== 'index.docker.io' && host !== 'docker.io'),
  fc.constantFrom('localhost', 'localhost:5000', '[::1]:5000', '[fe80::1]'),
);
const validParts: fc.Arbitrary<Parts> = fc.record({
  registry: fc.option(explicitRegistry),
  path: fc.array(component, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')),
  tag: fc.option(fc.stringMatching(/^\w[\w.-]{0,20}$/)),
  digest: fc.option(fc.stringMatching(/^[a-f0-9]{64}$/).map((encoded) => `sha256:${encoded}`)),
}).filter(({ registry, path }) => {
  // Without a registry, a first component that looks like a host would become one.
  const first = path.split('/')[0] ?? '';
  return registry !== null || !path.includes('/') || (!first.includes('.') && first !== 'localhost');
});
function writeParts({ registry, path, tag, digest }: Parts): string {
  return (registry === null ? '' : `${registry}/`) + path + (tag === null ? '' : `:${tag}`) + (digest === null ? '' : `@${digest}`);
}

const anyString = fc.oneof(referenceLike, validParts.map(writeParts), fc.string({ unit: 'binary', maxLength: 80 }));

describe('parseReference on any string', () => {
  it('never throws, and a refusal always has a reason', () => {
    fc.assert(fc.property(anyString, (input) => {
      const result = parseReference(input);
      if (!result.ok) expect(result.reason).not.toBe('');
    }), RUNS);
  });

  it('gives an accepted reference a canonical form that parses back to itself, as does its familiar form', () => {
    fc.assert(fc.property(anyString, (input) => {
      const result = parseReference(input);
      if (!result.ok) return;
      for (const form of [result.ref.canonical, familiar(result.ref)]) {
        const again = parseReference(form);
        expect(again.ok && again.ref.canonical).toBe(result.ref.canonical);
      }
    }), RUNS);
  });

  it('names the fault of every refused near-valid reference, and only suggests references that parse', () => {
    fc.assert(fc.property(referenceLike, (input) => {
      const result = parseReference(input);
      if (result.ok) return;
      expect(result.reason).not.toBe(GENERIC_REASON);
      if (result.suggestion !== null) expect(parseReference(result.suggestion).ok).toBe(true);
    }), RUNS);
  });
});

describe('parseReference on references built from the grammar', () => {
  it('accepts them and gives back the parts they were built from', () => {
    fc.assert(fc.property(validParts, (parts) => {
      const { registry, path, tag, digest } = parts;
      const result = parseReference(writeParts(parts));
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const repository = registry === null && !path.includes('/') ? `library/${path}` : path;
      expect(result.ref).toMatchObject({ registry: registry ?? 'docker.io', repository, tag, digest });
      expect(result.ref.pullReference).toBe(
        `${result.ref.name}${digest === null ? `:${tag ?? 'latest'}` : `@${digest}`}`,
      );
    }), RUNS);
  });
});
