// CLI entry: argv → Options → run() → stdout / file / exit code. Exit 0 = nothing at or above --fail-on,
// 1 = findings at or above it, 2 = usage, configuration or internal error (one line on stderr).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildOptions, ConfigError, type RawOptions } from './options.js';
import { run } from './run.js';
import { failsGate, type Report } from './report/report.js';
import { formatText } from './report/text.js';
import { formatSarif } from './report/sarif.js';
import { annotationCommands } from './report/github-commands.js';
import { explainRule } from './report/explain.js';
import { progressLines, silentProgress } from './report/progress.js';
import { environmentKeychain } from './credentials/index.js';
import { VERSION } from './version.js';

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `pullcheck ${VERSION} — will every image this change deploys pull?

Usage:
  pullcheck [options] [paths…]        check the manifests under paths (default: .)
  pullcheck explain <rule>            what a rule means and how to fix it

Options:
  --format text|json|sarif|github
                             output format (default: text); github = workflow-command annotations
  -o, --output FILE          write the report to FILE instead of stdout
  --offline                  no network: reference grammar and static rules only
  -c, --config FILE          config file (default: .github/pullcheck.yml or .pullcheck.yml if present)
  --fail-on error|warning|never
                             exit 1 when findings at or above this remain (default: error)
  --include GLOB             only scan files matching GLOB (repeatable)
  --exclude GLOB             skip files matching GLOB (repeatable)
  --platform OS/ARCH         platform the nodes run (repeatable; default linux/amd64)
  --timeout DURATION         deadline for all registry checks (default 120s)
  --cache-dir DIR            keep the registry's answers for digest references here for the next run
                             (e.g. with actions/cache); tags are always checked again
  --kustomize auto|off       render kustomizations (default auto)
  --helm auto|off            render Helm charts (default auto)
  --rendered FILE            also scan pre-rendered output, e.g. of helm template (repeatable)
  --root DIR                 scan root; reported paths are relative to it (default: current folder)
  -q, --quiet                text format: errors only; no progress on stderr
  -h, --help                 this help
  -v, --version              print the version

Examples:
  pullcheck                               check everything under the current folder
  pullcheck deploy/ --platform linux/arm64
  pullcheck --offline --format json -o report.json
  pullcheck --format sarif -o pullcheck.sarif

Exit codes: 0 no findings at or above --fail-on · 1 findings at or above it · 2 usage or configuration error
Docs: docs/rules.md (every rule), docs/report-format.md (JSON report)`;

export async function main(argv: string[], io: { stdout: NodeJS.WritableStream & { isTTY?: boolean }; stderr: NodeJS.WritableStream & { isTTY?: boolean }; cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        offline: { type: 'boolean' },
        config: { type: 'string', short: 'c' },
        'fail-on': { type: 'string' },
        include: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        platform: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        'cache-dir': { type: 'string' },
        kustomize: { type: 'string' },
        helm: { type: 'string' },
        rendered: { type: 'string', multiple: true },
        root: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    io.stderr.write(`pullcheck: ${(error as Error).message} (see pullcheck --help)\n`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) { io.stdout.write(`${HELP}\n`); return 0; }
  if (values.version) { io.stdout.write(`${VERSION}\n`); return 0; }
  if (positionals[0] === 'explain') {
    const page = positionals[1] ? explainRule(positionals[1]) : null;
    if (!page) { io.stderr.write(`pullcheck: explain needs a rule id, one of the ids in docs/rules.md${positionals[1] ? ` (unknown: ${positionals[1]})` : ''}\n`); return 2; }
    io.stdout.write(page);
    return 0;
  }

  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) { io.stderr.write(`pullcheck: --format must be one of ${FORMATS.join(', ')} (got '${values.format}')\n`); return 2; }

  const root = path.resolve(io.cwd, values.root ?? '.');
  for (const p of positionals) {
    const rel = path.relative(root, path.resolve(io.cwd, p));
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      io.stderr.write(`pullcheck: ${p} is outside the scan root ${root}; run pullcheck from a parent folder or pass --root\n`);
      return 2;
    }
  }
  const raw: RawOptions = {
    root,
    paths: positionals.map((p) => path.relative(root, path.resolve(io.cwd, p)) || '.'),
    include: values.include,
    exclude: values.exclude,
    offline: values.offline,
    failOn: values['fail-on'],
    platforms: values.platform,
    timeout: values.timeout,
    configFile: values.config ? path.resolve(io.cwd, values.config) : undefined,
    kustomize: values.kustomize,
    helm: values.helm,
    rendered: values.rendered?.map((f) => path.resolve(io.cwd, f)),
    cacheDir: values['cache-dir'] ? path.resolve(io.cwd, values['cache-dir']) : undefined,
  };
  // On stderr, so stdout holds the report alone: on a terminal a live line and a line per stage; in CI (the
  // CI variable every CI service sets) only the stage lines; in a script's pipe only notes (a cache problem).
  const terminal = io.stderr.isTTY === true;
  const progress = values.quiet ? silentProgress : progressLines((text) => io.stderr.write(text), { live: terminal, stages: terminal || isSet(io.env.CI) });

  let report: Report;
  let failOn;
  try {
    const options = buildOptions(raw);
    failOn = options.failOn;
    report = await run(options, { keychain: environmentKeychain(io.env, { githubToken: io.env.GITHUB_TOKEN, githubActor: io.env.GITHUB_ACTOR }), progress });
  } catch (error) {
    if (error instanceof ConfigError) { io.stderr.write(`pullcheck: ${error.message}\n`); return 2; }
    io.stderr.write(`pullcheck: internal error: ${(error as Error).message} — please report it with the command you ran\n`);
    if (io.env.PULLCHECK_DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    return 2;
  }

  const color = !values.output && format === 'text' && io.stdout.isTTY === true && !io.env.NO_COLOR;
  const text = format === 'json'
    ? `${JSON.stringify(report, null, 2)}\n`
    : format === 'sarif'
      ? `${JSON.stringify(formatSarif(report, VERSION), null, 2)}\n`
      : format === 'github'
        ? annotationCommands(report.findings, { seeAlso: 'pullcheck --format text lists them all' }).map((line) => `${line}\n`).join('')
        : formatText(report, { color, quiet: values.quiet });
  if (values.output) {
    try {
      writeFileSync(path.resolve(io.cwd, values.output), text);
    } catch (error) {
      io.stderr.write(`pullcheck: cannot write ${values.output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
      return 2;
    }
  } else {
    io.stdout.write(text);
  }
  return failsGate(report, failOn) ? 1 : 0;
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false'].includes(value.toLowerCase());
}

// Run only as the bundled entry (node dist/cli.js), not when tests import main(); `require` does not exist
// in the ESM context vitest loads the source in.
if (typeof require !== 'undefined' && require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env })
    .then((code) => { process.exitCode = code; });
}
