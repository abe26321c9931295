// Image strings, file names and registry messages come from untrusted pull requests and servers. Before
// any of them reaches a terminal or a log, control characters (escape sequences, newlines, NUL, C1 codes
// and the Unicode line separators) are shown as visible escapes so they can neither repaint a terminal
// nor start a new log line.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

export function visible(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code === 0x0a ? '\\n' : code === 0x0d ? '\\r' : code === 0x09 ? '\\t' : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
