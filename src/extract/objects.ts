// Which parts of a document are Kubernetes objects: a mapping with a string `apiVersion` and `kind`.
// A List (`v1/List`, or any kind ending in `List` that has `items`) is a wrapper: its items are the objects.
import type { MapNode, TreeNode } from './tree.js';
import { asMap, asSeq, stringAt } from './tree.js';

export interface KubernetesObject {
  map: MapNode;
  apiVersion: string;
  kind: string;
  name: string | null;
  namespace: string | null;
  /** `metadata.generateName`, shown when the object has no name. */
  generateName: string | null;
}

export function kubernetesObjects(root: TreeNode): KubernetesObject[] {
  const object = asObject(root);
  if (object === null) return [];
  const items = asSeq(object.map.entries.get('items'));
  if (object.kind.endsWith('List') && items) {
    return items.items.map(asObject).filter((item): item is KubernetesObject => item !== null);
  }
  return [object];
}

function asObject(node: TreeNode): KubernetesObject | null {
  const map = asMap(node);
  const apiVersion = stringAt(map, 'apiVersion');
  const kind = stringAt(map, 'kind');
  if (map === undefined || apiVersion === null || kind === null) return null;
  const metadata = asMap(map.entries.get('metadata'));
  return {
    map,
    apiVersion,
    kind,
    name: stringAt(metadata, 'name'),
    namespace: stringAt(metadata, 'namespace'),
    generateName: stringAt(metadata, 'generateName'),
  };
}

/** `Kind/namespace/name`, or `Kind/name` when the object has no namespace. */
export function workloadName(object: KubernetesObject): string {
  const name = object.name ?? object.generateName ?? '(unnamed)';
  return object.namespace === null ? `${object.kind}/${name}` : `${object.kind}/${object.namespace}/${name}`;
}
