// WWW-Authenticate (RFC 9110 §11.6.1): one or more challenges per header, one or more headers.
//   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param = token BWS "=" BWS ( token / quoted-string )
// Commas separate both parameters and challenges, so a parameter list ends where a token is NOT followed
// by "=" (that token is the next scheme). Written by hand: the npm parsers for this header either split on
// commas inside quoted strings or keep only one challenge, and registries send several (Basic + Bearer).

export interface Challenge {
  /** Lower-case: `basic`, `bearer`, … */
  scheme: string;
  /** Parameter names lower-case, values unquoted and unescaped. */
  params: Record<string, string>;
  token68: string | null;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
const TOKEN68 = /[A-Za-z0-9._~+/-]+=*/y;

class Cursor {
  index = 0;
  constructor(readonly text: string) {}
  get done(): boolean {
    return this.index >= this.text.length;
  }
  peek(): string {
    return this.text[this.index] ?? '';
  }
  skip(chars: string): void {
    while (!this.done && chars.includes(this.peek())) this.index++;
  }
  match(pattern: RegExp): string | null {
    pattern.lastIndex = this.index;
    const found = pattern.exec(this.text);
    if (!found) return null;
    this.index = pattern.lastIndex;
    return found[0];
  }
  /** A quoted-string starting at the cursor (which is on `"`); backslash escapes the next character. */
  quoted(): string {
    let out = '';
    this.index++; // opening quote
    while (!this.done) {
      const c = this.text[this.index++] ?? '';
      if (c === '"') return out;
      out += c === '\\' ? (this.text[this.index++] ?? '') : c;
    }
    return out; // unterminated: keep what was there
  }
  /** Moves past the rest of a malformed element, to the next comma. */
  skipElement(): void {
    while (!this.done && this.peek() !== ',') this.index++;
  }
}

/** Every challenge in the header value(s), in order. Malformed pieces are skipped, never thrown. */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return values.flatMap(parseOne);
}

function parseOne(value: string): Challenge[] {
  const cursor = new Cursor(value);
  const challenges: Challenge[] = [];
  let current: Challenge | null = null;
  while (true) {
    cursor.skip(' \t,');
    if (cursor.done) break;
    const start = cursor.index;
    const name = cursor.match(TOKEN);
    if (!name) {
      cursor.skipElement();
      continue;
    }
    cursor.skip(' \t');
    if (current && cursor.peek() === '=') {
      // a parameter of the current challenge
      cursor.index++;
      cursor.skip(' \t');
      const paramValue = cursor.peek() === '"' ? cursor.quoted() : (cursor.match(TOKEN) ?? '');
      current.params[name.toLowerCase()] = paramValue;
      continue;
    }
    // a new challenge: `scheme`, then optionally a token68 or the first parameter
    current = { scheme: name.toLowerCase(), params: {}, token68: null };
    challenges.push(current);
    if (cursor.index === start + name.length) continue; // no space after the scheme: nothing follows it
    // `scheme token68` ends at a comma or the end; anything else is the first `name=value` parameter
    const token68 = cursor.match(TOKEN68);
    if (token68 !== null) {
      const end = cursor.index;
      cursor.skip(' \t');
      if (cursor.done || cursor.peek() === ',') current.token68 = token68;
      else cursor.index = end - token68.length;
    }
  }
  return challenges;
}
