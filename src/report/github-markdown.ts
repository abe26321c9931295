// Untrusted text (image strings, file names, registry messages) inside GitHub-flavoured Markdown: the job
// summary and review comments. Characters with a Markdown or HTML meaning become numeric character
// references, which GitHub decodes to literal text without interpreting them: no tags, no links, no
// emphasis, no table cell breaks, no @mentions or #references that would notify people.
import { visible } from './sanitize.js';

// `$` starts GitHub's math mode; `@` and `#` start mentions and issue references.
const SPECIAL = /[&<>`*_[\]()\\|!#@~$]/g;

export function markdownText(text: string): string {
  return visible(text).replace(SPECIAL, (c) => `&#${c.charCodeAt(0)};`);
}

/** Inline code for untrusted text: `<code>` keeps entity decoding (a backtick span would show `&#42;`). */
export function markdownCode(text: string): string {
  return `<code>${markdownText(text)}</code>`;
}

/**
 * A fenced block whose content is shown verbatim (a ```suggestion): the fence is longer than any backtick
 * run inside, so the content cannot close it (CommonMark 4.5).
 */
export function fencedBlock(info: string, content: string): string {
  const longestRun = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}${info}\n${content}\n${fence}`;
}

/** A link to a file location; the path is percent-encoded segment by segment, parentheses included. */
export function locationLink(label: string, blobUrl: string | null, file: string, line: number | null): string {
  if (blobUrl === null) return markdownText(label);
  const encoded = file.split('/').map((s) => encodeURIComponent(s).replace(/\(/g, '%28').replace(/\)/g, '%29')).join('/');
  return `[${markdownText(label)}](${blobUrl}${encoded}${line === null ? '' : `#L${line}`})`;
}
