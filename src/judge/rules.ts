// Every rule pullcheck can report, as one table. docs/rules.md and the SARIF rule metadata are generated
// from it (scripts/gen-docs.mjs; a test fails when docs/rules.md is out of date).
import type { Severity } from '../model.js';

export interface Rule {
  id: string;
  severity: Severity;
  /** One line: what the rule reports. */
  title: string;
  /** Why it breaks (or may break) a pull. */
  why: string;
  /** What the kubelet would say, when the rule prevents a kubelet error. */
  kubelet: string | null;
  /** How to fix it. */
  fix: string;
}

const rows: Rule[] = [
  {
    id: 'invalid-reference',
    severity: 'error',
    title: 'The image reference does not follow the reference grammar the kubelet uses.',
    why: 'The kubelet refuses to parse the reference and the pod never starts.',
    kubelet: 'InvalidImageName: Failed to apply default image tag "…": couldn\'t parse image name',
    fix: 'Write `[registry[:port]/]path[:tag][@digest]` with a lower-case path; the finding suggests the corrected reference where one is obvious.',
  },
  {
    id: 'manifest-invalid',
    severity: 'error',
    title: 'A YAML or JSON document could not be parsed.',
    why: '`kubectl apply` rejects the whole file, so nothing in it is deployed, and pullcheck cannot see its images.',
    kubelet: null,
    fix: 'Fix the syntax at the reported line; the other documents of the file are still checked.',
  },
  {
    id: 'file-skipped',
    severity: 'notice',
    title: 'A file was not scanned (unreadable, binary, not UTF-8, or larger than the size limit).',
    why: 'Images in that file are not checked, so the gate cannot vouch for them.',
    kubelet: null,
    fix: 'Exclude the file (`--exclude`) if it holds no manifests, convert it to UTF-8, or raise `max-file-size`.',
  },
  {
    id: 'chart-not-rendered',
    severity: 'notice',
    title: 'A Helm chart folder was found; its templates are not plain YAML and were not scanned raw.',
    why: 'The chart\'s images are only known after rendering.',
    kubelet: null,
    fix: 'Let pullcheck render the chart (helm on PATH), or pass pre-rendered output with `--rendered`.',
  },
  {
    id: 'render-failed',
    severity: 'error',
    title: 'A Kustomize overlay or Helm chart could not be rendered.',
    why: 'pullcheck cannot see which images it would deploy, and the deploy step will most likely fail the same way.',
    kubelet: null,
    fix: 'Run the command named in the message locally and fix the error it prints; remote resources (URLs, git) need network access, so vendor them or pass pre-rendered output with `--rendered`.',
  },
  {
    id: 'chart-dependencies-missing',
    severity: 'error',
    title: 'A Helm chart lists dependencies that are not in its `charts/` folder.',
    why: '`helm template` and `helm install` refuse a chart whose dependencies are missing, so nothing of it deploys and pullcheck cannot see its images.',
    kubelet: null,
    fix: 'Run `helm dependency build <chart>` before pullcheck (pullcheck never fetches charts), or vendor the subcharts into `charts/`.',
  },
  {
    id: 'rendering-skipped',
    severity: 'notice',
    title: 'Kustomize overlays or Helm charts were not rendered because the tool is not available.',
    why: 'Without rendering, Kustomize files are checked as written and chart images are guessed from values files, which can miss or misread images.',
    kubelet: null,
    fix: 'Put kubectl (or kustomize) and helm on PATH (GitHub-hosted runners have them), or pass pre-rendered output with `--rendered`.',
  },
  {
    id: 'unresolved-placeholder',
    severity: 'warning',
    title: 'The image holds a placeholder (`${VAR}`, `$VAR`, `<NAME>`, `{{ … }}`) left for a later substitution step.',
    why: 'If the substitution step does not run, the kubelet gets the placeholder as the image name.',
    kubelet: 'InvalidImageName',
    fix: 'Check the rendered output instead (`--rendered`), or make sure the substitution runs before deploy.',
  },
  {
    id: 'not-a-registry-reference',
    severity: 'notice',
    title: 'The image is built at deploy time (`ko://…`) and is not a registry reference yet.',
    why: 'There is nothing to check in a registry until ko has built and pushed it.',
    kubelet: null,
    fix: 'Nothing to do; check the resolved output of `ko resolve` if you want it verified.',
  },
  {
    id: 'deprecated-registry',
    severity: 'warning',
    title: 'The image lives on a registry or repository that was frozen, shut down or moved.',
    why: 'New tags never arrive there and pulls fail once the old location stops serving.',
    kubelet: 'ErrImagePull / ImagePullBackOff',
    fix: 'Move to the new location; the finding suggests the new reference where the mapping is mechanical.',
  },
  {
    id: 'latest-tag',
    severity: 'notice',
    title: 'The image uses the `latest` tag.',
    why: 'Nodes may run different builds under one tag, and `latest` is pulled on every pod start (Always).',
    kubelet: null,
    fix: 'Pin a version tag, or better a digest (`image@sha256:…`).',
  },
  {
    id: 'missing-tag',
    severity: 'notice',
    title: 'The image has neither tag nor digest, so the kubelet pulls `latest`.',
    why: 'Same as `latest-tag`, and readers cannot tell which version runs.',
    kubelet: null,
    fix: 'Add a version tag or a digest.',
  },
  {
    id: 'repository-not-found',
    severity: 'error',
    title: 'The registry has no such repository (or, on Docker Hub, it is not visible with the credentials used).',
    why: 'The kubelet cannot pull an image from a repository that does not exist.',
    kubelet: 'ErrImagePull: … repository does not exist or may require \'docker login\'',
    fix: 'Correct the repository name (the finding suggests a close one when the registry has it), or push the image.',
  },
  {
    id: 'tag-not-found',
    severity: 'error',
    title: 'The repository exists but has no such tag.',
    why: 'The kubelet cannot pull a tag that was never pushed or was deleted.',
    kubelet: 'ErrImagePull: … manifest unknown',
    fix: 'Use a tag that exists (the finding suggests the closest) or push this one.',
  },
  {
    id: 'digest-not-found',
    severity: 'error',
    title: 'The repository has no manifest with this digest.',
    why: 'A digest names exactly one manifest; if the registry does not hold it, no pull can succeed.',
    kubelet: 'ErrImagePull: … manifest unknown',
    fix: 'Use the digest the registry reports for the tag you mean, or push the image.',
  },
  {
    id: 'unauthorized',
    severity: 'error',
    title: 'The registry refused the credentials (or wants some and none were given).',
    why: 'The kubelet gets the same refusal unless the cluster holds working credentials.',
    kubelet: 'ErrImagePull: … unauthorized: authentication required',
    fix: 'Give pullcheck the credentials the cluster uses (config `registries`, docker login) and check the pull secret.',
  },
  {
    id: 'access-denied',
    severity: 'error',
    title: 'Authenticated, but the identity may not pull this repository.',
    why: 'The pull is refused for lack of permission, not for lack of a login.',
    kubelet: 'ErrImagePull: … denied: requested access to the resource is denied',
    fix: 'Grant pull (read) on the repository to the identity the cluster uses.',
  },
  {
    id: 'rate-limited',
    severity: 'error',
    title: 'The registry answered 429 Too Many Requests.',
    why: 'Pulls fail while the limit lasts; a rollout may hit the same wall.',
    kubelet: 'ErrImagePull: … toomanyrequests',
    fix: 'Authenticate, use a mirror or pull-through cache, or retry after the reset time in the message.',
  },
  {
    id: 'registry-unreachable',
    severity: 'error',
    title: 'The registry could not be reached (DNS, connection refused, timeout or TLS).',
    why: 'pullcheck could not verify the image; the cluster may be unable to reach it too. This is never reported as "not found".',
    kubelet: 'ErrImagePull: … dial tcp / x509 / i/o timeout',
    fix: 'Check the host name, network access and, for TLS, the CA (`ca` in the config); set `unreachable: warning` where CI cannot see every registry.',
  },
  {
    id: 'registry-error',
    severity: 'error',
    title: 'The registry answered with a server error after retries.',
    why: 'pullcheck could not verify the image. This is never reported as "not found".',
    kubelet: 'ErrImagePull: … 5xx',
    fix: 'Retry later; check the registry\'s status.',
  },
  {
    id: 'unverified',
    severity: 'notice',
    title: 'The image could not be checked with the credentials this run has (a fork pull request gets no secrets; or the registry wants credentials that only the pod\'s pull secret may hold).',
    why: 'Nothing is known to be wrong; the check simply could not see the image.',
    kubelet: null,
    fix: 'Run the check where the registry credentials are available (push to a branch of the repository, or a pull_request_target workflow that does not check out untrusted code).',
  },
  {
    id: 'missing-pull-secret',
    severity: 'warning',
    title: 'The image needs credentials, and neither the pod nor its ServiceAccount (when scanned) names an imagePullSecret.',
    why: 'Anonymous pulls of the image are refused, so the kubelet can pull it only with a pull secret or with node-level credentials (a kubelet credential provider, e.g. ECR or Artifact Registry on their own clouds).',
    kubelet: 'ErrImagePull: … unauthorized: authentication required',
    fix: 'Add `imagePullSecrets: [{name: <secret>}]` to the pod spec or to its ServiceAccount; if the nodes pull with their own credentials, turn this rule off (`rules: {missing-pull-secret: off}`).',
  },
  {
    id: 'pull-secret-mismatch',
    severity: 'warning',
    title: 'The pod\'s pull secrets, as written in the manifests, hold no credentials for the image\'s registry (or are not of a type the kubelet reads).',
    why: 'The kubelet matches each pull secret\'s registry keys against the image; with no match it pulls anonymously, which this registry refuses.',
    kubelet: 'ErrImagePull: … unauthorized: authentication required',
    fix: 'Add an entry for the registry to the Secret (`kubectl create secret docker-registry … --docker-server=<registry>`), or reference the Secret that has one; the Secret must be of type `kubernetes.io/dockerconfigjson`.',
  },
  {
    id: 'credential-helper-failed',
    severity: 'warning',
    title: 'A Docker credential helper (credHelpers / credsStore) failed, was not installed or did not answer in time.',
    why: 'The registry credentials it holds could not be used, so images on that registry were checked without them (reported as unverified rather than refused).',
    kubelet: null,
    fix: 'Install the helper named in the message on the runner, or log in another way (`registry-auth`, docker/login-action); run `docker-credential-<name> get` with the server URL on stdin to see its error.',
  },
  {
    id: 'credential-file-invalid',
    severity: 'warning',
    title: 'A credentials file (Docker config.json, podman auth.json) could not be read or parsed.',
    why: 'None of its credentials could be used, so private images may be reported as unverified or refused.',
    kubelet: null,
    fix: 'Fix the JSON at the position in the message (or delete the file and log in again).',
  },
  {
    id: 'tag-digest-mismatch',
    severity: 'warning',
    title: 'The image is written `tag@digest`, and the tag now points at another digest.',
    why: 'The kubelet pulls the digest and ignores the tag, so the tag misleads readers about what runs.',
    kubelet: null,
    fix: 'Update the digest to the tag\'s current one, or the tag to the version the digest is.',
  },
  {
    id: 'platform-missing',
    severity: 'error',
    title: 'The image is not built for a platform the nodes run.',
    why: 'The kubelet finds no manifest for the node\'s platform.',
    kubelet: 'ErrImagePull: no match for platform in manifest: not found',
    fix: 'Build and push the missing platform (docker buildx --platform), or schedule the workload on nodes it supports.',
  },
  {
    id: 'schema1-manifest',
    severity: 'error',
    title: 'The image is a Docker schema 1 manifest.',
    why: 'containerd 2.1 removed schema 1 support (disabled by default since 2.0).',
    kubelet: 'ErrImagePull: … schema 1 image manifests are no longer supported',
    fix: 'Rebuild and push the image with a current builder.',
  },
  {
    id: 'pull-quota',
    severity: 'warning',
    title: 'The rollout can pull more images from a rate-limited registry (Docker Hub) than its pull quota allows.',
    why: 'Once the quota is spent the registry answers 429 and pods stay in ImagePullBackOff until the window refills. The estimate counts replicas (a DaemonSet: `nodes` per platform), the pull policy (Always, or a `latest`/untagged image: every pod start; IfNotPresent: at most once per node) and one pull per architecture; the quota is read from the registry\'s `ratelimit-*` headers, never assumed.',
    kubelet: 'ErrImagePull: … toomanyrequests: You have reached your pull rate limit',
    fix: 'Give the pods a pull secret for an account (authenticated pulls have a higher or no limit), pull through a mirror or pull-through cache (`registries: {docker.io: {mirrors: [...]}}` here, hosts.toml on the nodes), or pin digests and pre-pull; set `nodes` to your node count for a closer estimate.',
  },
  {
    id: 'disallowed-registry',
    severity: 'error',
    title: 'The image comes from a registry the policy (`allowed-registries`) does not allow.',
    why: 'The team decided images must come from the listed registries (provenance, availability, quota). The registry is not contacted.',
    kubelet: null,
    fix: 'Copy the image to an allowed registry and reference it there, or add the registry to `allowed-registries`.',
  },
  {
    id: 'missing-digest',
    severity: 'error',
    title: 'The image is not pinned by digest, and the policy (`require-digest: true`) requires it.',
    why: 'A tag can be moved to other content at any time; only a digest names exactly what runs.',
    kubelet: null,
    fix: 'Append the digest: `image:tag@sha256:…` (`crane digest` or `docker buildx imagetools inspect` print it).',
  },
  {
    id: 'mutable-tag-pull-policy',
    severity: 'warning',
    title: 'A tag that is commonly moved (`latest`, `stable`, `1`, `1.25` …) is pulled with `IfNotPresent` (policy `pull-policy: true`).',
    why: 'Each node keeps whichever build it pulled first, so nodes run different builds under one tag and a rollback does not roll back. Full versions (`1.25.3`) and digests are taken as fixed.',
    kubelet: null,
    fix: 'Pin a digest or a full version, or set `imagePullPolicy: Always`.',
  },
  {
    id: 'invalid-suppression',
    severity: 'warning',
    title: 'A `# pullcheck-ignore:` comment names an unknown rule or gives no reason, so it suppresses nothing.',
    why: 'A suppression must say which rule it silences and why, so the report can show it.',
    kubelet: null,
    fix: 'Write `# pullcheck-ignore: <rule>[,<rule>] <reason>` with rule ids from this page, on the line or the line above.',
  },
];

export const RULES: ReadonlyMap<string, Rule> = new Map(rows.map((r) => [r.id, r]));

export function rule(id: string): Rule {
  const found = RULES.get(id);
  if (!found) throw new Error(`unknown rule id ${id}`);
  return found;
}
