// The judge words every fix as a whole image ("nginx:1.25"). A rendered image, though, points at the line
// a person edits, which often holds only a part of it: a kustomization's `newTag: 1.4.3`, a values file's
// `tag:` or `repository:`, a `digest:`. This maps the whole-image fix onto the text actually at the range,
// and drops the fix when the change does not fit in that text (it would need edits in several places).
import { splitImage } from '../reference/split.js';

/**
 * `rangeText` is the scalar at the finding's range (quotes removed), `written` the image the judge saw,
 * `replacement` the judge's whole-image fix. Returns the replacement for `rangeText`, or null.
 */
export function projectFix(rangeText: string, written: string, replacement: string): string | null {
  if (rangeText === written) return replacement;
  const before = splitImage(written);
  const after = splitImage(replacement);
  const changed = (['name', 'tag', 'digest'] as const).filter((part) => before[part] !== after[part]);
  if (changed.length !== 1) return null;
  const part = changed[0]!;
  if (rangeText === before[part]) return after[part];
  // A values file often writes the digest without its algorithm, or the name without its registry.
  if (part === 'digest' && `sha256:${rangeText}` === before.digest) return after.digest.replace(/^sha256:/, '');
  if (part === 'name' && before.name.endsWith(`/${rangeText}`) && after.name.startsWith(before.name.slice(0, -rangeText.length))) {
    return after.name.slice(before.name.length - rangeText.length);
  }
  return null;
}
