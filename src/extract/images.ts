// Finds the container images one Kubernetes object would make a node pull.
//
// Pod specs are found by shape, at any depth and in any kind: a mapping with a `containers`,
// `initContainers` or `ephemeralContainers` list of mappings. That covers Pod, Deployment, ReplicaSet,
// StatefulSet, DaemonSet, Job, CronJob, ReplicationController, PodTemplate, strategic-merge patches, and
// custom resources that embed pod specs or pod templates. In a pod spec the images are each container's
// `image` and each image volume's `volumes[].image.reference` (Kubernetes 1.31+).
//
// Built-in kinds (core `v1`, groups without a dot like `apps` or `batch`, and `*.k8s.io` groups) name
// images nowhere else: ConfigMap data, annotations and other `image` keys (`rbd.image` …) are not images.
// CustomResourceDefinitions are skipped whole (their schemas describe `image` properties, they hold none).
//
// Custom resources (any other group) have image fields of their own — Tekton `steps[].image` and
// `sidecars[].image`, Argo Workflows `container.image` and `script.image`, operators' `spec.image` — so
// there every key named `image` whose value is a non-empty string is an image, except:
//   - under `metadata` (labels, annotations), at any depth;
//   - under `env`, `args` and `command` (values handed to a program, not pulled);
//   - inside `volumes` items other than an image volume's `image.reference` (`rbd.image` and the like);
//   - when the value is not a string (`image: {repository, tag}` is a chart-style setting, not a reference).
import type { ImageOccurrence, NodeSelectorRequirement, Origin, PodFacts } from '../model.js';
import type { KubernetesObject } from './objects.js';
import { workloadName } from './objects.js';
import type { MapNode, ScalarNode, SeqNode, TreeNode } from './tree.js';
import { asMap, asSeq, stringAt } from './tree.js';
import type { DocumentProblem } from './yaml-reader.js';

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
const NOT_IMAGES_IN_CUSTOM_RESOURCES = new Set(['env', 'args', 'command']);

export interface ObjectImages {
  occurrences: ImageOccurrence[];
  /** Image fields Kubernetes would reject (a number, a mapping …) in built-in kinds. */
  problems: DocumentProblem[];
}

export function imagesOf(object: KubernetesObject, file: string, origin: Origin): ObjectImages {
  const finder = new ImageFinder(object, file, origin);
  if (object.kind !== 'CustomResourceDefinition') finder.visit(object.map, '', false);
  return { occurrences: finder.occurrences, problems: finder.problems };
}

export function isBuiltInApiVersion(apiVersion: string): boolean {
  const slash = apiVersion.indexOf('/');
  if (slash === -1) return true;
  const group = apiVersion.slice(0, slash);
  return !group.includes('.') || group.endsWith('.k8s.io');
}

function childPath(path: string, key: string): string {
  const step = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (path === '') return step.startsWith('[') ? step : key;
  return step.startsWith('[') ? `${path}${step}` : `${path}.${step}`;
}

function isPodSpec(map: MapNode): boolean {
  return CONTAINER_LISTS.some((list) => {
    const seq = asSeq(map.entries.get(list));
    return (
      seq !== undefined &&
      seq.items.length > 0 &&
      seq.items.every((item) => item.kind === 'map') &&
      seq.items.some((item) => (item as MapNode).entries.has('image') || (item as MapNode).entries.has('name'))
    );
  });
}

function describe(node: TreeNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'empty';
  return `the ${typeof node.value} ${String(node.value)}`;
}

class ImageFinder {
  readonly occurrences: ImageOccurrence[] = [];
  readonly problems: DocumentProblem[] = [];
  private readonly builtIn: boolean;
  private readonly workload: string;

  constructor(
    private readonly object: KubernetesObject,
    private readonly file: string,
    private readonly origin: Origin,
  ) {
    this.builtIn = isBuiltInApiVersion(object.apiVersion);
    this.workload = workloadName(object);
  }

  /** `isListItem`: the node is an item of a sequence (a Tekton step, say), so its `name` names a container. */
  visit(node: TreeNode, path: string, isListItem: boolean): void {
    if (node.kind === 'seq') {
      node.items.forEach((item, index) => this.visit(item, `${path}[${index}]`, true));
      return;
    }
    if (node.kind !== 'map') return;
    const podSpec = isPodSpec(node);
    if (podSpec) {
      this.podSpec(node, path);
      if (this.builtIn) return;
    }
    for (const [key, value] of node.entries) {
      if (key === 'metadata') continue;
      if (podSpec && (key === 'volumes' || (CONTAINER_LISTS as readonly string[]).includes(key))) continue;
      const at = childPath(path, key);
      if (key === 'volumes' && value.kind === 'seq') {
        this.imageVolumes(value, at, null);
      } else if (this.builtIn) {
        this.visit(value, at, false);
      } else if (key === 'image') {
        if (value.kind === 'scalar' && typeof value.value === 'string' && value.value !== '') {
          this.add(value, at, isListItem ? stringAt(node, 'name') : null, null);
        }
      } else if (!NOT_IMAGES_IN_CUSTOM_RESOURCES.has(key)) {
        this.visit(value, at, false);
      }
    }
  }

