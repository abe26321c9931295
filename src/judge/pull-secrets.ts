// The cluster side of credentials. An image that anonymous pulls are refused for needs a pull secret in
// the cluster: the pod's imagePullSecrets, or its ServiceAccount's. Which secrets exist is known only for
// what the manifests hold, so every check says nothing when it cannot tell (a Secret made elsewhere, an
// encrypted one): a warning here must mean the pull really fails. No I/O; Secret content is never printed.
import type { Finding, ImageOccurrence, Severity } from '../model.js';
import type { ImageReference } from '../reference/index.js';
import { DOCKER_CFG, DOCKER_CONFIG_JSON, keyCovers, sameNamespace, serviceAccountOf, type ClusterObjects, type SecretFacts } from '../credentials/pull-secrets.js';
import { effectiveSeverity } from './index.js';

export interface PullSecretSubject {
  occurrence: ImageOccurrence;
  ref: ImageReference;
}

export interface PullSecretContext {
  /** Canonical references that resolved with credentials and that anonymous pulls are refused. */
  needCredentials: Set<string>;
  cluster: ClusterObjects;
  severities: Record<string, Severity | 'off'>;
}

interface Draft { rule: 'missing-pull-secret' | 'pull-secret-mismatch'; message: string }

export function judgePullSecrets(subjects: PullSecretSubject[], ctx: PullSecretContext): Finding[] {
  const findings: Finding[] = [];
  for (const subject of subjects) {
    if (!subject.occurrence.pod || !ctx.needCredentials.has(subject.ref.canonical)) continue;
    const draft = checkPullSecrets(subject, ctx.cluster);
    if (!draft) continue;
    const severity = effectiveSeverity(draft.rule, undefined, ctx.severities);
    if (severity === 'off') continue;
    findings.push({ rule: draft.rule, severity, message: draft.message, range: subject.occurrence.range, image: subject.occurrence.written, fix: null });
  }
  return findings;
}

function checkPullSecrets({ occurrence, ref }: PullSecretSubject, cluster: ClusterObjects): Draft | null {
  const pod = occurrence.pod!;
  const image = `${ref.registry}/${ref.repository}`;
  const accountName = pod.serviceAccountName ?? 'default';
  const account = serviceAccountOf(pod, cluster);
  const names = [...new Set([...pod.imagePullSecrets, ...(account?.imagePullSecrets ?? [])])];

  if (names.length === 0) {
    if (account && account.imagePullSecrets === null) return null; // rendered, not read: it may name one
    const accountSays = account
      ? `, and neither does its ServiceAccount ${account.name} (${account.file}:${account.line})`
      : pod.serviceAccountName
        ? `, and its ServiceAccount ${accountName} is not in the scanned manifests`
        : '';
    return {
      rule: 'missing-pull-secret',
      message: `The cluster needs a pull secret for ${image} (anonymous pulls are refused); the pod declares none${accountSays}.`,
    };
  }

  const secrets: SecretFacts[] = [];
  for (const name of names) {
    const secret = cluster.secrets.find((s) => s.name === name && sameNamespace(s.namespace, pod.namespace));
    if (!secret || !secret.read) return null; // made outside these manifests, or not read: cannot tell what it holds
    secrets.push(secret);
  }
  const wrongType = secrets.filter((s) => s.type !== DOCKER_CONFIG_JSON && s.type !== DOCKER_CFG);
  if (secrets.some((s) => s.entries === null && !wrongType.includes(s))) return null; // unreadable (encrypted, templated)
  if (secrets.some((s) => s.entries?.some((e) => keyCovers(e.key, ref.registry, ref.repository)))) return null;

  const described = secrets.map((s) => {
    if (wrongType.includes(s)) return `${s.name} is of type ${s.type ?? 'Opaque'}, which the kubelet does not read for pulls (it needs ${DOCKER_CONFIG_JSON})`;
    const hosts = (s.entries ?? []).map((e) => e.key);
    return `${s.name} holds ${hosts.length ? hosts.join(', ') : 'no registry'}`;
  });
  return {
    rule: 'pull-secret-mismatch',
    message: `No pull secret of the pod has credentials for ${image}, which anonymous pulls are refused for: ${described.join('; ')}.`,
  };
}
