// Suppressions: the config's `ignore` entries (rule + image glob + path glob + reason) and inline comments
// `# pullcheck-ignore: <rule>[,<rule>] <reason>` on the finding's line or in the comment lines right above
// it. A suppressed finding leaves the findings (and the gate) and is listed with its reason instead. A
// comment that names an unknown rule or gives no reason suppresses nothing and is reported, as an unknown
// rule in the config is an error. Lines come through the injected reader (the judge does no I/O itself).
import type { Finding, Severity, SourceRange } from '../model.js';
import type { IgnoreEntry } from '../options.js';
import { parseReference } from '../reference/index.js';
import { matchesGlob } from './glob.js';
import { effectiveSeverity } from './index.js';
import { RULES } from './rules.js';

export interface Suppression {
  rule: string;
  file: string | null;
  line: number | null;
  image: string | null;
  reason: string;
  /** `config`: an `ignore` entry; `comment`: a `# pullcheck-ignore:` comment in the file. */
  by: 'config' | 'comment';
}

export interface SuppressionContext {
  entries: IgnoreEntry[];
  /** Where images are: comments near them are checked even where nothing fired (a typo is reported early). */
  ranges: SourceRange[];
  /** The lines of a file relative to the root, null when unreadable. */
  lines: (file: string) => Promise<string[] | null>;
  severities: Record<string, Severity | 'off'>;
}

interface Directive {
  rules: string[];
  reason: string;
}

const MARKER = /(?:^|\s)#\s*pullcheck-ignore\b:?(.*)$/;

export async function applySuppressions(findings: Finding[], ctx: SuppressionContext): Promise<{ findings: Finding[]; suppressed: Suppression[] }> {
  const comments = new CommentReader(ctx.severities);
  const linesByFile = new Map<string, Set<number>>();
  for (const range of [...ctx.ranges, ...findings.flatMap((f) => (f.range ? [f.range] : []))]) {
    linesByFile.set(range.file, (linesByFile.get(range.file) ?? new Set()).add(range.line));
  }
  const directives = new Map<string, Directive[]>();
  await Promise.all([...linesByFile].map(async ([file, numbers]) => {
    const lines = await ctx.lines(file);
    if (!lines?.some((line) => line.includes('pullcheck-ignore'))) return; // the common case: nothing to read
    for (const line of numbers) directives.set(`${file}\n${line}`, comments.directivesFor(file, line, lines));
  }));

  const kept: Finding[] = [];
  const suppressed: Suppression[] = [];
  for (const finding of findings) {
    const base = { rule: finding.rule, file: finding.range?.file ?? null, line: finding.range?.line ?? null, image: finding.image };
    const inline = finding.range ? directives.get(`${finding.range.file}\n${finding.range.line}`)?.find((d) => d.rules.includes(finding.rule)) : undefined;
    const entry = inline ? undefined : ctx.entries.find((e) => entryMatches(e, finding));
    if (inline) suppressed.push({ ...base, reason: inline.reason, by: 'comment' });
    else if (entry) suppressed.push({ ...base, reason: entry.reason, by: 'config' });
    else kept.push(finding);
  }
  return { findings: [...kept, ...comments.problems], suppressed };
}

function entryMatches(entry: IgnoreEntry, finding: Finding): boolean {
  if (entry.rule !== finding.rule) return false;
  if (entry.path !== null && (finding.range === null || !matchesGlob(entry.path, finding.range.file))) return false;
  if (entry.image === null) return true;
  if (finding.image === null) return false;
  const written = finding.image.trim();
  const parsed = parseReference(written);
  return [written, ...(parsed.ok ? [parsed.ref.canonical, parsed.ref.name] : [])].some((form) => matchesGlob(entry.image as string, form));
}

/** Reads the comments at and above a line; remembers the broken ones (once each) as findings. */
class CommentReader {
  readonly problems: Finding[] = [];
  readonly #reported = new Set<string>();

  constructor(private readonly severities: Record<string, Severity | 'off'>) {}

  directivesFor(file: string, line: number, lines: string[]): Directive[] {
    if (line < 1 || line > lines.length) return [];
    const numbers = [line];
    // The whole-line comments right above (no blank line between) belong to this line too.
    for (let above = line - 1; above >= 1 && /^\s*#/.test(lines[above - 1]!); above--) numbers.push(above);
    return numbers.flatMap((n) => {
      const directive = this.#parse(file, n, lines[n - 1]!);
      return directive ? [directive] : [];
    });
  }

  #parse(file: string, line: number, text: string): Directive | null {
    const match = MARKER.exec(text);
    if (!match) return null;
    const [ruleList = '', ...words] = match[1]!.trim().split(/\s+/);
    const rules = ruleList.split(',').map((r) => r.trim()).filter(Boolean);
    const reason = words.join(' ').trim();
    const unknown = rules.filter((r) => !RULES.has(r));
    const problem = rules.length === 0
      ? 'names no rule'
      : unknown.length > 0
        ? `names unknown rule${unknown.length === 1 ? '' : 's'} ${unknown.map((r) => `'${r}'`).join(', ')} (see docs/rules.md)`
        : reason === '' ? 'gives no reason' : null;
    if (problem === null) return { rules, reason };
    this.#report(file, line, text, problem);
    return null;
  }

  #report(file: string, line: number, text: string, problem: string): void {
    const key = `${file}\n${line}`;
    const severity = effectiveSeverity('invalid-suppression', undefined, this.severities);
    if (this.#reported.has(key) || severity === 'off') return;
    this.#reported.add(key);
    const column = text.indexOf('#') + 1;
    this.problems.push({
      rule: 'invalid-suppression',
      severity,
      message: `This pullcheck-ignore comment ${problem}, so it suppresses nothing; write \`# pullcheck-ignore: <rule>[,<rule>] <reason>\`.`,
      range: { file, line, column, endLine: line, endColumn: text.length + 1 },
      image: null,
      fix: null,
    });
  }
}
