// The small readers of what registries send: quota and Retry-After headers, Link pagination, schema 1
// digests, and text that goes into reports.
import { describe, expect, it } from 'vitest';
import { digestedBytes, digestOf } from '../../src/registry/digest.js';
import { quotaOf, retryAfterSeconds } from '../../src/registry/quota.js';
import { nextPage } from '../../src/registry/tags.js';
import { cleanText, redact } from '../../src/registry/text.js';
import { isLoopbackHost } from '../../src/registry/transport.js';
import { schema1Manifest } from '../support/fakes.js';

describe('quota headers', () => {
  it('reads Docker Hub ratelimit headers', () => {
    expect(quotaOf({ 'ratelimit-limit': '100;w=21600', 'ratelimit-remaining': '76;w=21600', 'docker-ratelimit-source': '192.0.2.1' })).toEqual({
      limit: 100,
      remaining: 76,
      windowSeconds: 21600,
      source: '192.0.2.1',
    });
  });

  it('is null without them', () => {
    expect(quotaOf({ 'content-type': 'application/json' })).toBeNull();
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterSeconds({ 'retry-after': '120' }, now)).toBe(120);
    expect(retryAfterSeconds({ 'retry-after': 'Wed, 25 Nov 2026 12:01:30 GMT' }, now)).toBe(90);
    expect(retryAfterSeconds({ 'retry-after': 'Wed, 25 Nov 2026 11:00:00 GMT' }, now)).toBe(0);
  });

  it('is null when absent or unreadable', () => {
    expect(retryAfterSeconds({}, now)).toBeNull();
    expect(retryAfterSeconds({ 'retry-after': 'soon' }, now)).toBeNull();
  });
});

describe('Link pagination', () => {
  const page = new URL('https://registry.example/v2/app/tags/list?n=1000');
  it('follows rel="next", relative or absolute on the same origin', () => {
    expect(nextPage('</v2/app/tags/list?n=1000&last=b>; rel="next"', page)).toBe('/v2/app/tags/list?n=1000&last=b');
    expect(nextPage('<https://registry.example/v2/app/tags/list?last=c>; rel=next', page)).toBe('/v2/app/tags/list?last=c');
    expect(nextPage(['<https://registry.example/x>; rel="prev"', '</v2/app/tags/list?last=d>; rel="next"'], page)).toBe('/v2/app/tags/list?last=d');
  });

  it('does not follow a link to another origin, or a missing one', () => {
    expect(nextPage('<https://elsewhere.example/v2/app/tags/list?last=b>; rel="next"', page)).toBeNull();
    expect(nextPage('</v2/app/tags/list?last=b>; rel="prev"', page)).toBeNull();
    expect(nextPage(undefined, page)).toBeNull();
  });
});

describe('digests', () => {
  it('digests a signed schema 1 manifest without its signatures', () => {
    const manifest = schema1Manifest('app', '1');
    const body = Buffer.from(manifest.body);
    expect(digestOf(body)).not.toBe(manifest.digest);
    expect(digestOf(digestedBytes(body, manifest.mediaType))).toBe(manifest.digest);
  });

  it('uses the algorithm of the digest it is compared with, and refuses unknown ones', () => {
    expect(digestOf(Buffer.from(''), 'sha512:x')).toMatch(/^sha512:[0-9a-f]{128}$/);
    expect(digestOf(Buffer.from(''), 'md5:x')).toBeNull();
  });
});

describe('text for reports', () => {
  it('strips control and format characters and cuts long text', () => {
    expect(cleanText('bad\r\n::error::forged\u202eline\u0000')).toBe('bad ::error::forged line');
    expect(cleanText('x'.repeat(500)).length).toBe(200);
  });

  it('redacts secrets', () => {
    expect(redact('token s3cr3t-value leaked', ['s3cr3t-value'])).toBe('token *** leaked');
  });
});

describe('loopback hosts', () => {
  it('knows localhost, 127.0.0.0/8 and ::1, and nothing else', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['registry.example', '10.0.0.1', '128.0.0.1', '[::2]', 'localhost.example']) expect(isLoopbackHost(host), host).toBe(false);
  });
});
