// Globs of the config (`allowed-registries`, `ignore` image and path), compiled once each with picomatch.
import picomatch from 'picomatch';

const compiled = new Map<string, (text: string) => boolean>();

/** `*` stops at `/`, `**` crosses it; dot files match; registry hosts and paths compare case-sensitively. */
export function matchesGlob(pattern: string, text: string): boolean {
  let matcher = compiled.get(pattern);
  if (!matcher) {
    matcher = picomatch(pattern, { dot: true });
    compiled.set(pattern, matcher);
  }
  return matcher(text);
}
