// Rendered output knows where each document came from only through the comment helm writes above it:
// `# Source: chart/templates/deployment.yaml` (subcharts: `chart/charts/sub/templates/…`).
import type { SourceRange } from '../model.js';
import { escapeRegExp } from '../regexp.js';
import { lineRange, offsetRange, type SourceFiles } from './render-yaml.js';

export interface RenderedDocuments {
  /** The `# Source:` path of the document that holds a rendered line (1-based), or null. */
  sourceAt(line: number): string | null;
  /** Which document (0-based, counted by `---` separators) holds a rendered line. */
  documentAt(line: number): number;
}

export function renderedDocuments(text: string): RenderedDocuments {
  const documentOfLine: number[] = [0]; // index 0 unused: lines are 1-based
  const sources: (string | null)[] = [null];
  let document = 0;
  for (const line of text.split('\n')) {
    if (/^---(\s|$)/.test(line)) {
      document++;
      sources[document] = null;
    }
    const source = /^#\s*Source:\s*(\S.*?)\s*$/.exec(line);
    if (source?.[1] && sources[document] == null) sources[document] = source[1];
    documentOfLine.push(document);
  }
  const documentAt = (line: number): number => documentOfLine[line] ?? document;
  return { documentAt, sourceAt: (line) => sources[documentAt(line)] ?? null };
}

/**
 * The image in a template file, for an image no values line explains. The rendered string itself when
 * the template spells it out; else the `image:` line at the same position among the template's image
 * lines as the occurrence among its rendered document's images (exact when the template has no loops or
 * conditionals around images); else the template's first line. Null when the file cannot be read.
 */
export async function templateImageRange(sources: SourceFiles, file: string, image: string, ordinal: number): Promise<SourceRange | null> {
  const source = await sources.get(file);
  if (!source) return null;
  const literal = new RegExp(`(?<=[\\s"']|^)${escapeRegExp(image)}(?=["'\\s]|$)`, 'm').exec(source.text);
  if (literal) return offsetRange(source, literal.index, literal.index + image.length);
  const imageLines = [...source.text.matchAll(/^([ \t]*(?:-[ \t]+)?["']?image["']?:[ \t]*)(\S[^\n]*?)[ \t]*$/gm)];
  const chosen = imageLines[Math.min(ordinal, imageLines.length - 1)];
  if (chosen?.[1] !== undefined && chosen[2] !== undefined) {
    const start = chosen.index + chosen[1].length;
    return offsetRange(source, start, start + chosen[2].length);
  }
  return lineRange(source, 1);
}
