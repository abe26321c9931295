// Where images live in Kubernetes objects, and the look-alikes that are not images.
import { describe, expect, it } from 'vitest';
import { isBuiltInApiVersion } from '../../src/extract/images.js';
import { extractFixture, summary } from './fixture.js';

describe('images of built-in workloads', () => {
  const result = extractFixture('workloads.yaml');

  it('finds every container list of every pod-running kind, and image volumes', () => {
    expect(summary(result)).toEqual([
      'Pod/shop/web spec.initContainers[0].image setup busybox:1.36',
      'Pod/shop/web spec.containers[0].image web nginx:1.25',
      'Pod/shop/web spec.ephemeralContainers[0].image debug alpine:3.20',
      'Pod/shop/web spec.volumes[0].image.reference - ghcr.io/example/models:v2',
      'Deployment/shop/api spec.template.spec.containers[0].image api registry.example.com/shop/api:2.1.0',
      'ReplicaSet/rs spec.template.spec.containers[0].image main example/replicaset:1',
      'StatefulSet/db spec.template.spec.containers[0].image postgres postgres:16',
      'DaemonSet/agent spec.template.spec.containers[0].image agent example/agent:7',
      'Job/migrate- spec.template.spec.containers[0].image migrate example/migrate:3',
      'CronJob/report spec.jobTemplate.spec.template.spec.containers[0].image report example/report:4',
      'ReplicationController/rc spec.template.spec.containers[0].image old example/rc:5',
      'PodTemplate/tpl template.spec.containers[0].image tpl example/podtemplate:6',
    ]);
    expect(result.findings).toEqual([]);
  });

  it('lists every object with its images count', () => {
    expect(result.documents).toBe(9);
    expect(result.objects.map((o) => `${o.line} ${o.apiVersion} ${o.kind} ${o.namespace ?? '-'}/${o.name ?? '-'} ${o.images}`)).toEqual([
      '2 v1 Pod shop/web 4',
      '32 apps/v1 Deployment shop/api 1',
      '46 apps/v1 ReplicaSet -/rs 1',
      '58 apps/v1 StatefulSet -/db 1',
      '70 apps/v1 DaemonSet -/agent 1',
      '81 batch/v1 Job -/- 1',
      '93 batch/v1 CronJob -/report 1',
      '107 v1 ReplicationController -/rc 1',
      '119 v1 PodTemplate -/tpl 1',
    ]);
  });

  it('gives the pod facts the rules need', () => {
    const [setup, web, , models] = result.occurrences;
    const pod = {
      kind: 'Pod',
      namespace: 'shop',
      name: 'web',
      replicas: null,
      imagePullSecrets: ['regcred', 'other'],
      serviceAccountName: 'legacy-account', // from the deprecated `serviceAccount`
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
    };
    expect(setup!.pod).toEqual({ ...pod, imagePullPolicy: null });
    expect(web!.pod).toEqual({ ...pod, imagePullPolicy: 'Always' });
    expect(models!.pod).toEqual({ ...pod, imagePullPolicy: 'IfNotPresent' });
    const api = result.occurrences.find((o) => o.workload === 'Deployment/shop/api')!;
    expect(api.pod).toMatchObject({ replicas: 3, serviceAccountName: 'api', imagePullSecrets: [], nodeSelector: {} });
    expect(api.origin).toBe('manifest');
    expect(api.range).toEqual({ file: 'fixtures/workloads.yaml', line: 44, column: 16, endLine: 44, endColumn: 51 });
  });
});

describe('images of custom resources', () => {
  const result = extractFixture('custom-resources.yaml');

  it('reads image fields of Tekton, Argo, operators and embedded pod templates, and nothing else', () => {
    expect(summary(result)).toEqual([
      'Task/build spec.steps[0].image compile golang:1.23',
      'Task/build spec.steps[1].image push gcr.io/kaniko-project/executor:v1.23.0',
      'Task/build spec.sidecars[0].image docker docker:27-dind',
      'Workflow/hello- spec.templates[0].container.image - alpine:3.20',
      'Workflow/hello- spec.templates[1].script.image - python:3.13',
      'Workflow/hello- spec.templates[2].containerSet.containers[0].image a example/container-set:1',
      'Prometheus/monitoring/main spec.containers[1].image oauth-proxy quay.io/oauth2-proxy/oauth2-proxy:v7.6.0',
      'Prometheus/monitoring/main spec.volumes[1].image.reference - ghcr.io/example/models:v3',
      'Prometheus/monitoring/main spec.image - quay.io/prometheus/prometheus:v2.53.0',
      'Service/hello spec.template.spec.containers[0].image - ghcr.io/knative/helloworld-go:latest',
    ]);
    expect(result.findings).toEqual([]);
  });

  it('gives pod facts only to images inside pod specs', () => {
    const byPath = new Map(result.occurrences.map((o) => [`${o.workload} ${o.path}`, o]));
    expect(byPath.get('Task/build spec.steps[0].image')!.pod).toBeNull();
    expect(byPath.get('Prometheus/monitoring/main spec.containers[1].image')!.pod).toMatchObject({ replicas: 2 });
  });

  it('tells built-in API groups from custom ones', () => {
    const builtIn = ['v1', 'apps/v1', 'batch/v1', 'networking.k8s.io/v1', 'apiextensions.k8s.io/v1'];
    const custom = ['tekton.dev/v1', 'argoproj.io/v1alpha1', 'jobset.x-k8s.io/v1alpha2', 'example.com/v1'];
    expect(builtIn.map(isBuiltInApiVersion)).toEqual(builtIn.map(() => true));
    expect(custom.map(isBuiltInApiVersion)).toEqual(custom.map(() => false));
  });

  it('counts the chart-style CR as an object without images', () => {
    expect(result.objects.find((o) => o.name === 'chart-style')).toMatchObject({ kind: 'AppConfig', images: 0 });
  });
});

describe('look-alikes that are not images', () => {
  it('skips CRD schemas, ConfigMap and Secret data, metadata, env, args and volume sources', () => {
    const result = extractFixture('traps.yaml');
    expect(summary(result)).toEqual(['Deployment/traps spec.template.spec.containers[0].image app example/the-only-image:1']);
    expect(result.objects.map((o) => `${o.kind} ${o.images}`)).toEqual([
      'CustomResourceDefinition 0',
      'ConfigMap 0',
      'Secret 0',
      'Deployment 1',
    ]);
    expect(result.findings).toEqual([]);
  });

  it.each(['docker-compose.yaml', 'workflow.yml', 'values.yaml'])('finds no Kubernetes object in %s', (name) => {
    const result = extractFixture(name);
    expect(result).toEqual({ documents: 1, objects: [], occurrences: [], findings: [] });
  });
});

describe('List kinds', () => {
  it('treats the items of v1/List and of *List kinds as the objects', () => {
    const result = extractFixture('list.yaml');
    expect(summary(result)).toEqual([
      'Deployment/first spec.template.spec.containers[0].image one example/first:1',
      'Deployment/other/second spec.template.spec.containers[0].image two example/second:2',
    ]);
    expect(result.objects.map((o) => `${o.line} ${o.kind}/${o.name}`)).toEqual([
      '4 Deployment/first',
      '14 Service/first',
      '24 Deployment/second',
    ]);
  });
});
