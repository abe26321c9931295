import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rulesMarkdown } from '../../src/report/rules-doc.js';
import { RULES } from '../../src/judge/rules.js';

describe('docs/rules.md', () => {
  it('is generated from the rule table (run `npm run docs` after changing it)', () => {
    expect(readFileSync('docs/rules.md', 'utf8')).toBe(rulesMarkdown());
  });

  it('gives every rule a kebab-case id, a fix and a reason', () => {
    for (const r of RULES.values()) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.fix.length).toBeGreaterThan(10);
      expect(r.why.length).toBeGreaterThan(10);
    }
  });
});
