// Docker's config.json ($DOCKER_CONFIG/config.json, default ~/.docker/config.json): where `docker login`,
// docker/login-action and amazon-ecr-login leave credentials, inline or through credential helpers.
import os from 'node:os';
import path from 'node:path';
import { authFileKeychain } from './auth-file.js';
import type { Keychain } from './keychain.js';

export function dockerConfigFile(env: NodeJS.ProcessEnv): string {
  return path.join(env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker'), 'config.json');
}

export function dockerKeychain(env: NodeJS.ProcessEnv, helperTimeoutMs?: number): Keychain {
  const file = dockerConfigFile(env);
  return authFileKeychain(file, { label: `Docker config ${file}`, paths: 'docker', env, helperTimeoutMs });
}
