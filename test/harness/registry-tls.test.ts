import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage } from '../support/push.js';
import { startRegistry, type RunningRegistry } from '../support/registry.js';
import { headManifest, processExists, pushAndCheckEveryKind } from './verify.js';

/** The error code undici surfaces for a TLS failure (on the error or its cause). */
async function tlsFailure(url: string, ca?: string): Promise<string> {
  const dispatcher = new Agent({ connect: ca ? { ca } : {} });
  try {
    await (await request(`${url}/v2/`, { dispatcher })).body.dump();
    return 'no error';
  } catch (error) {
    const failure = error as { code?: string; cause?: { code?: string } };
    return failure.cause?.code ?? failure.code ?? String(error);
  } finally {
    await dispatcher.close();
  }
}

describe('Distribution registry over TLS with a test CA', () => {
  let registry: RunningRegistry;
  let trusting: Agent;
  beforeAll(async () => {
    registry = await startRegistry({ tls: true });
    trusting = new Agent({ connect: { ca: registry.caPem } });
  });
  afterAll(async () => {
    await trusting?.close();
    await registry?.stop();
  });

  it('serves every kind of pushed image to a client that trusts the CA', async () => {
    expect(registry.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(registry.caPem).toContain('BEGIN CERTIFICATE');
    await pushAndCheckEveryKind(registry, 'team/app', { dispatcher: trusting });
  });

  it('is Distribution itself that serves TLS (direct address, same CA)', async () => {
    await pushImage(registry, 'team/direct', 'v1');
    expect((await headManifest(registry.direct.url, 'team/direct', 'v1', { dispatcher: trusting })).status).toBe(200);
    expect(await tlsFailure(registry.direct.url)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('fails verification for a client without the CA', async () => {
    expect(await tlsFailure(registry.url)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  it('can serve an expired or a wrong-host certificate from the same CA', async () => {
    const expired = await startRegistry({ tls: true, tlsCert: 'expired' });
    const wrongHost = await startRegistry({ tls: true, tlsCert: 'wrong-host' });
    try {
      expect(await tlsFailure(expired.url, expired.caPem)).toBe('CERT_HAS_EXPIRED');
      expect(await tlsFailure(wrongHost.url, wrongHost.caPem)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
      await pushImage(expired, 'still/fillable', 'v1'); // the push helpers work on faulty set-ups too
    } finally {
      await Promise.all([expired.stop(), wrongHost.stop()]);
    }
    expect(processExists(expired.pid) || processExists(wrongHost.pid)).toBe(false);
  });

  it('puts the token server on HTTPS too when the registry uses TLS', async () => {
    const secured = await startRegistry({ tls: true, auth: 'token' });
    try {
      expect(secured.token!.realm).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/token$/);
      await pushImage(secured, 'team/app', 'v1');
      const answer = await headManifest(secured.url, 'team/app', 'v1', { dispatcher: new Agent({ connect: { ca: secured.caPem } }) });
      expect(answer.challenge).toContain(`realm="${secured.token!.realm}"`);
    } finally {
      await secured.stop();
    }
  });
});
