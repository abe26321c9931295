// Image strings and file names chosen by a pull request end up in pullcheck's output, and that output lands
// in a GitHub Actions log, where any line starting with `::` (after leading spaces) is a workflow command:
// `::stop-commands::` silences every later annotation, `::add-mask::` hides text, `::error` forges a
// finding. Whatever the PR writes, the only commands in the log are pullcheck's own, in every format.
// (The Action's annotations, summary and review have their own tests in test/action.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { workspace, type Workspace } from './cli.js';

/** What the runner takes for a line: it splits on CR, LF and CRLF. */
const logLines = (text: string): string[] => text.split(/\r\n|\r|\n/);
/** A workflow command as the runner sees one: `::` at the start once leading whitespace is trimmed. */
const isCommand = (line: string): boolean => line.trimStart().startsWith('::');
/** pullcheck's own annotations: a level, its escaped properties, then the escaped message. */
const OWN_COMMAND = /^::(error|warning|notice) title=[\w-]+(,(file|line|endLine|col|endColumn)=[^:,\r\n]*)*::[^\r\n]*$/;

/** YAML double-quoted scalars, so the escapes below reach pullcheck as the characters they stand for. */
const HOSTILE_IMAGES = [
  'evil\\n::error file=good.yaml,line=1::forged finding',
  '%0A::warning::percent-encoded newline',
  '::add-mask::nginx',
  'nginx\\r\\n::stop-commands::pwned',
  'a\\u2028::error::line separator',
  '\\e[31mred\\e[0m::notice::ansi',
];
const HOSTILE_FILES = ['::stop-commands::pwned.yaml', '  ::error::indented.yaml', 'evil\n::error file=x::forged.yaml', 'cr\r::warning::x.yaml'];

function manifest(images: string[]): string {
  const containers = images.map((image, i) => `      - name: c${i}\n        image: "${image}"\n`).join('');
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n${containers}`;
}

describe('output of hostile image strings and file names', () => {
  let ws: Workspace;
  const outputs: Record<'text' | 'github' | 'json' | 'sarif', string> = { text: '', github: '', json: '', sarif: '' };
  beforeAll(async () => {
    ws = workspace();
    ws.write('good.yaml', manifest(HOSTILE_IMAGES));
    for (const name of HOSTILE_FILES) ws.write(name, manifest(['UPPER/Case:1']));
    for (const format of Object.keys(outputs) as Array<keyof typeof outputs>) {
      const out = await ws.run(['--offline', '--format', format, '--fail-on', 'never']);
      expect(out.stderr).toBe('');
      outputs[format] = out.stdout;
    }
  });
  afterAll(() => ws?.remove());

  it('finds every hostile string and file (the test would prove nothing otherwise)', () => {
    const report = JSON.parse(outputs.json) as Report;
    const invalid = report.findings.filter((f) => f.rule === 'invalid-reference');
    expect(invalid.map((f) => f.file).sort()).toEqual([...HOSTILE_IMAGES.map(() => 'good.yaml'), ...HOSTILE_FILES].sort());
  });

  it('--format github: every log line is one of pullcheck\'s own annotations', () => {
    const lines = logLines(outputs.github.trimEnd());
    expect(lines.length).toBe(10); // GitHub keeps 10 errors per step
    for (const line of lines) expect(line).toMatch(OWN_COMMAND);
  });

  it('--format text: no log line is a workflow command', () => {
    const commands = logLines(outputs.text).filter(isCommand);
    expect(commands).toEqual([]);
    for (const raw of ['\u001b', '\u2028', '\u2029']) expect(outputs.text).not.toContain(raw);
  });

  it.each(['json', 'sarif'] as const)('--format %s: one JSON document whose lines start no command, and the strings kept exactly', (format) => {
    expect(logLines(outputs[format]).filter(isCommand)).toEqual([]);
    const text = JSON.stringify(JSON.parse(outputs[format]));
    for (const name of HOSTILE_FILES) expect(text).toContain(JSON.stringify(format === 'sarif' ? name.split('/').map(encodeURIComponent).join('/') : name).slice(1, -1));
  });
});
