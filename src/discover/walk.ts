// Walks the scan root for candidate manifests, Helm charts and kustomizations.
//
// Rules, in the order they apply:
//  - `.git` and `node_modules` are never entered.
//  - A folder holding a Chart.yaml is a Helm chart: it goes to `charts` and none of its files are
//    manifests (templates are Go templates, not YAML).
//  - `include` globs (default: *.yaml, *.yml, *.json, and `Kustomization`) pick candidate files; `exclude`
//    globs drop files and prune folders. Globs match root-relative paths, dotfiles included.
//  - .gitignore files apply to their own folder and below, deeper files overriding higher ones, as in git.
//  - A file named in `paths` is scanned even when .gitignore ignores it (as eslint lints a file named on
//    its command line), but it must still match `include` and not `exclude`. A folder named in `paths` is
//    walked even when a .gitignore ignores that folder (rendered output often is); the rest of the
//    .gitignore rules still apply inside it.
//  - Symlinks are followed only to targets inside the scan root; a symlink back into a folder that contains
//    it (a loop) is reported and not followed.
import type { Dirent } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { Finding } from '../model.js';
import { describeFsError, fileSkipped } from './skipped.js';

export interface WalkOptions {
  /** Absolute scan root (the workspace). */
  root: string;
  /** Files or folders, relative to root or absolute; default ['.']. */
  paths: string[];
  /** Globs (picomatch) on root-relative paths; empty = all .yaml/.yml/.json (and `Kustomization` files). */
  include: string[];
  exclude: string[];
}

export interface WalkResult {
  /** Root-relative paths (forward slashes), sorted, of candidate YAML/JSON files. */
  manifests: string[];
  /** Root-relative folders holding a Chart.yaml (`.` for the root); their files are not in `manifests`. */
  charts: string[];
  /** Root-relative paths of kustomization.yaml / kustomization.yml / Kustomization files. */
  kustomizations: string[];
  /** 'file-skipped' notices: unreadable folders, symlinks out of the root, symlink loops … */
  skipped: Finding[];
}

const DEFAULT_INCLUDE = ['**/*.yaml', '**/*.yml', '**/*.json', '**/Kustomization'];
const NEVER_ENTERED = new Set(['.git', 'node_modules']);
const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);
const CHART_FILE = 'Chart.yaml';

/** The .gitignore files that apply in a folder: each with the folder it sits in. */
type IgnoreRules = readonly { base: string; rules: Ignore }[];

export async function walk(options: WalkOptions): Promise<WalkResult> {
  const walker = new Walker(options, await realpath(options.root));
  for (const given of options.paths.length > 0 ? options.paths : ['.']) await walker.start(given);
  return walker.result();
}

