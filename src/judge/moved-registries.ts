// Registries and repositories that froze, shut down or moved, with the date and the source of each fact.
// Drives the `deprecated-registry` rule. Sources: Kubernetes blog "k8s.gcr.io Image Registry Will Be Frozen
// From the 3rd of April 2023"; Google Cloud "Container Registry deprecation" (writes stopped 2025-03-18);
// bitnami/containers#83267 (Bitnami catalog moved to bitnamilegacy 2025-08-28, deletions from 2025-09-29).
import type { Severity } from '../model.js';

export interface MovedLocation {
  /** Does this entry cover the image? `registry` is canonical (docker.io, k8s.gcr.io), `repository` its path. */
  matches(registry: string, repository: string): boolean;
  /** The same image at its new home, when the mapping is mechanical; else null. */
  newName(registry: string, repository: string): string | null;
  severity: Severity;
  /** One sentence: what happened and when. */
  what: string;
  /** One sentence: what to do. */
  advice: string;
}

export const MOVED_LOCATIONS: readonly MovedLocation[] = [
  {
    matches: (registry) => registry === 'k8s.gcr.io',
    newName: (_registry, repository) => `registry.k8s.io/${repository}`,
    severity: 'warning',
    what: 'k8s.gcr.io was frozen on 2023-04-03: it gets no new tags and may stop serving',
    advice: 'pull from registry.k8s.io, which serves the same images',
  },
  {
    matches: (registry) => registry === 'gcr.io' || registry.endsWith('.gcr.io'),
    newName: () => null,
    severity: 'warning',
    what: 'Google Container Registry stopped accepting pushes on 2025-03-18 and is served by Artifact Registry since 2025-10-14',
    advice: 'move the image to an Artifact Registry repository (REGION-docker.pkg.dev/PROJECT/REPO) and reference it there',
  },
  {
    matches: (registry, repository) => registry === 'docker.io' && repository.startsWith('bitnami/'),
    newName: (_registry, repository) => `docker.io/bitnamilegacy/${repository.slice('bitnami/'.length)}`,
    severity: 'error',
    what: 'Bitnami moved docker.io/bitnami images to docker.io/bitnamilegacy on 2025-08-28 and deletes them from docker.io/bitnami since 2025-09-29',
    advice: 'use docker.io/bitnamilegacy (frozen, no updates) for now and plan a maintained image',
  },
];

export function findMovedLocation(registry: string, repository: string): MovedLocation | null {
  return MOVED_LOCATIONS.find((m) => m.matches(registry, repository)) ?? null;
}
