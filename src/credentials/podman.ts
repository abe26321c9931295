// podman, skopeo and buildah keep credentials in auth.json, in Docker's format: REGISTRY_AUTH_FILE when set,
// else $XDG_RUNTIME_DIR/containers/auth.json (what `podman login` writes).
import path from 'node:path';
import { authFileKeychain } from './auth-file.js';
import { anonymous, type Keychain } from './keychain.js';

export function podmanAuthFile(env: NodeJS.ProcessEnv): string | null {
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  return env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : null;
}

export function podmanKeychain(env: NodeJS.ProcessEnv, helperTimeoutMs?: number): Keychain {
  const file = podmanAuthFile(env);
  return file ? authFileKeychain(file, { label: `podman auth file ${file}`, paths: 'podman', env, helperTimeoutMs }) : anonymous;
}
