// Shared by the policy, quota and platform tests: a repository in a temp folder, workloads written as YAML
// with the fields these rules read, and the whole pipeline run on it with a config file (kept outside
// the repository, so the walker does not read it as a manifest).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { FakeManifest } from '../support/fakes.js';
import { buildOptions, type RawOptions } from '../../src/options.js';
import { run } from '../../src/run.js';
import type { Report, ReportFinding } from '../../src/report/report.js';

export interface Workspace {
  /** The repository (the scan root). */
  root: string;
  write(file: string, text: string): void;
  /** 1-based line of the first line of `file` holding `needle`. */
  lineOf(file: string, needle: string): number;
  /** Runs the pipeline with `config` (YAML-stringified into a file outside the repository). */
  check(config?: object, raw?: RawOptions): Promise<Report>;
  remove(): void;
}

export function workspace(files: Record<string, string> = {}): Workspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pullcheck-policy-'));
  const root = path.join(dir, 'repo');
  mkdirSync(root);
  const texts = new Map<string, string>();
  const ws: Workspace = {
    root,
    write(file, text) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
      texts.set(file, text);
    },
    lineOf(file, needle) {
      const index = (texts.get(file) ?? '').split('\n').findIndex((line) => line.includes(needle));
      if (index < 0) throw new Error(`test: ${needle} is not in ${file}`);
      return index + 1;
    },
    async check(config = {}, raw = {}) {
      const configFile = path.join(dir, 'pullcheck.yml');
      writeFileSync(configFile, stringify(config));
      return run(buildOptions({ root, configFile, timeout: '20s', ...raw }));
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  for (const [file, text] of Object.entries(files)) ws.write(file, text);
  return ws;
}

export interface WorkloadSpec {
  kind?: string;
  name: string;
  namespace?: string;
  image: string;
  replicas?: number;
  pullPolicy?: string;
  pullSecrets?: string[];
  nodeSelector?: Record<string, string>;
  /** requiredDuringScheduling…nodeSelectorTerms[].matchExpressions, one list per term. */
  affinity?: Array<Array<{ key: string; operator: string; values?: string[] }>>;
  /** Text appended to the image line (e.g. a trailing comment). */
  imageComment?: string;
  /** Comment lines written right above the image line. */
  commentsAbove?: string[];
}

/** A workload as a Kubernetes manifest; the image is on a line of its own (`        image: …`). */
export function workload(spec: WorkloadSpec): string {
  const kind = spec.kind ?? 'Deployment';
  const pod: string[] = [];
  if (spec.pullSecrets) pod.push('      imagePullSecrets:', ...spec.pullSecrets.map((s) => `        - name: ${s}`));
  if (spec.nodeSelector) pod.push('      nodeSelector:', ...Object.entries(spec.nodeSelector).map(([k, v]) => `        ${k}: ${v}`));
  if (spec.affinity) {
    pod.push('      affinity:', '        nodeAffinity:', '          requiredDuringSchedulingIgnoredDuringExecution:', '            nodeSelectorTerms:');
    for (const term of spec.affinity) {
      pod.push('              - matchExpressions:');
      for (const r of term) {
        pod.push(`                  - key: ${r.key}`, `                    operator: ${r.operator}`);
        if (r.values) pod.push(`                    values: [${r.values.join(', ')}]`);
      }
    }
  }
  pod.push('      containers:', `        - name: ${spec.name}`);
  for (const comment of spec.commentsAbove ?? []) pod.push(`          ${comment}`);
  pod.push(`          image: ${spec.image}${spec.imageComment ? ` ${spec.imageComment}` : ''}`);
  if (spec.pullPolicy) pod.push(`          imagePullPolicy: ${spec.pullPolicy}`);
  return [
    `apiVersion: ${kind === 'Pod' ? 'v1' : 'apps/v1'}`,
    `kind: ${kind}`,
    'metadata:',
    `  name: ${spec.name}`,
    `  namespace: ${spec.namespace ?? 'shop'}`,
    'spec:',
    ...(spec.replicas === undefined ? [] : [`  replicas: ${spec.replicas}`]),
    '  template:',
    '    spec:',
    ...pod,
    '',
  ].join('\n');
}

/** Findings as `rule file:line` (plus the message when asked), for assertions that read like the report. */
export function located(findings: ReportFinding[], rule?: string): string[] {
  return findings.filter((f) => rule === undefined || f.rule === rule).map((f) => `${f.rule} ${f.file}:${f.line}`);
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** A multi-platform OCI index for the Docker Hub fake (its entries are never fetched). */
export function fakeIndex(platforms: string[], salt = ''): FakeManifest {
  const manifests = platforms.map((p, i) => {
    const [os, architecture, variant] = p.split('/');
    const digest = `sha256:${(salt + i.toString(16)).padStart(64, '0')}`;
    return { mediaType: OCI_MANIFEST, digest, size: 500, platform: { os, architecture, ...(variant ? { variant } : {}) } };
  });
  return { mediaType: OCI_INDEX, body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }) };
}
