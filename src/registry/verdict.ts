// How a check ends early: a Verdict carries the status and evidence an image gets; a NetworkError says why
// no HTTP answer came. Both are thrown deep inside a check and turned into a Resolution at the top.
import type { Evidence, ImageStatus, Quota } from '../model.js';
import { cleanText } from './text.js';

export class Verdict extends Error {
  constructor(
    readonly status: ImageStatus,
    readonly evidence: Evidence,
    readonly retryAfterSeconds: number | null = null,
    /** The quota the deciding answer announced (a 429's `ratelimit-*` headers), for the Resolution. */
    readonly quota: Quota | null = null,
  ) {
    super(evidence.detail ?? status);
  }
}

export function verdict(status: ImageStatus, httpStatus: number | null, detail: string, errorCode: string | null = null): Verdict {
  return new Verdict(status, { httpStatus, errorCode, detail });
}

/** Why no HTTP answer came back. */
export type NetworkFailure =
  | 'dns'
  | 'refused'
  | 'reset'
  | 'timeout'
  | 'tls'
  | 'protocol'
  | 'deadline'
  /** Never connected: the address is a link-local / cloud metadata one (network-safety.ts). */
  | 'blocked'
  /** The answer was refused by us: a redirect to plain HTTP, a body over the size limit. */
  | 'rejected';

export class NetworkError extends Error {
  constructor(
    readonly failure: NetworkFailure,
    message: string,
    /** The Node/undici error code behind it (ECONNREFUSED, ERR_SSL_WRONG_VERSION_NUMBER …), when known. */
    readonly code: string | null = null,
  ) {
    super(message);
  }

  /** TLS failed on the certificate: the server does speak TLS (as opposed to a plain-HTTP server). */
  get certificateRejected(): boolean {
    return this.failure === 'tls' && !/^(ERR_SSL_|EPROTO$)/.test(this.code ?? '');
  }

  /**
   * Worth another attempt: the same request may well succeed a moment later. An unparsable answer
   * (HPE_*) counts: on a kept-alive connection it can be the leftovers of an earlier answer, and the
   * retry goes out on another connection.
   */
  get transient(): boolean {
    if (this.failure === 'reset' || this.failure === 'timeout') return true;
    return this.code === 'EAI_AGAIN' || (this.code?.startsWith('HPE_') ?? false);
  }
}

export function networkVerdict(error: NetworkError): Verdict {
  return verdict(error.failure === 'rejected' ? 'registry-error' : 'registry-unreachable', null, error.message);
}

export interface RegistryErrorBody {
  code: string | null;
  message: string | null;
}

/** The first entry of a registry's `{"errors":[{code, message}]}` body; nulls when the body is not that. */
export function registryErrorOf(body: Buffer | null): RegistryErrorBody {
  if (!body || body.length === 0) return { code: null, message: null };
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const first = Array.isArray(parsed.errors) ? parsed.errors[0] : undefined;
    return {
      code: typeof first?.code === 'string' ? cleanText(first.code, 40) : null,
      message: typeof first?.message === 'string' ? cleanText(first.message) : null,
    };
  } catch {
    return { code: null, message: null };
  }
}

/** `registry-error` for an answer that is neither success nor a not-found, with the registry's own words. */
export function unexpectedAnswer(what: string, response: { status: number; body: Buffer | null; attempts: number }): Verdict {
  const { code, message } = registryErrorOf(response.body);
  const said = message ? `: ${message}` : '';
  const tries = response.attempts > 1 ? ` (${response.attempts} attempts)` : '';
  return verdict('registry-error', response.status, `${what} answered HTTP ${response.status}${code ? ` ${code}` : ''}${said}${tries}`, code);
}
