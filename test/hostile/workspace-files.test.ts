// A pull request controls the files pullcheck walks: binary and non-UTF-8 files, symlink loops, symlinks out of
// the workspace, odd file names, and chart / kustomization folders named like shell commands. The whole CLI
// runs over one such workspace: every bad file gets a notice naming it, nothing outside the workspace is
// read, odd names come back exactly, and no name is ever run as a command.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/report.js';
import { deployment, workspace, type Workspace } from './cli.js';

const ODD_NAMES = ['with space.yaml', 'ünïcødé-日本.yaml', 'new\nline.yaml', '100%25%.yaml', 'tab\there.yaml', 'quote"and\'.yaml'];
/** Folder names a careless `sh -c` would run; each would create a marker file. */
const SHELL_NAMES = ['$(touch pwned-dollar)', '`touch pwned-backtick`', 'x;touch pwned-semicolon;', 'a&&touch pwned-and', '|touch pwned-pipe'];
const MARKERS = ['pwned-dollar', 'pwned-backtick', 'pwned-semicolon', 'pwned-and', 'pwned-pipe'];

describe('a hostile workspace', () => {
  let ws: Workspace;
  let outside: string;
  let report: Report;
  beforeAll(async () => {
    ws = workspace();
    outside = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-outside-'));
    writeFileSync(path.join(outside, 'secret.yaml'), deployment('secret', ['outside.example.test/secret:1']));
    ws.write('good.yaml', deployment('good', ['nginx:1.25']));
    ws.write('binary.yaml', Buffer.from([0x61, 0x3a, 0x00, 0xff, 0xfe, 0x00]));
    ws.write('latin1.yaml', Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    ws.write('utf16.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: b\n', 'utf16le')]));
    mkdirSync(path.join(ws.dir, 'loop'));
    symlinkSync('..', path.join(ws.dir, 'loop', 'parent'));
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(ws.dir, 'escape.yaml'));
    symlinkSync(outside, path.join(ws.dir, 'escape-dir'));
    for (const [i, name] of ODD_NAMES.entries()) ws.write(`odd/${name}`, deployment(`odd-${i}`, [`Odd-${i}/UPPER:1`]));
    for (const name of SHELL_NAMES) {
      ws.write(`kustomize/${name}/kustomization.yaml`, `resources:\n  - deploy.yaml\n  - "${name}.yaml"\nimages:\n  - name: nginx\n    newTag: "1.27"\n`);
      ws.write(`kustomize/${name}/deploy.yaml`, deployment('k', ['nginx:1.25']));
      ws.write(`charts/${name}/Chart.yaml`, `apiVersion: v2\nname: shell\nversion: 0.1.0\n`);
      ws.write(`charts/${name}/templates/deploy.yaml`, deployment('h', ['nginx:{{ .Values.tag }}']));
      ws.write(`charts/${name}/values.yaml`, 'tag: "1.26"\n');
    }
    const out = await ws.run(['--offline', '--format', 'json']);
    expect(out.stderr).toBe('');
    report = JSON.parse(out.stdout) as Report;
  }, 60_000);
  afterAll(() => {
    ws?.remove();
    if (outside) rmSync(outside, { recursive: true, force: true });
  });

  const notices = (): Record<string, string> =>
    Object.fromEntries(report.findings.filter((f) => f.rule === 'file-skipped').map((f) => [f.file, f.message]));

  it('skips binary and non-UTF-8 files with a notice naming each, and still scans the good file', () => {
    expect(notices()).toMatchObject({
      'binary.yaml': 'Not scanned: the file holds NUL bytes, so it is binary, not YAML or JSON.',
      'latin1.yaml': 'Not scanned: the file is not valid UTF-8 text.',
      'utf16.yaml': 'Not scanned: the file is UTF-16 text; convert it to UTF-8.',
    });
    expect(report.images.map((i) => i.reference)).toContain('docker.io/library/nginx:1.25');
  });

  it('does not follow a symlink loop, nor a symlink out of the workspace; nothing from outside is read', () => {
    expect(notices()).toMatchObject({
      'loop/parent': 'Not scanned: it is a symlink to a folder that contains it (a loop).',
      'escape.yaml': 'Not scanned: it is a symlink to a file outside the scan root.',
      'escape-dir': 'Not scanned: it is a symlink to a folder outside the scan root.',
    });
    expect(JSON.stringify(report)).not.toContain('outside.example.test');
  });

  it('reports findings in files with spaces, unicode, newlines, tabs, quotes and % in their names under their exact names', () => {
    const invalid = report.findings.filter((f) => f.rule === 'invalid-reference').map((f) => f.file);
    expect(invalid.sort()).toEqual(ODD_NAMES.map((name) => `odd/${name}`).sort());
  });

  it('never runs a chart or kustomization path as a command', () => {
    for (const marker of MARKERS) {
      for (const where of [ws.dir, ...SHELL_NAMES.flatMap((n) => [path.join(ws.dir, 'kustomize', n), path.join(ws.dir, 'charts', n)]), process.cwd(), os.tmpdir()]) {
        expect(existsSync(path.join(where, marker)), `${marker} in ${where}`).toBe(false);
      }
    }
    // The charts render under their odd names (the tag from their values files) …
    const rendered = report.images.find((i) => i.reference === 'docker.io/library/nginx:1.26');
    expect(rendered?.occurrences.map((o) => o.file).sort()).toEqual(SHELL_NAMES.map((n) => `charts/${n}/templates/deploy.yaml`).sort());
    // … and each kustomization's missing resource, named like a command, is reported as missing.
    const failures = report.findings.filter((f) => f.file?.startsWith('kustomize/'));
    expect(failures.map((f) => f.file).sort()).toEqual(SHELL_NAMES.map((n) => `kustomize/${n}/kustomization.yaml`).sort());
  });
});
