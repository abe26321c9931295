// Platforms against the real registry (CNCF Distribution on loopback): an index lacking the platform a
// workload is pinned to, a single-platform image whose config blob names another architecture, Windows
// images on Linux nodes and the reverse — each at the image's line — and a healthy repository that is quiet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { located, workload, workspace, type Workspace } from '../policy/workspace.js';

describe('platforms checked against what the registry serves', () => {
  let registry: RunningRegistry;
  let ws: Workspace;
  const image = (name: string) => `${registry.host}/team/${name}:1.0`;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry, 'team/multi', '1.0', { kind: 'oci-index', platforms: ['linux/amd64', 'linux/arm64/v8'], attestations: true });
    await pushImage(registry, 'team/amd-only', '1.0', { kind: 'oci-index', platforms: ['linux/amd64'] });
    await pushImage(registry, 'team/arm-single', '1.0', { kind: 'oci', platforms: ['linux/arm64'] });
    await pushImage(registry, 'team/win', '1.0', { kind: 'docker', platforms: ['windows/amd64'] });
    ws = workspace();
  });

  afterAll(async () => {
    await registry?.stop();
    ws?.remove();
  });

  it('reports each mismatch at the image line, with `platforms: auto` reading each workload', async () => {
    ws.write('deploy/arm.yaml', workload({ name: 'arm', image: image('amd-only'), nodeSelector: { 'kubernetes.io/arch': 'arm64' } }));
    ws.write('deploy/single.yaml', workload({ name: 'single', image: image('arm-single') }));
    ws.write('deploy/win-on-linux.yaml', workload({ name: 'winlinux', image: image('win') }));
    ws.write('deploy/linux-on-win.yaml', workload({ name: 'linuxwin', image: image('multi'), nodeSelector: { 'kubernetes.io/os': 'windows' } }));
    ws.write('deploy/healthy.yaml', workload({ name: 'healthy', image: image('multi'), affinity: [[{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }]] }));
    const report = await ws.check({ platforms: 'auto' });

    const line = (file: string) => ws.lineOf(file, 'image:');
    expect(located(report.findings).sort()).toEqual([
      `platform-missing deploy/arm.yaml:${line('deploy/arm.yaml')}`,
      `platform-missing deploy/linux-on-win.yaml:${line('deploy/linux-on-win.yaml')}`,
      `platform-missing deploy/single.yaml:${line('deploy/single.yaml')}`,
      `platform-missing deploy/win-on-linux.yaml:${line('deploy/win-on-linux.yaml')}`,
    ]);
    const message = (file: string) => report.findings.find((f) => f.file === file)!.message;
    expect(message('deploy/arm.yaml')).toContain('has no linux/arm64 image (it offers linux/amd64), but Deployment/shop/arm is scheduled on linux/arm64 nodes');
    expect(message('deploy/single.yaml')).toContain('is built for linux/arm64 only (a single-platform image), but the nodes run linux/amd64');
    expect(message('deploy/win-on-linux.yaml')).toContain('is a Windows image (windows/amd64), and the nodes run linux/amd64 (`platforms` in the config): Linux nodes cannot run Windows containers');
    expect(message('deploy/linux-on-win.yaml')).toContain('is a Linux image (linux/amd64, linux/arm64/v8), and Deployment/shop/linuxwin is scheduled on windows/amd64 nodes');
    // The attestation entries of team/multi are not platforms.
    expect(report.images.find((i) => i.repository === 'team/multi')!.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
  });

  it('is quiet on a repository whose images run where they are scheduled', async () => {
    const healthy = workspace({
      'deploy/a.yaml': workload({ name: 'a', image: image('multi'), nodeSelector: { 'kubernetes.io/arch': 'arm64' } }),
      'deploy/b.yaml': workload({ name: 'b', image: image('arm-single'), nodeSelector: { 'kubernetes.io/arch': 'arm64' } }),
      'deploy/c.yaml': workload({ name: 'c', image: image('win'), nodeSelector: { 'kubernetes.io/os': 'windows' } }),
    });
    try {
      const report = await healthy.check({ platforms: ['auto'] });
      expect(report.findings).toEqual([]);
      expect(report.images.map((i) => i.status)).toEqual(['ok', 'ok', 'ok']);
    } finally {
      healthy.remove();
    }
  });
});
