// docs/rules.md, generated from the rule table (scripts/gen-docs.mjs writes it; a test keeps it current).
import { RULES } from '../judge/rules.js';
import { rulePage } from './explain.js';

export function rulesMarkdown(): string {
  const rules = [...RULES.values()];
  return [
    '# pullcheck rules',
    '',
    '<!-- Generated from src/judge/rules.ts by `npm run docs`; edit the table, not this file. -->',
    '',
    'Every finding names one of these rules. Severities are defaults; change them per rule in the config',
    '(`rules: { <id>: error | warning | notice | off }`). `pullcheck explain <id>` prints a page.',
    '',
    '| rule | default | what |',
    '| --- | --- | --- |',
    ...rules.map((r) => `| [${r.id}](#${r.id}) | ${r.severity} | ${r.title.replace(/\|/g, '\\|')} |`),
    '',
    ...rules.map(rulePage),
  ].join('\n');
}
