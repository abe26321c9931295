// The extraction benchmark's corpus: a repository of realistic Kubernetes manifests of a given size —
// per service a multi-document file with its workload, Service, ConfigMaps (with config files in block
// scalars), Secret, RBAC, Ingress, autoscaler and disruption budget; plus CRD bundles with large
// openAPIV3Schema trees (like cert-manager's or an operator's). Most documents hold no image, as in real
// repositories. Seeded, so every run writes the same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from './bench-lib.mjs';

const WORDS = 'the value of this field is used by the controller to decide when a resource should be reconciled and how its status conditions are reported back to users and other tools in the cluster'.split(' ');
const IMAGES = ['nginx:1.27.2', 'redis:7.4-alpine', 'postgres:16.4', 'ghcr.io/acme/api:2.14.1', 'ghcr.io/acme/worker:2.14.1', 'registry.k8s.io/ingress-nginx/controller:v1.11.2',
  'quay.io/prometheus/node-exporter:v1.8.2', 'docker.io/bitnami/kafka:3.8', 'public.ecr.aws/acme/billing:7.0.3', 'busybox:1.36', 'gcr.io/distroless/static:nonroot',
  'ghcr.io/acme/frontend@sha256:4c0dfc8f7c8b1f4f5a8b4a5f0b1c9d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c'];

