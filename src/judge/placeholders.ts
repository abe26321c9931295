// Image strings that are not meant to reach the kubelet as written: placeholders a later step substitutes,
// and ko's build-at-deploy-time references. Recognised before the reference grammar so they are reported
// as what they are, not as invalid references.

// ${VAR}, $VAR, <PLACEHOLDER>, {{ … }} (Go/Jinja templates left in a file) — anywhere in the string.
const PLACEHOLDER = /\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|<[^<>\s]+>|\{\{.*?\}\}/;

export type ImageKind = 'reference' | 'placeholder' | 'ko';

export function classifyImageString(written: string): { kind: ImageKind; placeholder?: string } {
  if (written.startsWith('ko://')) return { kind: 'ko' };
  const m = PLACEHOLDER.exec(written);
  if (m) return { kind: 'placeholder', placeholder: m[0] };
  return { kind: 'reference' };
}
