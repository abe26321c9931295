// Matching rendered images against the values and kustomize entries that produced them. The split itself
// is kustomize's own (src/reference/split.ts), so a replay of its `images:` entries yields the same strings.
export { joinImage, splitImage, type ImageParts } from '../reference/split.js';

/** Whether `name` is `suffix` or ends with `/suffix` (a repository written without its registry). */
export function nameEndsWith(name: string, suffix: string): boolean {
  return suffix !== '' && (name === suffix || name.endsWith(`/${suffix}`));
}
