// Renders Helm charts with `helm template` and points every rendered image back at the values line that
// produced it; without helm, guesses a chart's images from its values files.
import path from 'node:path';
import type { Finding, ImageOccurrence, SourceRange } from '../model.js';
import { extractManifests } from '../extract/index.js';
import { runTool } from './render-process.js';
import { boundedMap } from './render-pool.js';
import { emptyPart, finding, mergeParts, type RenderContext, type RenderPart } from './render-findings.js';
import { fileStart, lineRange, type SourceFiles } from './render-yaml.js';
import { renderedDocuments, templateImageRange } from './render-source.js';
import { splitImage } from './render-image.js';
import { missingDependencies, readChart, vendoredCharts, type ChartDependency, type ChartInfo } from './helm-chart.js';
import {
  applySet, childMap, coalesce, composeImage, findImages, imageDefaults, leafAt, traceToValues, valuesOf,
  type Branch, type ImageDefaults, type ValuesImage,
} from './helm-values.js';
import type { ChartSettings } from './render.js';

export async function renderCharts(charts: string[], settings: Record<string, ChartSettings>, helm: string, context: RenderContext): Promise<RenderPart> {
  const tops = await topCharts(charts, context.sources);
  return mergeParts(await boundedMap(tops, (chart) => renderChart(chart, settings[chart.dir] ?? {}, helm, context)));
}

async function renderChart(chart: ChartInfo, settings: ChartSettings, helm: string, context: RenderContext): Promise<RenderPart> {
  const part = emptyPart();
  const missing = await dependenciesFinding(chart, context.sources);
  if (missing) {
    part.findings.push(missing);
    return part; // helm refuses to render without them, and pullcheck never fetches charts
  }
  const args = [
    'template',
    ...(settings.namespace ? [`--namespace=${settings.namespace}`] : []),
    ...(settings.values ?? []).map((file) => `--values=${argumentPath(file)}`),
    ...Object.entries(settings.set ?? {}).map(([key, value]) => `--set=${key}=${value}`),
    '--', // the release name and chart folder below are never read as flags
    settings.release ?? releaseName(chart.dir),
    argumentPath(chart.dir),
  ];
  const run = await runTool(helm, args, { cwd: context.root, timeoutMs: context.timeoutMs });
  part.renders.push({ source: chart.dir || '.', tool: 'helm template', durationMs: run.durationMs, ok: run.ok });
  const chartLine = await firstLine(context.sources, chart.chartFile);
  if (!run.ok) {
    part.findings.push(finding('render-failed', `\`helm template ${chart.dir || '.'}\` ${run.problem}.`, chartLine));
    return part;
  }

  const rendered = extractManifests(run.stdout, chart.chartFile, 'helm');
  part.texts.push({ file: chart.chartFile, text: run.stdout });
  const documents = renderedDocuments(run.stdout);
  const tracer = new ChartTracer(chart, settings, context.sources);
  const seen = new Map<number, number>(); // images met so far per rendered document
  for (const occurrence of rendered.occurrences) {
    const document = documents.documentAt(occurrence.range.line);
    const ordinal = seen.get(document) ?? 0;
    seen.set(document, ordinal + 1);
    const range = await tracer.locate(occurrence.written, documents.sourceAt(occurrence.range.line), ordinal);
    part.occurrences.push({ ...occurrence, range });
  }
  for (const object of rendered.objects) {
    const template = await tracer.templateFile(documents.sourceAt(object.line));
    part.objects.push({ ...object, file: template ?? chart.chartFile, line: 1 });
  }
  part.findings.push(...rendered.findings.map((f): Finding => ({ ...f, range: f.range ? chartLine : null })));
  return part;
}

/** Without helm: each chart's images guessed from its values (origin `helm-values`), subcharts included. */
export async function chartsFromValues(charts: string[], settings: Record<string, ChartSettings>, context: RenderContext): Promise<RenderPart> {
  const part = emptyPart();
  for (const chart of await topCharts(charts, context.sources)) {
    const missing = await dependenciesFinding(chart, context.sources);
    if (missing) part.findings.push(missing);
    const tracer = new ChartTracer(chart, settings[chart.dir] ?? {}, context.sources);
    part.occurrences.push(...(await tracer.guessImages([])));
  }
  return part;
}

