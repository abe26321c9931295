// A suggested reference written the way the user wrote the original (familiar or fully qualified).
import { familiar, parseReference, type ImageReference } from '../reference/index.js';

/**
 * `target` (a reference or a bare tag) written the way the user wrote `written`: familiar names stay
 * familiar (`nginx:1.25` → `nginx:1.26`), fully qualified ones stay qualified.
 */
export function restyle(written: string, ref: ImageReference, target: string): string {
  const parsed = parseReference(target);
  const targetRef = parsed.ok && (target.includes('/') || target.includes('@') || !/^[\w][\w.-]*$/.test(target))
    ? parsed.ref
    : null;
  const name = targetRef ? targetRef.name : ref.name;
  const tag = targetRef ? targetRef.tag : target;
  const digest = targetRef ? targetRef.digest : null;
  const suffix = `${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
  const qualified = written.trim().startsWith(`${ref.registry}/`) || written.trim().startsWith('index.docker.io/');
  if (qualified) return `${name}${suffix}`;
  const asRef = parseReference(`${name}${suffix}`);
  if (!asRef.ok) return `${name}${suffix}`;
  // familiar() spells out the default tag; the user did not write one, so neither does the fix.
  return asRef.ref.tagDefaulted ? familiar(asRef.ref).replace(/:latest$/, '') : familiar(asRef.ref);
}
