// Text a registry (or the network stack) hands us ends up in reports, annotations and logs. It is untrusted:
// control and format characters could forge log lines or hide text, and a secret must never leak into it.

const MAX_DETAIL = 200;

/** One line of printable text: control/format characters become spaces, runs of space collapse, long text is cut. */
export function cleanText(text: string, max = MAX_DETAIL): string {
  const flat = text.replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Replaces each secret (when long enough to be a real one) by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}
