// What pullcheck needs to know about a Helm chart folder: its name, type, appVersion (with its position),
// its dependencies and which of them are vendored in `charts/`.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, type Scalar } from 'yaml';
import type { SourceRange } from '../model.js';
import { scalarRange, scalarText, type SourceFiles } from './render-yaml.js';

export interface Positioned {
  value: string;
  range: SourceRange;
}

export interface ChartDependency {
  name: string;
  /** The key its values live under in the parent (alias when set, else name). */
  key: string;
  /** `condition:` paths into the parent's values, comma-separated in Chart.yaml. */
  condition: string[];
  /** The dependency's `name:` scalar, for pointing a finding at it. */
  range: SourceRange | null;
}

export interface ChartInfo {
  /** Root-relative folder and Chart.yaml path. */
  dir: string;
  chartFile: string;
  name: string;
  type: string;
  appVersion: Positioned | null;
  dependencies: ChartDependency[];
}

/** Reads `dir/Chart.yaml` (and `requirements.yaml` for apiVersion v1 charts); null when unreadable. */
export async function readChart(sources: SourceFiles, dir: string): Promise<ChartInfo | null> {
  const chartFile = dir === '' ? 'Chart.yaml' : `${dir}/Chart.yaml`;
  const source = await sources.get(chartFile);
  const document = source?.documents[0];
  if (!source || !document || document.errors.length > 0 || !isMap(document.contents)) return null;
  const text = (key: string): Positioned | null => {
    const node = document.get(key, true);
    if (!isScalar(node) || node.value === null || node.value === '') return null;
    const range = scalarRange(source, node as Scalar);
    return range ? { value: scalarText(source, node as Scalar), range } : null;
  };
  const name = text('name')?.value ?? path.posix.basename(dir);
  let dependencyList = document.get('dependencies', true);
  let dependencySource = source;
  if (!isSeq(dependencyList)) {
    const requirements = await sources.get(dir === '' ? 'requirements.yaml' : `${dir}/requirements.yaml`);
    const listed = requirements?.documents[0]?.get('dependencies', true);
    if (requirements && isSeq(listed)) {
      dependencyList = listed;
      dependencySource = requirements;
    }
  }
  const dependencies: ChartDependency[] = [];
  for (const item of isSeq(dependencyList) ? dependencyList.items : []) {
    if (!isMap(item)) continue;
    const nameNode = item.get('name', true);
    if (!isScalar(nameNode) || typeof nameNode.value !== 'string') continue;
    const alias = item.get('alias');
    const condition = item.get('condition');
    dependencies.push({
      name: nameNode.value,
      key: typeof alias === 'string' && alias !== '' ? alias : nameNode.value,
      condition: typeof condition === 'string' ? condition.split(',').map((c) => c.trim()).filter((c) => c !== '') : [],
      range: scalarRange(dependencySource, nameNode as Scalar),
    });
  }
  return { dir, chartFile, name, type: text('type')?.value ?? 'application', appVersion: text('appVersion'), dependencies };
}

/** The chart folders and archives in `chart/charts/`, by chart name (folders: from their Chart.yaml). */
export async function vendoredCharts(sources: SourceFiles, chart: ChartInfo): Promise<{ folders: Map<string, ChartInfo>; archives: Set<string> }> {
  const folders = new Map<string, ChartInfo>();
  const archives = new Set<string>();
  const chartsDir = chart.dir === '' ? 'charts' : `${chart.dir}/charts`;
  let entries: { name: string; isDirectory(): boolean; isFile(): boolean }[] = [];
  try {
    entries = await readdir(path.join(sources.root, chartsDir), { withFileTypes: true });
  } catch {
    // no charts/ folder: nothing vendored
  }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      const sub = await readChart(sources, `${chartsDir}/${entry.name}`);
      if (sub && !folders.has(sub.name)) folders.set(sub.name, sub);
    } else if (entry.isFile()) {
      // `helm dependency build` writes `<name>-<version>.tgz`; the version starts with a digit (or v).
      const archive = /^(.+?)-v?\d[^/]*\.tgz$/.exec(entry.name);
      if (archive?.[1]) archives.add(archive[1]);
    }
  }
  return { folders, archives };
}

/** Dependencies Chart.yaml lists that `charts/` holds neither as a folder nor as an archive. */
export async function missingDependencies(sources: SourceFiles, chart: ChartInfo): Promise<ChartDependency[]> {
  if (chart.dependencies.length === 0) return [];
  const vendored = await vendoredCharts(sources, chart);
  return chart.dependencies.filter((d) => !vendored.folders.has(d.name) && !vendored.archives.has(d.name));
}
