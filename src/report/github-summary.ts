// The job summary (GITHUB_STEP_SUMMARY): a headline with the verdict and counts, the problem images with
// where they are used and the fix, then every checked image folded away. Every string that came from a
// pull request or a registry goes through markdownText/markdownCode.
import type { Severity } from '../model.js';
import type { FailOn } from '../options.js';
import { RULES } from '../judge/rules.js';
import { duration } from '../judge/rate-limit.js';
import { shownReplacement } from './github-commands.js';
import type { FilterMode } from './github-diff.js';
import { locationLink, markdownCode, markdownText } from './github-markdown.js';
import type { Report, ReportFinding, ReportImage } from './report.js';

export interface SummaryContext {
  failed: boolean;
  failOn: FailOn;
  filterMode: FilterMode;
  /** Findings the filter mode left out (the JSON report and the SARIF file still hold them). */
  filteredOut: number;
  /** Our own sentences about what this run could not do (Markdown allowed; never untrusted text). */
  notes: string[];
  /** `https://github.com/OWNER/REPO/blob/SHA/` to link locations, or null for plain text. */
  blobUrl: string | null;
}

/** GitHub refuses a step summary over 1 MiB. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;
const LOCATIONS_SHOWN = 5;
const ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', notice: 'ℹ️' };

type Section = (report: Report, context: SummaryContext) => string | null;

/** The summary's parts in order; a later part (e.g. Docker Hub quota headroom) is one more entry here. */
const SECTIONS: Section[] = [headline, problems, notes, pullQuota, allImages];

