// The workflow's GITHUB_TOKEN, for GitHub Container Registry only. ghcr.io's token endpoint takes Basic
// auth of any user name with a GitHub token as the password (the way `docker login ghcr.io -u <actor>`
// uses it); a bare Bearer of the GitHub token is refused there. Never offered to any other host.
import type { Keychain } from './keychain.js';

export const GHCR_HOST = 'ghcr.io';

export function githubTokenKeychain(token: string | null | undefined, actor?: string | null): Keychain {
  const secret = token?.trim();
  if (!secret) return { resolve: async () => null };
  return {
    resolve: async (host) => (host.toLowerCase() === GHCR_HOST
      ? { kind: 'basic', username: actor || 'x-access-token', password: secret, source: 'GitHub token (github-token)' }
      : null),
  };
}
