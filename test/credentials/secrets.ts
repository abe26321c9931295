// The forms a secret can leak in: as is, URL-encoded, and base64 — as a whole (`user:password` in a Basic
// header) and embedded in any longer base64 text. A byte string's base64 depends on where it starts
// modulo 3, so for each of the three alignments we keep the characters made only of the secret's own bits.

export function base64Fragments(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const fragments: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((8 * offset) / 6);
    const last = Math.floor((8 * (offset + bytes.length) - 6) / 6);
    fragments.push(encoded.slice(first, last + 1));
  }
  return fragments;
}

/** Every string that must not appear in any output, for a user name and its password (or token). */
export function secretForms(username: string | null, secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    ...base64Fragments(secret),
    ...(username === null ? [] : [Buffer.from(`${username}:${secret}`).toString('base64')]),
  ];
}