/** The chart folders to render: not a library chart, not vendored inside another found chart's charts/. */
async function topCharts(charts: string[], sources: SourceFiles): Promise<ChartInfo[]> {
  const tops = charts.filter((dir) => !charts.some((other) => other !== dir && dir.startsWith(other === '' ? 'charts/' : `${other}/charts/`)));
  const infos = await Promise.all(tops.map(async (dir) => (await readChart(sources, dir)) ?? unreadableChart(dir)));
  return infos.filter((chart) => chart.type !== 'library');
}

/** A chart whose Chart.yaml cannot be read is still handed to helm, which then says what is wrong. */
function unreadableChart(dir: string): ChartInfo {
  return { dir, chartFile: dir === '' ? 'Chart.yaml' : `${dir}/Chart.yaml`, name: path.posix.basename(dir) || 'chart', type: 'application', appVersion: null, dependencies: [] };
}

async function dependenciesFinding(chart: ChartInfo, sources: SourceFiles): Promise<Finding | null> {
  const missing = await missingDependencies(sources, chart);
  if (missing.length === 0) return null;
  const names = missing.map((d) => d.name).join(', ');
  const folder = chart.dir || '.';
  return finding(
    'chart-dependencies-missing',
    `Chart ${chart.name} depends on ${names}, which ${missing.length === 1 ? 'is' : 'are'} not in ${folder === '.' ? '' : `${folder}/`}charts/; run \`helm dependency build ${folder}\` before pullcheck (it does not fetch charts).`,
    missing[0]?.range ?? (await firstLine(sources, chart.chartFile)),
  );
}

/** Values and chart in effect for one (sub)chart: the scope a rendered document's `# Source:` names. */
interface Scope {
  chart: ChartInfo;
  values: Branch;
  places: ValuesImage[];
  defaults: ImageDefaults;
}

/**
 * Traces rendered images of one chart back to the user's files. Values in effect are merged as helm does:
 * the chart's values.yaml, then the `values` files in order, then `set`; a subchart sees its own
 * values.yaml under the parent's section for it, with the parent's `global` on top.
 */
export class ChartTracer {
  private readonly scopes = new Map<string, Promise<Scope | null>>();

  constructor(
    private readonly chart: ChartInfo,
    private readonly settings: ChartSettings,
    private readonly sources: SourceFiles,
  ) {}

  /**
   * Where to point a rendered image: the values place that produced it (see traceToValues), else
   * Chart.yaml's appVersion when the tag is it, else the image line of the template named by `# Source:`,
   * else the chart's Chart.yaml.
   */
  async locate(image: string, sourcePath: string | null, ordinal: number): Promise<SourceRange> {
    const scope = (await this.scope(parseSource(sourcePath).scope)) ?? (await this.scope([]));
    if (scope) {
      const traced = traceToValues(image, scope.places, scope.defaults);
      if (traced) return traced;
      const appVersion = scope.chart.appVersion;
      const tag = splitImage(image).tag;
      if (appVersion && tag !== '' && (tag === appVersion.value || tag === `v${appVersion.value}`)) return appVersion.range;
    }
    const file = await this.templateFile(sourcePath);
    const inTemplate = file ? await templateImageRange(this.sources, file, image, ordinal) : null;
    return inTemplate ?? (await firstLine(this.sources, (scope?.chart ?? this.chart).chartFile));
  }

  /** The root-relative template file a `# Source:` path names, when it exists under the root. */
  async templateFile(sourcePath: string | null): Promise<string | null> {
    if (!sourcePath) return null;
    const { scope: scopePath, template } = parseSource(sourcePath);
    const scope = await this.scope(scopePath);
    if (!scope || template === '') return null;
    const file = scope.chart.dir === '' ? template : `${scope.chart.dir}/${template}`;
    return (await this.sources.get(file)) ? file : null;
  }

  /** The images the values of a scope (and of its enabled, vendored subcharts) would most likely give. */
  async guessImages(scopePath: string[]): Promise<ImageOccurrence[]> {
    const scope = await this.scope(scopePath);
    if (!scope) return [];
    const out: ImageOccurrence[] = [];
    for (const place of scope.places) {
      const guess = composeImage(place, scope.defaults);
      if (!guess) continue;
      out.push({ written: guess.image, range: guess.range, workload: `Chart/${scope.chart.name}`, container: null, path: place.path, origin: 'helm-values', pod: null });
    }
    for (const dependency of scope.chart.dependencies) {
      if (conditionHolds(scope.values, dependency)) out.push(...(await this.guessImages([...scopePath, dependency.key])));
    }
    return out;
  }

