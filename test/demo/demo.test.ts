// `npm run demo` as a newcomer runs it: scripts/demo.mjs as a child process, its report read as the user
// would read it. Every connection the demo and the CLI open is recorded (record-connections.mjs) to show
// that nothing is aimed off the machine, and the registries must be gone afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';

const ROOT = path.resolve(__dirname, '../..');
const RECORDER = pathToFileURL(path.join(__dirname, 'record-connections.mjs')).href;
/** Far above a normal run (a few seconds); only a hung demo reaches it. */
const DEMO_DEADLINE_MS = 90_000;
const TEST_TIMEOUT_MS = DEMO_DEADLINE_MS + 5_000;

interface Connection {
  pid: number;
  kind: 'connect' | 'lookup';
  host: string;
  port: number | null;
  path: string | null;
}

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
  demoPid: number;
  connections: Connection[];
  /** The registries the demo said it started: placeholder host → 127.0.0.1:PORT, and their PIDs. */
  hosts: Map<string, string>;
  registryPids: number[];
  /** Temporary folders of the demo that are still there after it ended. */
  leftovers: string[];
}

const recordings = mkdtempSync(path.join(os.tmpdir(), 'demo-test-connections-'));
afterAll(() => rmSync(recordings, { recursive: true, force: true }));

/** The demo's temporary folders in `tmp` (each run gets a TMPDIR of its own, so other runs cannot interfere). */
const demoFolders = (tmp: string): string[] => readdirSync(tmp).filter((name) => name.startsWith('pullcheck-demo-'));

