// What will really be deployed: Kustomize roots and Helm charts rendered by their own tools, plus output
// rendered by an earlier step (`--rendered`). Every rendered image points back at the source line a person
// would edit (kustomize.ts and helm.ts explain how). Only this part of pullcheck runs child processes.
import { findExecutable } from './render-process.js';
import { emptyPart, finding, mergeParts, type RenderContext, type RenderPart } from './render-findings.js';
import { SourceFiles } from './render-yaml.js';
import { renderKustomizations } from './kustomize.js';
import { chartsFromValues, renderCharts } from './helm.js';
import { scanRenderedFiles } from './rendered.js';
import type { ChartSettings } from '../options.js';

// The per-chart settings are the config's own shape (options.ts documents each field).
export type { ChartSettings };

export interface RenderOptions {
  root: string;
  kustomize: 'auto' | 'off';
  /** e.g. ['kustomize', 'build'] or ['kubectl', 'kustomize']; auto picks kustomize, else kubectl kustomize. */
  kustomizeCommand?: string[];
  helm: 'auto' | 'off';
  /** Default: `helm` on PATH. */
  helmCommand?: string;
  /** Keyed by root-relative chart folder. */
  charts: Record<string, ChartSettings>;
  /** --rendered files (root-relative or absolute). */
  rendered: string[];
  /** Per child process. */
  timeoutMs: number;
}

/** What renderAll hands the pipeline: the same shape each render part builds (render-findings.ts). */
export type RenderResult = RenderPart;

export async function renderAll(found: { charts: string[]; kustomizations: string[] }, options: RenderOptions): Promise<RenderResult> {
  const context: RenderContext = { root: options.root, sources: new SourceFiles(options.root), timeoutMs: options.timeoutMs };
  const charts = normaliseChartKeys(options.charts);
  const parts = await Promise.all([
    kustomizePart(found.kustomizations, options, context),
    helmPart(found.charts, charts, options, context),
    options.rendered.length > 0 ? scanRenderedFiles(options.rendered, found.charts, charts, context) : emptyPart(),
  ]);
  return mergeParts(parts);
}

async function kustomizePart(kustomizations: string[], options: RenderOptions, context: RenderContext): Promise<RenderPart> {
  if (options.kustomize === 'off' || kustomizations.length === 0) return emptyPart();
  const command = await kustomizeCommand(options);
  if (!command) {
    const tried = options.kustomizeCommand ? `\`${options.kustomizeCommand.join(' ')}\` was not found` : 'neither kustomize nor kubectl is on PATH';
    return skipped(`${count(kustomizations.length, 'Kustomization')} not rendered: ${tried}. Their files are checked as written, so images an overlay rewrites may be reported by their base names.`);
  }
  return renderKustomizations(kustomizations, command, context);
}

/** The kustomize command with its program resolved to a path: the given one, kustomize build, or kubectl kustomize. */
async function kustomizeCommand(options: RenderOptions): Promise<string[] | null> {
  const candidates = options.kustomizeCommand ? [options.kustomizeCommand] : [['kustomize', 'build'], ['kubectl', 'kustomize']];
  for (const [program, ...rest] of candidates) {
    const found = program ? await findExecutable(program, options.root) : null;
    if (found) return [found, ...rest];
  }
  return null;
}

async function helmPart(charts: string[], settings: Record<string, ChartSettings>, options: RenderOptions, context: RenderContext): Promise<RenderPart> {
  if (options.helm === 'off' || charts.length === 0) return emptyPart();
  const helm = await findExecutable(options.helmCommand ?? 'helm', options.root);
  if (helm) return renderCharts(charts, settings, helm, context);
  const guessed = await chartsFromValues(charts, settings, context);
  const notice = skipped(
    `${count(charts.length, 'Helm chart')} not rendered: \`${options.helmCommand ?? 'helm'}\` was not found${options.helmCommand ? '' : ' on PATH'}. Their images are guessed from values files (origin helm-values) and may be incomplete.`,
  );
  return mergeParts([guessed, notice]);
}

function skipped(message: string): RenderPart {
  return { ...emptyPart(), findings: [finding('rendering-skipped', message, null)] };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? ' was' : 's were'}`;
}

/** Chart settings keyed `./charts/web/` find the chart folder `charts/web`. */
function normaliseChartKeys(charts: Record<string, ChartSettings>): Record<string, ChartSettings> {
  return Object.fromEntries(
    Object.entries(charts).map(([key, value]) => {
      const normal = key.replaceAll('\\', '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
      return [normal === '.' ? '' : normal, value];
    }),
  );
}
