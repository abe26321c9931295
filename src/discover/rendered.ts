// `--rendered FILE…`: output of an earlier step (`helm template … > out.yaml`, `kustomize build > out.yaml`).
// Images are read from it (origin `rendered`) and traced back through helm's `# Source:` comments when
// the named template exists under the root; otherwise they point at the rendered file's own line.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { extractManifests } from '../extract/index.js';
import type { SourceRange } from '../model.js';
import { emptyPart, finding, type RenderContext, type RenderPart } from './render-findings.js';
import { insideRoot } from './render-yaml.js';
import { renderedDocuments, templateImageRange } from './render-source.js';
import { readChart } from './helm-chart.js';
import { ChartTracer } from './helm.js';
import type { ChartSettings } from './render.js';

/** Same cap as a render's output: a rendered release bigger than this is not plausible. */
const MAX_RENDERED_BYTES = 64 * 1024 * 1024;

export async function scanRenderedFiles(
  files: string[],
  charts: string[],
  settings: Record<string, ChartSettings>,
  context: RenderContext,
): Promise<RenderPart> {
  const part = emptyPart();
  const tracers = await tracersByChartName(charts, settings, context);
  for (const given of files) {
    const absolute = path.resolve(context.root, given);
    const file = path.relative(context.root, absolute).split(path.sep).join('/');
    const text = await readRendered(absolute);
    if (typeof text !== 'string') {
      part.findings.push(finding('file-skipped', `The --rendered file ${given} was not scanned: ${text.why}.`, null));
      continue;
    }
    if (insideRoot(file)) part.coveredFiles.push(file); // scanned here, not again as a plain manifest
    const extracted = extractManifests(text, file, 'rendered');
    part.texts.push({ file, text });
    const documents = renderedDocuments(text);
    const seen = new Map<number, number>();
    for (const occurrence of extracted.occurrences) {
      const document = documents.documentAt(occurrence.range.line);
      const ordinal = seen.get(document) ?? 0;
      seen.set(document, ordinal + 1);
      const source = documents.sourceAt(occurrence.range.line);
      const range = source ? await traceSource(source, occurrence.written, ordinal, tracers, context) : null;
      part.occurrences.push(range ? { ...occurrence, range } : occurrence);
    }
    part.objects.push(...extracted.objects);
    part.findings.push(...extracted.findings);
  }
  return part;
}

/**
 * A `# Source:` path starts with the chart's name (from Chart.yaml, not its folder): when a scanned chart
 * has that name and the template exists, trace as for a render of that chart (its values files and
 * settings); else, when the path exists as written under the root, point at the template's image line.
 */
async function traceSource(source: string, image: string, ordinal: number, tracers: Map<string, ChartTracer>, context: RenderContext): Promise<SourceRange | null> {
  const tracer = tracers.get(source.split('/')[0] ?? '');
  if (tracer && (await tracer.templateFile(source))) return tracer.locate(image, source, ordinal);
  return insideRoot(source) ? templateImageRange(context.sources, source, image, ordinal) : null;
}

async function tracersByChartName(charts: string[], settings: Record<string, ChartSettings>, context: RenderContext): Promise<Map<string, ChartTracer>> {
  const tracers = new Map<string, ChartTracer>();
  for (const dir of charts) {
    const chart = await readChart(context.sources, dir);
    if (chart && !tracers.has(chart.name)) tracers.set(chart.name, new ChartTracer(chart, settings[dir] ?? {}, context.sources));
  }
  return tracers;
}

async function readRendered(file: string): Promise<string | { why: string }> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return { why: 'it is not a regular file' };
    if (info.size > MAX_RENDERED_BYTES) return { why: `it is larger than ${MAX_RENDERED_BYTES / 1024 / 1024} MiB` };
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { why: code === 'ENOENT' ? 'it does not exist' : `it could not be read (${code ?? 'unknown error'})` };
  }
}