export function writeCorpus(dir, megabytes, seed = 7) {
  const random = seededRandom(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const words = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const target = megabytes * 1024 * 1024;
  let written = 0;
  let files = 0;
  let documents = 0;
  const write = (name, docs) => {
    const text = docs.join('---\n');
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    written += Buffer.byteLength(text);
    files++;
    documents += docs.length;
  };

  for (let service = 0; written < target; service++) {
    if (service % 40 === 39) {
      write(`crds/operator-${service}.crds.yaml`, Array.from({ length: 6 }, (_, i) => crd(`widget${service}x${i}`, random, words)));
      continue;
    }
    const name = `svc-${service}`;
    const ns = `team-${service % 12}`;
    const docs = [
      workload(name, ns, service, random, pick, words),
      kv('v1', 'Service', name, ns, [`spec:`, `  type: ClusterIP`, `  selector:`, `    app: ${name}`, `  ports:`, `  - name: http`, `    port: 80`, `    targetPort: 8080`, `    protocol: TCP`]),
      kv('v1', 'ServiceAccount', name, ns, [`automountServiceAccountToken: false`]),
      configMap(`${name}-config`, ns, random, words),
      configMap(`${name}-files`, ns, random, words),
      kv('v1', 'Secret', `${name}-secrets`, ns, ['type: Opaque', 'data:', ...Array.from({ length: 6 }, (_, i) => `  key${i}: ${Buffer.from(words(8)).toString('base64')}`)]),
      kv('rbac.authorization.k8s.io/v1', 'Role', name, ns, ['rules:', ...['configmaps', 'secrets', 'pods', 'leases'].flatMap((r) => [`- apiGroups: [""]`, `  resources: ["${r}"]`, `  verbs: ["get", "list", "watch"]`])]),
      kv('rbac.authorization.k8s.io/v1', 'RoleBinding', name, ns, ['roleRef:', '  apiGroup: rbac.authorization.k8s.io', '  kind: Role', `  name: ${name}`, 'subjects:', '- kind: ServiceAccount', `  name: ${name}`, `  namespace: ${ns}`]),
      kv('networking.k8s.io/v1', 'Ingress', name, ns, ['spec:', '  ingressClassName: nginx', '  rules:', `  - host: ${name}.example.com`, '    http:', '      paths:', '      - path: /', '        pathType: Prefix', '        backend:', '          service:', `            name: ${name}`, '            port:', '              number: 80']),
      kv('autoscaling/v2', 'HorizontalPodAutoscaler', name, ns, ['spec:', '  scaleTargetRef:', '    apiVersion: apps/v1', '    kind: Deployment', `    name: ${name}`, '  minReplicas: 2', '  maxReplicas: 10', '  metrics:', '  - type: Resource', '    resource:', '      name: cpu', '      target:', '        type: Utilization', '        averageUtilization: 70']),
      kv('policy/v1', 'PodDisruptionBudget', name, ns, ['spec:', '  minAvailable: 1', '  selector:', '    matchLabels:', `      app: ${name}`]),
    ];
    write(`services/${ns}/${name}.yaml`, docs);
  }
  return { bytes: written, files, documents };
}

function kv(apiVersion, kind, name, namespace, body) {
  return [`apiVersion: ${apiVersion}`, `kind: ${kind}`, 'metadata:', `  name: ${name}`, `  namespace: ${namespace}`, '  labels:', `    app.kubernetes.io/name: ${name}`, '    app.kubernetes.io/part-of: shop', ...body, ''].join('\n');
}

function workload(name, ns, n, random, pick, words) {
  const kind = n % 10 === 3 ? 'StatefulSet' : n % 10 === 7 ? 'CronJob' : 'Deployment';
  const containers = Array.from({ length: 1 + Math.floor(random() * 2) }, (_, c) => [
    `      - name: ${c === 0 ? 'app' : 'sidecar'}`,
    `        image: ${pick(IMAGES)}`,
    '        imagePullPolicy: IfNotPresent',
    '        args: ["--config=/etc/app/config.yaml", "--log-level=info"]',
    '        ports:',
    '        - name: http',
    '          containerPort: 8080',
    '        env:',
    ...Array.from({ length: 6 }, (_, i) => [`        - name: SETTING_${i}`, `          value: "${words(3)}"`]).flat(),
    '        - name: DATABASE_PASSWORD',
    '          valueFrom:',
    '            secretKeyRef:',
    `              name: ${name}-secrets`,
    '              key: key0',
    '        resources:',
    '          requests: {cpu: 100m, memory: 128Mi}',
    '          limits: {memory: 512Mi}',
    '        readinessProbe:',
    '          httpGet: {path: /healthz, port: http}',
    '          periodSeconds: 10',
    '        volumeMounts:',
    '        - name: config',
    '          mountPath: /etc/app',
    '        securityContext:',
    '          runAsNonRoot: true',
    '          readOnlyRootFilesystem: true',
  ]).flat();
  const pod = [
    '    metadata:',
    '      labels:',
    `        app: ${name}`,
    '      annotations:',
    `        checksum/config: "${Math.floor(random() * 1e12).toString(16)}"`,
    '    spec:',
    `      serviceAccountName: ${name}`,
    '      imagePullSecrets:',
    '      - name: registry-credentials',
    '      nodeSelector:',
    '        kubernetes.io/os: linux',
    '      containers:',
    ...containers,
    '      volumes:',
    '      - name: config',
    '        configMap:',
    `          name: ${name}-config`,
  ];
  const indent = (lines, by) => lines.map((l) => ' '.repeat(by) + l);
  const spec = kind === 'CronJob'
    ? ['spec:', '  schedule: "*/15 * * * *"', '  jobTemplate:', '    spec:', '      template:', ...indent(pod, 4)]
    : ['spec:', '  replicas: 3', ...(kind === 'StatefulSet' ? [`  serviceName: ${name}`] : []), '  selector:', '    matchLabels:', `      app: ${name}`, '  template:', ...pod];
  return kv(kind === 'CronJob' ? 'batch/v1' : 'apps/v1', kind, name, ns, spec);
}

function configMap(name, ns, random, words) {
  const properties = Array.from({ length: 40 + Math.floor(random() * 120) }, (_, i) => `    app.setting.${i}=${words(4)}`);
  const nginx = Array.from({ length: 20 + Math.floor(random() * 60) }, (_, i) => `      location /api/v${i} { proxy_pass http://backend-${i}; proxy_read_timeout 30s; }`);
  return kv('v1', 'ConfigMap', name, ns, [
    'data:',
    '  LOG_LEVEL: info',
    `  FEATURE_FLAGS: "${words(5)}"`,
    '  application.properties: |',
    ...properties,
    '  nginx.conf: |',
    '    server {',
    '      listen 8080;',
    ...nginx,
    '    }',
  ]);
}

function crd(plural, random, words) {
  const lines = [];
  const property = (name, depth, indent) => {
    const pad = ' '.repeat(indent);
    lines.push(`${pad}${name}:`, `${pad}  description: ${words(12 + Math.floor(random() * 20))}`);
    if (depth > 0 && random() < 0.6) {
      lines.push(`${pad}  type: object`, `${pad}  properties:`);
      for (let i = 0; i < 2 + Math.floor(random() * 5); i++) property(`field${depth}${i}`, depth - 1, indent + 4);
    } else if (random() < 0.3) {
      lines.push(`${pad}  type: array`, `${pad}  items:`, `${pad}    type: string`);
    } else {
      lines.push(`${pad}  type: ${random() < 0.7 ? 'string' : 'integer'}`);
      if (random() < 0.2) lines.push(`${pad}  enum: [Always, IfNotPresent, Never]`);
    }
  };
  for (let i = 0; i < 12; i++) property(`setting${i}`, 4, 14);
  return [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    `  name: ${plural}s.example.com`,
    'spec:',
    '  group: example.com',
    '  names:',
    `    kind: ${plural}`,
    `    plural: ${plural}s`,
    '  scope: Namespaced',
    '  versions:',
    '  - name: v1',
    '    served: true',
    '    storage: true',
    '    schema:',
    '      openAPIV3Schema:',
    '        type: object',
    '        properties:',
    '          spec:',
    '            type: object',
    '            properties:',
    ...lines,
    '',
  ].join('\n');
}
