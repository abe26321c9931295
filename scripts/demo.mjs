// `npm run demo [-- CLI options]`: pullcheck on the example shop in examples/, against a real registry on
// this machine, in one command on a fresh clone.
//   1. installs the dependencies (npm ci) when node_modules is missing, builds dist/cli.js when it is missing;
//   2. starts two Distribution registries on 127.0.0.1 — the shop's (anonymous) and a vendor's (htpasswd)
//      — and pushes the shop's images (scripts/demo-registry.mjs);
//   3. copies examples/ to a temporary folder, with the placeholder hosts `registry.local:5000` and
//      `vendor.local:5000` replaced by the registries' real 127.0.0.1:PORT (the files read as they would in
//      a real repository; the line numbers do not change);
//   4. runs the built CLI on the copy — output, colour and exit code are the CLI's own; extra arguments
//      (`npm run demo -- --format json`) go to it;
//   5. stops the registries by their PIDs, also on Ctrl-C or an error, and removes the temporary folder.
// Nothing leaves the machine: see scripts/demo-sandbox.mjs. Progress lines go to stderr, so stdout holds
// only the report (`npm run -s demo -- --format json > report.json`).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(root, 'dist', 'cli.js');
const CONFIG_NAME = 'pullcheck-demo.yml';
const EXIT_MEANINGS = {
  0: 'nothing at or above --fail-on, so a required check would pass',
  1: 'findings at or above --fail-on remain, so a required check would fail (examples/ is broken on purpose)',
  2: 'a usage or configuration error (see the message above)',
};

const say = (line) => process.stderr.write(`demo: ${line}\n`);

let scratch = null;
/** The registries that run (filled while they start, emptied when they are stopped). */
const registries = [];
let sandbox = null;
let cli = null;
let cleaning = null;

/** Idempotent: the normal end, an error and a signal all come through here. */
function cleanUp() {
  cleaning ??= (async () => {
    if (cli && cli.exitCode === null && cli.signalCode === null) cli.kill('SIGTERM');
    await sandbox?.stop();
    if (registries.length) {
      const pids = registries.map((r) => r.registry.pid).join(', ');
      const { stopDemoRegistries } = await import('./demo-registry.mjs');
      await stopDemoRegistries(registries);
      say(`stopped the registries (pid ${pids})`);
    }
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    say(`${signal === 'SIGINT' ? 'interrupted' : 'terminated'}, cleaning up`);
    cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  say(`failed: ${error.message}`);
  process.exitCode = 2;
} finally {
  await cleanUp();
}

async function main(cliArgs) {
  ensureDependencies();
  ensureBuilt();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-demo-'));

  const { startDemoRegistries } = await import('./demo-registry.mjs');
  const { startSandbox } = await import('./demo-sandbox.mjs');
  await startDemoRegistries(root, scratch, registries);
  for (const { registry, what, images } of registries) {
    say(`started ${what} on ${registry.host} (pid ${registry.pid}) with ${images.length} image${images.length === 1 ? '' : 's'}`);
  }
  sandbox = await startSandbox();

  const workspace = path.join(scratch, 'workspace');
  copyExamples(path.join(workspace, 'examples'), new Map(registries.map((r) => [r.placeholder, r.registry.host])));
  writeFileSync(path.join(workspace, CONFIG_NAME), demoConfig(registries));
  const dockerConfig = path.join(scratch, 'docker-config');
  mkdirSync(dockerConfig);

  say(`checking examples/ with dist/cli.js, where ${registries.map((r) => `${r.placeholder} is ${r.registry.host}`).join(' and ')}`);
  say(`command: pullcheck examples --config ${CONFIG_NAME}${cliArgs.length ? ` ${cliArgs.join(' ')}` : ''}`);
  process.stderr.write('\n');
  const code = await runCli(['examples', '--config', CONFIG_NAME, ...cliArgs], workspace, {
    ...process.env,
    ...sandbox.env,
    // Your own registry logins play no part in the demo: an empty Docker config, no podman auth file,
    // no GitHub token.
    DOCKER_CONFIG: dockerConfig,
    REGISTRY_AUTH_FILE: path.join(dockerConfig, 'auth.json'),
    GITHUB_TOKEN: '',
  });
  process.stderr.write('\n');
  for (const host of sandbox.refused()) say(`kept ${host} off the network: the stand-in proxy refused it (see scripts/demo-sandbox.mjs)`);
  say(`pullcheck exited with ${code}: ${EXIT_MEANINGS[code] ?? 'it was stopped'}`);
  say('what each finding means and how the example is broken: examples/README.md, docs/rules.md');
  return code;
}

function ensureDependencies() {
  if (existsSync(path.join(root, 'node_modules', 'esbuild', 'package.json'))) return;
  say('installing the dependencies first (npm ci, once) …');
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (npm.status !== 0) {
    throw new Error(`npm ci failed${npm.error ? ` (${npm.error.message})` : ''}:\n${(npm.stderr ?? '').trim().split('\n').slice(-15).join('\n')}`);
  }
}

/** dist/cli.js is committed; it is only missing in a tree where nobody built it yet. */
function ensureBuilt() {
  if (existsSync(CLI)) return;
  say('building dist/cli.js first (npm run build) …');
  const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.status !== 0 || !existsSync(CLI)) throw new Error('npm run build failed (see above)');
}

/** Copies examples/ to `target`, each placeholder host (a key of `hosts`) replaced by its real address. */
function copyExamples(target, hosts) {
  cpSync(path.join(root, 'examples'), target, { recursive: true });
  for (const entry of readdirSync(target, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = readFileSync(file, 'utf8');
    let copy = text;
    for (const [placeholder, host] of hosts) copy = copy.replaceAll(placeholder, host);
    if (copy !== text) writeFileSync(file, copy);
  }
}

/** The config a team would keep in .github/pullcheck.yml, for the demo's registries. */
function demoConfig(started) {
  const lines = [
    '# Written by scripts/demo.mjs for one run.',
    '# The demo registries speak plain HTTP on 127.0.0.1: pullcheck allows that for loopback registries',
    '# without any setting. Every other registry (k8s.gcr.io in examples/) is answered by a stand-in proxy',
    '# that refuses, so nothing leaves this machine; "could not reach" is then a warning, not an error.',
    'unreachable: warning',
    'registries:',
  ];
  for (const { placeholder, registry, credentials } of started) {
    if (!credentials) continue;
    lines.push(`  # ${placeholder} in examples/: the CI account (the Action would take it from the registry-auth input)`);
    lines.push(`  "${registry.host}":`, `    username: ${credentials.username}`, `    password: ${credentials.password}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs the CLI with the terminal as its stdout (so it colours its output exactly when it would for you). */
function runCli(args, cwd, env) {
  return new Promise((resolve, reject) => {
    cli = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: 'inherit' });
    cli.once('error', reject);
    cli.once('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 2)));
  });
}