function join(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** '' for the root itself, 'a/b' below it. */
function ancestorsOf(rel: string): string[] {
  const parts = rel === '' ? [] : rel.split('/');
  return parts.map((_, i) => parts.slice(0, i).join('/'));
}

class Walker {
  private readonly manifests = new Set<string>();
  private readonly charts = new Set<string>();
  private readonly kustomizations = new Set<string>();
  private readonly skipped: Finding[] = [];
  private readonly included: (file: string) => boolean;
  private readonly excluded: (file: string) => boolean;
  private readonly gitignores = new Map<string, Promise<Ignore | null>>();

  constructor(
    private readonly options: WalkOptions,
    private readonly rootReal: string,
  ) {
    const include = options.include.length > 0 ? options.include : DEFAULT_INCLUDE;
    this.included = picomatch(include, { dot: true });
    this.excluded = options.exclude.length > 0 ? picomatch(options.exclude, { dot: true }) : () => false;
  }

  result(): WalkResult {
    const sorted = (set: Set<string>) => [...set].sort();
    return {
      manifests: sorted(this.manifests),
      charts: sorted(this.charts),
      kustomizations: sorted(this.kustomizations),
      skipped: this.skipped,
    };
  }

  /** One entry of `paths`. */
  async start(given: string): Promise<void> {
    const absolute = path.resolve(this.options.root, given);
    const rel = this.relative(absolute);
    if (rel === null) return this.skip(given, 'the path is outside the scan root');
    if (rel.split('/').some((part) => NEVER_ENTERED.has(part))) {
      return this.skip(rel, 'files under node_modules and .git are never scanned');
    }
    let real: string;
    let isFolder: boolean;
    try {
      real = await realpath(absolute);
      const info = await stat(real);
      isFolder = info.isDirectory();
      if (!isFolder && !info.isFile()) return this.skip(rel, 'it is not a regular file');
    } catch (error) {
      return this.skip(rel || '.', `the path cannot be opened (${describeFsError(error)})`);
    }
    if (!this.isInsideRoot(real)) return this.skip(rel, 'it is a symlink to a place outside the scan root');
    const chart = await this.chartAround(isFolder ? rel : path.posix.dirname(rel).replace(/^\.$/, ''));
    if (chart !== null) return this.addChart(chart);
    if (!isFolder) return this.addFile(rel, path.posix.basename(rel));
    await this.folder(rel, real, new Set(), await this.rulesAbove(rel));
  }

  private skip(file: string, reason: string): void {
    this.skipped.push(fileSkipped(file, reason));
  }

  /** Root-relative path with forward slashes, or null when outside the root. */
  private relative(absolute: string): string | null {
    const rel = path.relative(this.options.root, absolute);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
    return rel.split(path.sep).join('/');
  }

  private isInsideRoot(real: string): boolean {
    return real === this.rootReal || real.startsWith(this.rootReal + path.sep);
  }

  private addFile(rel: string, name: string): void {
    if (!this.included(rel) || this.excluded(rel)) return;
    (KUSTOMIZATION_FILES.has(name) ? this.kustomizations : this.manifests).add(rel);
  }

  private addChart(folder: string): void {
    const chartFile = join(folder, CHART_FILE);
    if (this.included(chartFile) && !this.excluded(chartFile)) this.charts.add(folder || '.');
  }

  /** The nearest folder at or above `folder` that holds a Chart.yaml, or null. */
  private async chartAround(folder: string): Promise<string | null> {
    for (const candidate of [folder, ...ancestorsOf(folder).reverse()]) {
      const isFile = await stat(path.join(this.options.root, candidate, CHART_FILE)).then(
        (found) => found.isFile(),
        () => false,
      );
      if (isFile) return candidate;
    }
    return null;
  }

  private gitignore(folder: string): Promise<Ignore | null> {
    let loaded = this.gitignores.get(folder);
    if (loaded === undefined) {
      loaded = readFile(path.join(this.options.root, folder, '.gitignore'), 'utf8').then(
        (text) => ignore().add(text),
        () => null,
      );
      this.gitignores.set(folder, loaded);
    }
    return loaded;
  }

  /** The .gitignore rules of the folders above an explicitly named folder, minus those that ignore it. */
  private async rulesAbove(folder: string): Promise<IgnoreRules> {
    const rules: { base: string; rules: Ignore }[] = [];
    for (const base of ancestorsOf(folder)) {
      const found = await this.gitignore(base);
      const below = base === '' ? folder : folder.slice(base.length + 1);
      if (found && !found.ignores(`${below}/`)) rules.push({ base, rules: found });
    }
    return rules;
  }

  private isIgnored(rules: IgnoreRules, rel: string, isFolder: boolean): boolean {
    let ignored = false;
    for (const { base, rules: gitignore } of rules) {
      const below = base === '' ? rel : rel.slice(base.length + 1);
      const verdict = gitignore.test(isFolder ? `${below}/` : below);
      if (verdict.ignored) ignored = true;
      else if (verdict.unignored) ignored = false;
    }
    return ignored;
  }

  /** `real`: the folder's real path; `ancestors`: real paths of the folders above, to notice symlink loops. */
  private async folder(rel: string, real: string, ancestors: ReadonlySet<string>, above: IgnoreRules): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(real, { withFileTypes: true });
    } catch (error) {
      return this.skip(rel || '.', `the folder cannot be read (${describeFsError(error)})`);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (entries.some((entry) => entry.name === CHART_FILE && !entry.isDirectory())) return this.addChart(rel);
    const own = entries.some((entry) => entry.name === '.gitignore') ? await this.gitignore(rel) : null;
    const rules = own ? [...above, { base: rel, rules: own }] : above;
    const here = new Set(ancestors).add(real);
    for (const entry of entries) {
      const child = join(rel, entry.name);
      const childReal = path.join(real, entry.name);
      if (entry.isSymbolicLink()) await this.symlink(child, childReal, real, here, rules);
      else if (entry.isDirectory()) await this.subfolder(child, childReal, here, rules);
      else if (entry.isFile() && !this.isIgnored(rules, child, false)) this.addFile(child, entry.name);
    }
  }

  private async subfolder(rel: string, real: string, ancestors: ReadonlySet<string>, rules: IgnoreRules): Promise<void> {
    if (NEVER_ENTERED.has(path.posix.basename(rel)) || this.excluded(rel) || this.isIgnored(rules, rel, true)) return;
    await this.folder(rel, real, ancestors, rules);
  }

  /** `parent`: the real path of the folder holding the link. */
  private async symlink(
    rel: string,
    link: string,
    parent: string,
    ancestors: ReadonlySet<string>,
    rules: IgnoreRules,
  ): Promise<void> {
    let real: string;
    let isFolder: boolean;
    try {
      real = await realpath(link);
      isFolder = (await stat(real)).isDirectory();
    } catch (error) {
      if (this.isIgnored(rules, rel, false) || !this.included(rel)) return;
      const broken = (error as NodeJS.ErrnoException).code === 'ENOENT';
      return this.skip(rel, broken ? 'the symlink is broken' : `the symlink cannot be followed (${describeFsError(error)})`);
    }
    if (this.isIgnored(rules, rel, isFolder) || this.excluded(rel)) return;
    if (!isFolder) {
      if (!this.included(rel)) return;
      if (!this.isInsideRoot(real)) return this.skip(rel, 'it is a symlink to a file outside the scan root');
      return this.addFile(rel, path.posix.basename(rel));
    }
    if (!this.isInsideRoot(real)) return this.skip(rel, 'it is a symlink to a folder outside the scan root');
    // A loop: the target holds the link, or is a folder this walk is already inside (links leading back
    // and forth between folders).
    if (parent === real || parent.startsWith(real + path.sep) || ancestors.has(real)) {
      return this.skip(rel, 'it is a symlink to a folder that contains it (a loop)');
    }
    await this.subfolder(rel, real, ancestors, rules);
  }
}
