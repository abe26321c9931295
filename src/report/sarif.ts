// SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif): one rule per rule id with the
// help text of docs/rules.md (same table), exact regions, stable partial fingerprints.
import { createHash } from 'node:crypto';
import type * as Sarif from 'sarif';
import { RULES } from '../judge/rules.js';
import type { Report, ReportFinding } from './report.js';

const LEVEL = { error: 'error', warning: 'warning', notice: 'note' } as const;
const DOCS = 'https://github.com/pullcheck/pullcheck/blob/main/docs/rules.md';

export function formatSarif(report: Report, toolVersion: string): Sarif.Log {
  const rules = [...RULES.values()];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'pullcheck',
          version: toolVersion,
          informationUri: 'https://github.com/pullcheck/pullcheck',
          rules: rules.map((r) => ({
            id: r.id,
            name: r.id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
            shortDescription: { text: r.title },
            fullDescription: { text: `${r.title} ${r.why}` },
            help: { text: `${r.why} Fix: ${r.fix}`, markdown: `${r.why}\n\n**Fix:** ${r.fix}` },
            helpUri: `${DOCS}#${r.id}`,
            defaultConfiguration: { level: LEVEL[r.severity] },
          })),
        },
      },
      results: report.findings.filter((f) => f.file !== null).map((f) => result(f, index.get(f.rule) ?? -1)),
      columnKind: 'utf16CodeUnits',
    }],
  };
}

function result(f: ReportFinding, ruleIndex: number): Sarif.Result {
  const region: Sarif.Region = {
    startLine: f.line ?? 1,
    startColumn: f.column ?? 1,
    endLine: f.endLine ?? f.line ?? 1,
    endColumn: f.endColumn ?? undefined,
  };
  // SARIF wants a URI reference: each path segment percent-encoded (spaces, %, unicode in file names).
  const uri = (f.file ?? '').split('/').map(encodeURIComponent).join('/');
  return {
    ruleId: f.rule,
    ruleIndex: ruleIndex >= 0 ? ruleIndex : undefined,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' }, region } }],
    // Stable across line moves: the rule, the file and the image identify the finding.
    partialFingerprints: { 'pullcheck/v1': createHash('sha256').update(`${f.rule}\0${uri}\0${f.image ?? ''}`).digest('hex').slice(0, 32) },
    fixes: f.fix ? [{
      description: { text: `Replace with ${f.fix.replacement}` },
      artifactChanges: [{ artifactLocation: { uri, uriBaseId: '%SRCROOT%' }, replacements: [{ deletedRegion: region, insertedContent: { text: f.fix.replacement } }] }],
    }] : undefined,
  };
}

