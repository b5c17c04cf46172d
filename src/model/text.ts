/**
 * Characters a field may not carry because it ends up in XML callbacks, e-mails or SMPP PDUs:
 * C0 controls other than tab, LF and CR, the non-characters U+FFFE and U+FFFF, and lone UTF-16
 * surrogates. XML 1.0 cannot represent any of them, so a callback holding one would not parse.
 */
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The first such character as `U+000B at position 3` (0-based, UTF-16), or undefined when there is none. */
export function xmlUnsafeCharacter(value: string): string | undefined {
  const match = UNSAFE.exec(value);
  if (!match) return undefined;
  const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return `U+${code} at position ${match.index}`;
}

/** The reason used in 422 answers, or undefined when the value is fine (or not a string). */
export function xmlUnsafeProblem(field: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const found = xmlUnsafeCharacter(value);
  return found && `${field} contains a character that XML, e-mail and SMPP cannot carry (${found}); control characters other than tab, LF and CR, U+FFFE, U+FFFF and unpaired surrogates are not allowed`;
}