  private scope(scopePath: string[]): Promise<Scope | null> {
    const key = scopePath.join('/');
    let entry = this.scopes.get(key);
    if (!entry) {
      entry = this.loadScope(scopePath);
      this.scopes.set(key, entry);
    }
    return entry;
  }

  private async loadScope(scopePath: string[]): Promise<Scope | null> {
    if (scopePath.length === 0) {
      let values = valuesOf(await this.sources.get(joinDir(this.chart.dir, 'values.yaml')));
      for (const file of this.settings.values ?? []) values = coalesce(values, valuesOf(await this.sources.get(rootRelative(this.sources.root, file))));
      for (const [key, value] of Object.entries(this.settings.set ?? {})) values = applySet(values, key, value);
      return scopeOf(this.chart, values);
    }
    const parent = await this.scope(scopePath.slice(0, -1));
    const key = scopePath[scopePath.length - 1] as string;
    if (!parent) return null;
    const dependency = parent.chart.dependencies.find((d) => d.key === key);
    const folders = (await vendoredCharts(this.sources, parent.chart)).folders;
    const sub = folders.get(dependency?.name ?? key) ?? folders.get(key);
    if (!sub) return null; // an archive (.tgz) or missing: its values cannot be read
    const own = valuesOf(await this.sources.get(joinDir(sub.dir, 'values.yaml')));
    let values = coalesce(own, childMap(parent.values, key));
    const global = coalesce(childMap(own, 'global'), childMap(parent.values, 'global'));
    values = coalesce(values, { kind: 'map', entries: new Map([['global', global]]) });
    return scopeOf(sub, values);
  }
}

function scopeOf(chart: ChartInfo, values: Branch): Scope {
  // A chart's sections for its subcharts belong to them, not to the chart's own images.
  const subchartKeys = new Set(chart.dependencies.map((d) => d.key));
  return { chart, values, places: findImages(values, subchartKeys), defaults: imageDefaults(values, chart.appVersion) };
}

/**
 * `web/charts/cache/templates/sts.yaml` → scope ['cache'], template `templates/sts.yaml` (relative to the
 * subchart's folder). The first segment is the chart's name, not its folder, and is not needed here.
 */
function parseSource(sourcePath: string | null): { scope: string[]; template: string } {
  if (!sourcePath) return { scope: [], template: '' };
  let segments = sourcePath.split('/').slice(1);
  const scope: string[] = [];
  while (segments[0] === 'charts' && segments.length > 2) {
    scope.push(segments[1] as string);
    segments = segments.slice(2);
  }
  return { scope, template: segments.join('/') };
}

/** helm's own rule: a subchart is on unless the first of its `condition:` paths that is set says false. */
function conditionHolds(values: Branch, dependency: ChartDependency): boolean {
  for (const condition of dependency.condition) {
    const leaf = leafAt(values, condition);
    if (leaf?.value === 'true') return true;
    if (leaf?.value === 'false') return false;
  }
  return true;
}

/**
 * The default release name: the chart folder's name made into a valid release name (lower-case letters,
 * digits and dashes, at most 53 characters), since helm rejects anything else.
 */
export function releaseName(dir: string): string {
  const name = path.posix.basename(dir).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 53).replace(/-+$/, '');
  return name === '' ? 'release' : name;
}

/** A root-relative path as a command-line argument: `./x` so it can never be read as a flag. */
function argumentPath(file: string): string {
  if (path.isAbsolute(file)) return file;
  return file === '' ? '.' : `./${file}`;
}

/** A settings path (root-relative or absolute) as the root-relative path source files are read by. */
function rootRelative(root: string, file: string): string {
  return path.isAbsolute(file) ? path.relative(root, file).split(path.sep).join('/') : path.posix.normalize(file.replaceAll('\\', '/'));
}

function joinDir(dir: string, file: string): string {
  return dir === '' ? file : `${dir}/${file}`;
}

async function firstLine(sources: SourceFiles, file: string): Promise<SourceRange> {
  const source = await sources.get(file);
  return source ? lineRange(source, 1) : fileStart(file);
}
