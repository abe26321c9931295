// Cuts a YAML stream into its documents without parsing it, so each document can be read (and fail)
// on its own. YAML forbids `---` at the start of a line inside any content (block scalars and quoted
// scalars included: the spec's "c-forbidden"), so such a line always starts a new document.

export interface Chunk {
  /** The document's text, from its `---` line (when it has one) to just before the next. */
  text: string;
  /** How many lines of the stream come before this chunk (add it to 1-based chunk line numbers). */
  linesBefore: number;
  /** The whole stream, which uses directives or `...` markers: read it with `yaml`, it may hold several documents. */
  wholeStream: boolean;
}

const DOCUMENT_START = /^---(?=[ \t\r\n]|$)/gm;
/** Directives and `...` end markers change how following lines are read; such streams go to `yaml` whole. */
const NEEDS_WHOLE_STREAM = /^(?:%|\.\.\.(?:[ \t\r\n]|$))/m;

export function splitDocuments(text: string): Chunk[] {
  if (NEEDS_WHOLE_STREAM.test(text)) return [{ text, linesBefore: 0, wholeStream: true }];
  const chunks: Chunk[] = [];
  let start = 0;
  let linesBefore = 0;
  for (const match of text.matchAll(DOCUMENT_START)) {
    if (match.index === 0) continue;
    const chunk = text.slice(start, match.index);
    chunks.push({ text: chunk, linesBefore, wholeStream: false });
    linesBefore += countLines(chunk);
    start = match.index;
  }
  chunks.push({ text: text.slice(start), linesBefore, wholeStream: false });
  return chunks;
}

function countLines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}
