// Child process of the resolution benchmark: resolveAll called directly (no discovery, extraction or
// report) on the references listed in the JSON file named by argv[2] (with optional concurrency `limits`). Prints one JSON line: the time
// resolveAll took, the statuses it returned, and this process's peak RSS.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { anonymous } from '../src/credentials/keychain.ts';
import { parseReference } from '../src/reference/index.ts';
import { resolveAll } from '../src/registry/index.ts';

async function main() {
  const { references, platforms, limits } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const refs = references.map((text) => {
    const parsed = parseReference(text);
    if (!parsed.ok) throw new Error(`not a reference: ${text}`);
    return parsed.ref;
  });
  const started = performance.now();
  const resolved = await resolveAll(refs, { registries: {}, keychain: anonymous, platforms, timeoutMs: 600_000, ...limits });
  const ms = performance.now() - started;
  const statuses = {};
  for (const r of resolved.values()) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  process.stdout.write(`${JSON.stringify({ ms, statuses, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

// A CommonJS bundle has no top-level await.
main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exitCode = 1;
});
