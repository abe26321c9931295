/** `text` as a regular expression that matches exactly it (every metacharacter escaped, `/` too). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