/** Runs the demo; with `interruptOn`, sends it SIGINT once its stderr matches. */
function runDemo(args: string[], interruptOn?: RegExp): Promise<DemoRun> {
  const record = path.join(recordings, `${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`);
  const tmp = mkdtempSync(path.join(recordings, 'tmp-'));
  const child = spawn(process.execPath, ['scripts/demo.mjs', ...args], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: tmp, NODE_OPTIONS: `--import "${RECORDER}"`, PULLCHECK_RECORD_CONNECTIONS: record },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (interruptOn && !interrupted && interruptOn.test(stderr)) {
      interrupted = true;
      child.kill('SIGINT');
    }
  });
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo did not finish within ${DEMO_DEADLINE_MS} ms. Its stderr:\n${stderr}`));
    }, DEMO_DEADLINE_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(deadline);
      let recorded = '';
      try {
        recorded = readFileSync(record, 'utf8');
      } catch {
        // no connection at all: the assertions below say so
      }
      const started = [...stderr.matchAll(/started .+? on (127\.0\.0\.1:\d+) \(pid (\d+)\)/g)];
      const mapping = /where (.+)$/m.exec(stderr)?.[1] ?? '';
      resolve({
        code,
        stdout,
        stderr,
        demoPid: child.pid as number,
        connections: recorded.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Connection),
        hosts: new Map([...mapping.matchAll(/(\S+) is (127\.0\.0\.1:\d+)/g)].map((m) => [m[1]!, m[2]!])),
        registryPids: started.map((m) => Number(m[2])),
        leftovers: demoFolders(tmp),
      });
    });
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function isLoopback(connection: Connection): boolean {
  if (connection.path) return true; // a Unix socket
  const host = connection.host.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** The report with each registry's real address written as its placeholder, as examples/ writes it. */
function asWritten(text: string, hosts: Map<string, string>): string {
  let out = text;
  for (const [placeholder, host] of hosts) out = out.replaceAll(host, placeholder);
  return out;
}

describe('npm run demo', () => {
  let json: DemoRun;
  beforeAll(async () => {
    json = await runDemo(['--format', 'json']);
  }, TEST_TIMEOUT_MS);

  it('reports each mistake of examples/ at its line, with its rule and suggestion', () => {
    expect(json.code, json.stderr).toBe(1); // the CLI's exit code: errors remain
    expect([...json.hosts.keys()]).toEqual(['registry.local:5000', 'vendor.local:5000']);
    const report = JSON.parse(asWritten(json.stdout, json.hosts)) as Report;

    const seen = report.findings
      .map((f) => ({ rule: f.rule, severity: f.severity, at: `${f.file}:${f.line}`, fix: f.fix?.replacement ?? null }))
      .sort((a, b) => a.at.localeCompare(b.at, 'en', { numeric: true }) || a.rule.localeCompare(b.rule));
    expect(seen).toEqual([
      { rule: 'platform-missing', severity: 'error', at: 'examples/charts/worker/values.yaml:6', fix: null },
      { rule: 'deprecated-registry', severity: 'warning', at: 'examples/deploy/cronjobs.yaml:17', fix: 'registry.k8s.io/busybox:1.28' },
      // Not contacted (the demo stays on this machine): "could not reach", never "not found".
      { rule: 'registry-unreachable', severity: 'warning', at: 'examples/deploy/cronjobs.yaml:17', fix: null },
      { rule: 'repository-not-found', severity: 'error', at: 'examples/deploy/cronjobs.yaml:22', fix: 'registry.local:5000/shop/payments:2.0.1' },
      { rule: 'missing-pull-secret', severity: 'warning', at: 'examples/deploy/cronjobs.yaml:41', fix: null },
      { rule: 'invalid-reference', severity: 'error', at: 'examples/deploy/cronjobs.yaml:59', fix: 'ghcr.io/acme/stock-sync:1.2.0' },
      { rule: 'tag-not-found', severity: 'error', at: 'examples/kustomize/overlays/prod/kustomization.yaml:10', fix: '1.4.2' },
    ]);
    const message = (rule: string) => report.findings.find((f) => f.rule === rule)?.message;
    expect(message('tag-not-found')).toContain('Closest existing: 1.4.2, 1.4.1, 1.4.0');
    expect(message('platform-missing')).toContain('is built for linux/arm64 only (a single-platform image), but the nodes run linux/amd64');
    expect(message('repository-not-found')).toContain('Did you mean registry.local:5000/shop/payments:2.0.1?');
    expect(message('missing-pull-secret')).toContain('vendor.local:5000/fraudguard/agent');
  });

  it('passes the healthy images, and names the one it could not check as unreachable', () => {
    const report = JSON.parse(asWritten(json.stdout, json.hosts)) as Report;
    const status = Object.fromEntries(report.images.map((image) => [image.reference, image.status]));
    expect(status).toEqual({
      'registry.local:5000/shop/api:1.4.3': 'tag-not-found',
      'registry.local:5000/shop/payments:2.0.1': 'ok',
      'registry.local:5000/shop/paymnets:2.0.1': 'repository-not-found',
      'registry.local:5000/shop/web:3.1.0': 'ok',
      'registry.local:5000/shop/worker:2.1.0': 'ok', // it exists; its platform is the problem
      'vendor.local:5000/fraudguard/agent:5.2.0': 'ok', // with the CI login from the demo's config
      'k8s.gcr.io/busybox:1.28': 'registry-unreachable',
    });
  });

  it('sends nothing off the machine: every connection and lookup of the demo and the CLI is loopback', () => {
    expect(json.connections.filter((c) => !isLoopback(c))).toEqual([]);
    // The recorder saw the CLI (another process) talk to both registries, so an empty list above means something.
    const fromCli = json.connections.filter((c) => c.pid !== json.demoPid && c.kind === 'connect').map((c) => `${c.host}:${c.port}`);
    for (const host of json.hosts.values()) expect(fromCli).toContain(host);
    expect(json.stderr).toContain('kept k8s.gcr.io:443 off the network');
  });

  it('stops the registries it started and removes its temporary folder', () => {
    expect(json.registryPids).toHaveLength(2);
    expect(json.registryPids.filter(isRunning)).toEqual([]);
    expect(json.leftovers).toEqual([]);
  });

  it('passes extra arguments to the CLI and exits with its code; text by default, plain when not a terminal', async () => {
    const run = await runDemo(['--fail-on', 'never']);
    expect(run.code, run.stderr).toBe(0);
    const text = asWritten(run.stdout, run.hosts);
    expect(text).not.toContain('\u001b[');
    expect(text).toContain('examples/kustomize/overlays/prod/kustomization.yaml\n  10:14  error  registry.local:5000/shop/api has no tag "1.4.3"');
    expect(text).toContain('fix: registry.k8s.io/busybox:1.28');
    expect(text).toMatch(/✖ 7 problems \(4 errors, 3 warnings, 0 notices\) · 7 images \(4 resolved ok\) in 5 files/);
    expect(run.registryPids.filter(isRunning)).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('cleans up on Ctrl-C: the registries are stopped and the exit code is 130', async () => {
    const run = await runDemo([], /started the payment provider's private registry/);
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('interrupted, cleaning up');
    expect(run.registryPids).toHaveLength(2);
    expect(run.registryPids.filter(isRunning)).toEqual([]);
    expect(run.leftovers).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
