// What the GitHub API parts of the report share: the client type, the pull request a run is about, and how
// to tell "this token may not do that" from other failures.
import type { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

export interface Repository {
  owner: string;
  repo: string;
}

export interface PullRequest extends Repository {
  number: number;
  /** The pull request's head commit: review comments and check runs attach to it. */
  headSha: string;
  /** Head and base are different repositories: the token is read-only and secrets are withheld. */
  fromFork: boolean;
}

export function httpStatus(error: unknown): number | null {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : null;
}

/**
 * GitHub answers 403 ("Resource not accessible by integration") when the token lacks a permission, and 404
 * when it may not even see the resource.
 */
export function isNotPermitted(error: unknown): boolean {
  const status = httpStatus(error);
  return status === 403 || status === 404;
}

/** One line about a failed API call, without headers or the request (which hold the token). */
export function describeApiError(error: unknown): string {
  const status = httpStatus(error);
  const message = (error as Error | null)?.message?.split('\n')[0] ?? String(error);
  return status === null ? message : `HTTP ${status}: ${message}`;
}
