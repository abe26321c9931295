// Fault matrix, the whole run: `pullcheck --timeout` holds even when every registry hangs (accepts and never
// answers, or answers far too late), and every image ends registry-unreachable, none missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { isManifestRequest, startFakeRegistry, type FakeManifest, type FakeRegistry } from '../support/fakes.js';
import { deployment, workspace, type Workspace } from '../hostile/cli.js';
import { startSilentServer, timed, type Stoppable } from './servers.js';

const OCI = 'application/vnd.oci.image.manifest.v1+json';
const manifest: FakeManifest = { mediaType: OCI, body: JSON.stringify({ schemaVersion: 2, mediaType: OCI, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 2 }, layers: [] }) };
const TIMEOUT_S = 2;
/** Start-up, discovery and report writing around the deadline, on a loaded 2-core machine. */
const SLACK_MS = 3_000;

describe('pullcheck --timeout with every registry hanging', () => {
  let silent: Stoppable[];
  let late: FakeRegistry;
  let ws: Workspace;
  beforeAll(async () => {
    silent = await Promise.all([startSilentServer(), startSilentServer(), startSilentServer()]);
    late = await startFakeRegistry({ images: { app: { '1': manifest } }, fault: (r) => (isManifestRequest(r) ? { delayMs: 60_000 } : undefined) });
    ws = workspace();
    const images = [...silent.flatMap((s) => [`${s.host}/team/app:1`, `${s.host}/team/other@sha256:${'1'.repeat(64)}`]), `${late.host}/app:1`];
    ws.write('deploy/app.yaml', deployment('app', images));
  });
  afterAll(async () => {
    ws?.remove();
    await Promise.all([...(silent ?? []), ...(late ? [late] : [])].map((s) => s.stop()));
  });

  it(`ends within --timeout ${TIMEOUT_S}s (plus slack), every image registry-unreachable`, async () => {
    const { value: out, ms } = await timed(() => ws.run(['--timeout', `${TIMEOUT_S}s`, '--format', 'json', '--kustomize', 'off', '--helm', 'off']));
    expect(out.stderr).toBe('');
    expect([0, 1]).toContain(out.code);
    const report = JSON.parse(out.stdout) as Report;
    expect(report.images).toHaveLength(7);
    for (const image of report.images) {
      expect(image.status, image.reference).toBe('registry-unreachable');
      expect(image.evidence?.detail).toMatch(/^deadline of 2 s exceeded/);
    }
    expect(ms).toBeLessThan(TIMEOUT_S * 1000 + SLACK_MS);
  });
});
