// `pullcheck explain <rule>`: the rule's page, from the same table as docs/rules.md.
import { RULES, type Rule } from '../judge/rules.js';

export function rulePage(r: Rule): string {
  return [
    `## ${r.id}`,
    '',
    `Default severity: **${r.severity}**`,
    '',
    r.title,
    '',
    `**Why it breaks a pull:** ${r.why}`,
    ...(r.kubelet ? ['', `**What the kubelet says:** \`${r.kubelet}\``] : []),
    '',
    `**How to fix:** ${r.fix}`,
    '',
    `**How to silence:** set \`rules: { ${r.id}: off }\` (or another severity) in \`.github/pullcheck.yml\`.`,
    '',
  ].join('\n');
}

export function explainRule(id: string): string | null {
  const r = RULES.get(id);
  return r ? rulePage(r) : null;
}