export function formatSummary(report: Report, context: SummaryContext, limitBytes = SUMMARY_LIMIT_BYTES): string {
  const text = SECTIONS.map((section) => section(report, context)).filter((s) => s !== null).join('\n\n') + '\n';
  return fitToLimit(text, limitBytes);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function headline(report: Report, context: SummaryContext): string {
  const s = report.summary;
  const verdict = context.failed ? `${ICON.error} pullcheck failed` : '✅ pullcheck passed';
  const counts = [plural(s.errors, 'error'), plural(s.warnings, 'warning'), plural(s.notices, 'notice')]
    .map((c, i) => (i === 0 && s.errors > 0 ? `**${c}**` : c)).join(', ');
  const scope = context.filterMode === 'added' ? ' on lines this pull request adds' : context.filterMode === 'file' ? ' in files this pull request changes' : '';
  const hidden = context.filteredOut > 0 ? ` (${plural(context.filteredOut, 'more finding')} elsewhere, not counted: \`filter-mode: ${context.filterMode}\`)` : '';
  const checked = `${plural(s.images, 'image')} in ${plural(s.files, 'file')}${s.offline ? ' · offline: registries not checked' : ''} · ${(s.durationMs / 1000).toFixed(1)} s`;
  return `## ${verdict}\n\n${counts}${scope}${hidden} · fails on: ${context.failOn}\n\n${checked}`;
}

/** One row per image with problems (findings without an image get a row each). */
function problems(report: Report, context: SummaryContext): string | null {
  if (report.findings.length === 0) return null;
  const groups = new Map<string, ReportFinding[]>();
  report.findings.forEach((f, i) => {
    const key = f.image === null ? `#${i}` : `image:${f.image}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  });
  const rows = [...groups.values()].map((findings) => {
    const first = findings[0]!; // findings arrive worst first, so the first gives the row's icon
    const problem = unique(findings.map((f) => `**${f.rule}**: ${markdownText(f.message)}`)).join('<br>');
    const places = unique(findings.filter((f) => f.file !== null).map((f) => locationLink(`${f.file}${f.line === null ? '' : `:${f.line}`}`, context.blobUrl, f.file!, f.line)));
    const where = places.slice(0, LOCATIONS_SHOWN).join('<br>') + (places.length > LOCATIONS_SHOWN ? `<br>and ${places.length - LOCATIONS_SHOWN} more` : '');
    const replacements = unique(findings.flatMap((f) => (f.fix ? [markdownCode(shownReplacement(f.fix.replacement))] : [])));
    const fix = replacements.length > 0 ? `use ${replacements.join(' or ')}` : ruleFix(first.rule);
    return `| ${ICON[first.severity]} | ${first.image === null ? '—' : markdownCode(first.image)} | ${problem} | ${where || '—'} | ${fix} |`;
  });
  return ['### Problems', '', '| | Image | Problem | Where used | Fix |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}

/** The rule table's fix text is ours, but a `|` would still split the table cell. */
function ruleFix(ruleId: string): string {
  return (RULES.get(ruleId)?.fix ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function notes(_report: Report, context: SummaryContext): string | null {
  return context.notes.length === 0 ? null : context.notes.map((n) => `> ${n}`).join('\n>\n');
}

/** Headroom per identity on registries that announce a pull quota (Docker Hub), next to the rollout's estimate. */
function pullQuota(report: Report): string | null {
  if (!report.quota || report.quota.identities.length === 0) return null;
  const rows = report.quota.identities.map((q) => {
    const who = `${q.authenticated ? 'account' : 'anonymous'}${q.source ? ` ${markdownCode(q.source)}` : ''}`;
    const window = q.windowSeconds === null ? '—' : duration(q.windowSeconds);
    const host = q.endpoint === q.registry ? markdownCode(q.registry) : `${markdownCode(q.registry)} via ${markdownCode(q.endpoint)}`;
    const estimate = `${q.estimatedPulls}${q.anonymousPulls > 0 ? ` (${q.anonymousPulls} anonymous)` : ''}`;
    return `| ${host} | ${who} | ${q.remaining ?? '—'} | ${q.limit ?? '—'} | ${window} | ${estimate} |`;
  });
  return [
    '### Pull quota',
    '',
    `| Registry | Counted against | Left | Limit | Window | Rollout pulls (estimate, ${plural(report.quota.nodes, 'node')} per platform) |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

function allImages(report: Report, context: SummaryContext): string | null {
  if (report.images.length === 0) return null;
  const rows = report.images.map((image) => {
    const digest = image.digest ? markdownCode(shortDigest(image.digest)) : '—';
    const platforms = image.platforms?.length ? markdownText(image.platforms.join(', ')) : '—';
    return `| ${markdownCode(image.reference)} | ${image.status} | ${digest} | ${platforms} | ${usedIn(image, context)} |`;
  });
  return [
    `<details><summary>All ${plural(report.images.length, 'checked image')}</summary>`,
    '',
    '| Image | Status | Digest | Platforms | Used in |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    '</details>',
  ].join('\n');
}

function usedIn(image: ReportImage, context: SummaryContext): string {
  const [first] = image.occurrences;
  if (!first) return '—';
  const link = locationLink(`${first.file}:${first.line}`, context.blobUrl, first.file, first.line);
  return image.occurrences.length > 1 ? `${link} and ${image.occurrences.length - 1} more` : link;
}

function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex && hex.length > 12 ? `${algorithm}:${hex.slice(0, 12)}…` : digest;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

/** Cuts whole lines to stay under the limit, closes a <details> the cut left open, and says so. */
function fitToLimit(text: string, limitBytes: number): string {
  if (Buffer.byteLength(text) <= limitBytes) return text;
  const note = '\n\n> **This summary was cut** at GitHub\'s 1 MiB limit. Every finding is in the JSON report (the `report` output) and in the SARIF file.\n';
  const closing = '\n\n</details>';
  let budget = limitBytes - Buffer.byteLength(note) - Buffer.byteLength(closing);
  const kept: string[] = [];
  let openDetails = false;
  for (const line of text.split('\n')) {
    const size = Buffer.byteLength(line) + 1;
    if (size > budget) break;
    budget -= size;
    kept.push(line);
    if (line.startsWith('<details>')) openDetails = true;
    if (line === '</details>') openDetails = false;
  }
  return kept.join('\n') + (openDetails ? closing : '') + note;
}
