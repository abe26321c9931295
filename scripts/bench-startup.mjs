// Part 3 of `npm run bench`: start-up. The bundled CLI and Action on an empty folder (nothing to scan,
// nothing to resolve: what is left is loading the bundle and wiring), next to a bare `node -e 0`, and the
// bundles' sizes.
import { statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, median, repeat, scratch, timed } from './bench-lib.mjs';

export async function benchStartup({ runs }) {
  const empty = scratch('empty');
  const temp = scratch('runner');
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const action = path.join(ROOT, 'dist', 'index.js');
  // The runner's environment without GITHUB_REPOSITORY: the Action talks to no API and writes no summary.
  const runnerEnv = { PATH: process.env.PATH, HOME: temp, RUNNER_TEMP: temp, GITHUB_WORKSPACE: empty };
  const measure = (args, env) => repeat(runs, () => timed(process.execPath, args, { cwd: empty, env }), { warmup: 2 });
  const bare = await measure(['-e', '0'], process.env);
  const cliRuns = await measure([cli], process.env);
  const actionRuns = await measure([action], runnerEnv);
  const ms = (results) => median(results.map((r) => r.ms));
  return {
    nodeMs: ms(bare),
    cliMs: ms(cliRuns),
    actionMs: ms(actionRuns),
    cliBytes: statSync(cli).size,
    actionBytes: statSync(action).size,
  };
}