  private podSpec(spec: MapNode, path: string): void {
    const facts = this.podFacts(spec);
    for (const list of CONTAINER_LISTS) {
      asSeq(spec.entries.get(list))?.items.forEach((item, index) => {
        const container = asMap(item);
        const image = container?.entries.get('image');
        if (container === undefined || image === undefined) return; // a patch may leave the image out
        const pod = { ...facts, imagePullPolicy: stringAt(container, 'imagePullPolicy') };
        this.image(image, `${childPath(path, list)}[${index}].image`, stringAt(container, 'name'), pod);
      });
    }
    const volumes = asSeq(spec.entries.get('volumes'));
    if (volumes) this.imageVolumes(volumes, childPath(path, 'volumes'), facts);
  }

  private imageVolumes(volumes: SeqNode, path: string, facts: PodFacts | null): void {
    volumes.items.forEach((item, index) => {
      const source = asMap(asMap(item)?.entries.get('image'));
      const reference = source?.entries.get('reference');
      if (source === undefined || reference === undefined) return;
      const pod = facts && { ...facts, imagePullPolicy: stringAt(source, 'pullPolicy') };
      this.image(reference, `${path}[${index}].image.reference`, null, pod);
    });
  }

  /** A pod spec's image field: a string is an image; anything else breaks a built-in object. */
  private image(node: TreeNode, path: string, container: string | null, pod: PodFacts | null): void {
    if (node.kind === 'scalar' && typeof node.value === 'string') {
      if (node.value !== '' || this.builtIn) this.add(node, path, container, pod);
    } else if (this.builtIn) {
      const field = path.endsWith('.reference') ? 'image volume reference' : 'image';
      this.problems.push({
        message: `The ${field} must be a string, but it is ${describe(node)}, which Kubernetes rejects.`,
        pos: node.pos,
      });
    }
  }

  private add(node: ScalarNode, path: string, container: string | null, pod: PodFacts | null): void {
    this.occurrences.push({
      written: node.value as string,
      range: { file: this.file, ...node.pos },
      workload: this.workload,
      container,
      path,
      origin: this.origin,
      pod,
    });
  }

  private podFacts(spec: MapNode): PodFacts {
    const { kind, namespace, name } = this.object;
    const replicas = asMap(this.object.map.entries.get('spec'))?.entries.get('replicas');
    const nodeSelector: Record<string, string> = {};
    for (const [key, value] of asMap(spec.entries.get('nodeSelector'))?.entries ?? []) {
      if (value.kind === 'scalar' && typeof value.value === 'string') nodeSelector[key] = value.value;
    }
    const requiredNodeAffinity = requiredNodeAffinityOf(spec);
    return {
      kind,
      namespace,
      name,
      replicas: replicas?.kind === 'scalar' && Number.isInteger(replicas.value) ? (replicas.value as number) : null,
      imagePullSecrets: (asSeq(spec.entries.get('imagePullSecrets'))?.items ?? [])
        .map((secret) => stringAt(asMap(secret), 'name'))
        .filter((secretName): secretName is string => secretName !== null),
      serviceAccountName: stringAt(spec, 'serviceAccountName') ?? stringAt(spec, 'serviceAccount'),
      nodeSelector,
      imagePullPolicy: null,
      ...(requiredNodeAffinity ? { requiredNodeAffinity } : {}),
    };
  }
}

/** The `matchExpressions` of each required node selector term (for the platform rules); undefined when none. */
function requiredNodeAffinityOf(spec: MapNode): NodeSelectorRequirement[][] | undefined {
  const affinity = asMap(asMap(spec.entries.get('affinity'))?.entries.get('nodeAffinity'));
  const required = asMap(affinity?.entries.get('requiredDuringSchedulingIgnoredDuringExecution'));
  const terms = asSeq(required?.entries.get('nodeSelectorTerms'))?.items ?? [];
  const result = terms.map((term) => (asSeq(asMap(term)?.entries.get('matchExpressions'))?.items ?? []).flatMap((item) => {
    const expression = asMap(item);
    const key = stringAt(expression, 'key');
    const operator = stringAt(expression, 'operator');
    if (key === null || operator === null) return [];
    const values = (asSeq(expression?.entries.get('values'))?.items ?? [])
      .flatMap((v) => (v.kind === 'scalar' && v.value !== null ? [String(v.value)] : []));
    return [{ key, operator, values }];
  }));
  return result.length > 0 ? result : undefined;
}
