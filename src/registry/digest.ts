// Content digests (`algorithm:hex`) of what a registry sends, so nothing it says is trusted unchecked.
import { createHash } from 'node:crypto';
import { DOCKER_SCHEMA1_SIGNED } from './media-types.js';

const ALGORITHMS: Record<string, string> = { sha256: 'sha256', sha512: 'sha512' };

/** `sha256:…` of `content`, using the algorithm of `like` (a digest to compare with); null for an algorithm we cannot compute. */
export function digestOf(content: Buffer, like = 'sha256:'): string | null {
  const algorithm = like.split(':')[0] ?? '';
  const hash = ALGORITHMS[algorithm];
  return hash ? `${algorithm}:${createHash(hash).update(content).digest('hex')}` : null;
}

/**
 * The bytes a manifest's digest is computed over. For everything but signed schema 1 that is the body; a
 * signed schema 1 manifest is digested without its signatures: the payload is the first `formatLength`
 * bytes followed by the base64url `formatTail`, both from the first signature's protected header.
 */
export function digestedBytes(body: Buffer, mediaType: string | null): Buffer {
  if (mediaType !== DOCKER_SCHEMA1_SIGNED) return body;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { signatures?: Array<{ protected?: string }> };
    const protectedHeader = parsed.signatures?.[0]?.protected;
    if (!protectedHeader) return body;
    const { formatLength, formatTail } = JSON.parse(Buffer.from(protectedHeader, 'base64url').toString('utf8')) as {
      formatLength?: unknown;
      formatTail?: unknown;
    };
    if (typeof formatLength !== 'number' || typeof formatTail !== 'string') return body;
    return Buffer.concat([body.subarray(0, formatLength), Buffer.from(formatTail, 'base64url')]);
  } catch {
    return body; // not JSON: the plain digest will not match and the caller reports the mismatch
  }
}
