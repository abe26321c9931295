// A loopback stand-in for the parts of the GitHub REST API the Action uses: a pull request's files (paginated
// by Link headers, as GitHub does), its review comments, creating reviews, and check runs. It records what
// the Action sent, keeps posted review comments so a second run sees them, and can refuse (403) checks or
// reviews the way GitHub refuses a token without the permission.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const OWNER = 'octo';
export const REPO = 'app';
export const PR_NUMBER = 7;
export const HEAD_SHA = 'a'.repeat(40);

export interface FakeFile {
  filename: string;
  status: 'added' | 'modified' | 'removed' | 'renamed';
  patch?: string;
}

export interface FakeGitHubOptions {
  files: FakeFile[];
  /** Entries per page for lists, whatever per_page asks (small, to exercise pagination). */
  pageSize?: number;
  refuse?: { checks?: boolean; reviews?: boolean; files?: boolean };
}

export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
}

export interface PostedComment {
  path: string;
  line: number;
  side: string;
  body: string;
}

export interface FakeGitHub {
  url: string;
  calls: RecordedCall[];
  /** Bodies of the pulls.createReview requests. */
  reviews: { commit_id: string; event: string; body: string; comments: PostedComment[] }[];
  /** Review comments on the pull request: posted by reviews, or seeded by the test. */
  comments: PostedComment[];
  /** Bodies of checks.create and checks.update requests, in order. */
  checkRuns: Record<string, unknown>[];
  refuse: { checks?: boolean; reviews?: boolean; files?: boolean };
  close(): Promise<void>;
}

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const pageSize = options.pageSize ?? 2;
  const state: Omit<FakeGitHub, 'url' | 'close'> = { calls: [], reviews: [], comments: [], checkRuns: [], refuse: { ...options.refuse } };
  const pulls = `/repos/${OWNER}/${REPO}/pulls/${PR_NUMBER}`;

  const server = createServer((request, response) => {
    void body(request).then((sent) => {
      const url = new URL(request.url ?? '/', 'http://fake');
      state.calls.push({ method: request.method ?? '', path: url.pathname, body: sent });
      const route = `${request.method} ${url.pathname}`;
      if (route === `GET ${pulls}/files`) return state.refuse.files ? forbidden(response) : page(response, url, options.files, pageSize);
      if (route === `GET ${pulls}/comments`) return page(response, url, state.comments.map((c, i) => ({ id: i + 1, ...c })), pageSize);
      if (route === `POST ${pulls}/reviews`) {
        if (state.refuse.reviews) return forbidden(response);
        const review = sent as FakeGitHub['reviews'][number];
        state.reviews.push(review);
        state.comments.push(...review.comments);
        return json(response, 200, { id: state.reviews.length, state: 'COMMENTED' });
      }
      if (route === `POST /repos/${OWNER}/${REPO}/check-runs`) {
        if (state.refuse.checks) return forbidden(response);
        state.checkRuns.push(sent as Record<string, unknown>);
        return json(response, 201, { id: 99, html_url: `https://github.com/${OWNER}/${REPO}/runs/99` });
      }
      if (route === `PATCH /repos/${OWNER}/${REPO}/check-runs/99`) {
        state.checkRuns.push(sent as Record<string, unknown>);
        return json(response, 200, { id: 99 });
      }
      return json(response, 404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...state, // the same arrays and objects: what the server records shows up here
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function body(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : null;
}

function json(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(value));
}

function forbidden(response: ServerResponse): void {
  json(response, 403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' });
}

/** One page of a list, with GitHub's `Link: <…>; rel="next"` while more remain. */
function page(response: ServerResponse, url: URL, items: unknown[], pageSize: number): void {
  const number = Number(url.searchParams.get('page') ?? '1');
  const slice = items.slice((number - 1) * pageSize, number * pageSize);
  const headers: Record<string, string> = {};
  if (number * pageSize < items.length) {
    const next = new URL(url.href.replace('http://fake', `http://${response.req.headers.host}`));
    next.searchParams.set('page', String(number + 1));
    headers.link = `<${next.href}>; rel="next"`;
  }
  json(response, 200, slice, headers);
}
