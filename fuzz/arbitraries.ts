/**
 * Input generators shared by the targets: odd strings and JSON values (control characters,
 * lone surrogates, prototype names, objects with their own toString), and mutations of valid
 * documents, so that most cases are near-valid and get past the first check.
 */
import fc from 'fast-check';

/** Strings that have broken parsers and validators before. */
const ODD_TEXTS = [
  '', ' ', '\t', '\u0000', '\u000b', '\u001f', '\u007f', '\u0085', '\u2028', '\ufeff', '\ufffe', '\uffff', '\ud800', 'a\udc00b', '😀',
  '%', '%zz', '%00', '%2F', '../', '/', '\\', '<x>', '</x>', '&amp;', '&#0;', '&#x1F;', ']]>', '<![CDATA[', '"', "'",
  '{"a":1}', 'null', 'true', '[]', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf',
  '0', '-0', '-1', '1e309', 'NaN', 'Infinity', '9007199254740993', '0x10', '+436641234567', '436641234567', '4366412345678901',
  'http://127.0.0.1/', 'http://[::1]/', 'http://0x7f.1/', 'http://2130706433/', 'https://example.com/cb', 'https://user:pw@example.com/',
  'javascript:alert(1)', 'file:///etc/passwd', 'https://sqs.eu-central-1.amazonaws.com/123456789012/q', 'ops@example.com', '*@example.com',
];

export const oddText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_TEXTS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^\d{1,20}$/) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...ODD_TEXTS), fc.string({ maxLength: 8 }), fc.constantFrom(...ODD_TEXTS)).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 5000 }).map((n) => 'x'.repeat(n)) },
);

export const oddKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'type', 'url', 'format', '', 'a.b', '0'), fc.string({ maxLength: 10 }));

/** Values JavaScript code trips over when it assumes a type: {"toString":1} makes String(v) throw. */
const TRAPS = ['{"toString":1}', '{"valueOf":{}}', '{"toJSON":1}', '{"length":-1}', '{"__proto__":{"type":"url"}}', '{"constructor":{"prototype":1}}', '[[]]', '[null]', '{}', '[]'];

export const oddValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(0, -1, 1.5, 1e21, -1e21, Number.MAX_SAFE_INTEGER + 2, 2 ** 31, 2 ** 53),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    oddText,
    fc.constantFrom(...TRAPS).map((trap) => JSON.parse(trap) as unknown),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(oddKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

type Path = Array<string | number>;

/** Every path to a value inside `doc` (objects and arrays too), the root as []. */
function pathsOf(doc: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(doc)) doc.forEach((item, i) => pathsOf(item, [...at, i], out));
  else if (doc !== null && typeof doc === 'object') for (const [key, value] of Object.entries(doc)) pathsOf(value, [...at, key], out);
  return out;
}

interface Mutation {
  kind: 'set' | 'delete' | 'add' | 'wrap';
  pick: number;
  key: string;
  value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'set', 'delete', 'add', 'wrap'),
  pick: fc.nat(),
  key: oddKey,
  value: oddValue,
});

function applyMutation(doc: unknown, m: Mutation): unknown {
  const paths = pathsOf(doc);
  const path = paths[m.pick % paths.length]!;
  if (path.length === 0) return m.kind === 'set' ? m.value : m.kind === 'wrap' ? [doc] : doc;
  const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], doc);
  const last = path[path.length - 1]!;
  if (m.kind === 'set') parent[last] = m.value;
  else if (m.kind === 'delete') Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
  else if (m.kind === 'wrap') parent[last] = [parent[last]];
  else if (parent[last] !== null && typeof parent[last] === 'object' && !Array.isArray(parent[last])) {
    Object.defineProperty(parent[last], m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
  } else parent[last] = m.value;
  return doc;
}

/** The valid value most of the time, an odd one otherwise. */
export function mostly<T, U>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<U>): fc.Arbitrary<T | U> {
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: odd });
}

/** A valid document with up to `max` mutations (none in a third of the cases: valid input must pass too). */
export function mutated<T>(valid: fc.Arbitrary<T>, max = 3): fc.Arbitrary<unknown> {
  const mutations = fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: max }) });
  return fc
    .tuple(valid, mutations)
    .map(([doc, mutations]) => mutations.reduce<unknown>((current, m) => applyMutation(current, m), structuredClone(doc)));
}

/** Near-valid documents most of the time, garbage otherwise. */
export function nearValid<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: mutated(valid) }, { weight: 1, arbitrary: oddValue });
}

/**
 * A request body as bytes on the wire: the document as JSON mostly, else JSON cut short,
 * JSON with a byte changed, or text that is not JSON at all.
 */
export function bodyText(doc: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const json = doc.map((value) => JSON.stringify(value) ?? 'undefined');
  return fc.oneof(
    { weight: 16, arbitrary: json },
    { weight: 1, arbitrary: fc.tuple(json, fc.nat()).map(([text, cut]) => text.slice(0, cut % (text.length + 1))) },
    { weight: 1, arbitrary: fc.tuple(json, fc.nat(), oddText).map(([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1))) },
    { weight: 1, arbitrary: oddText },
  );
}

/** A header value as HTTP can carry it (visible Latin-1, space and tab). */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[\t\x20-\x7e\x80-\xff]{0,300}$/),
  fc.constantFrom('', ' ', 'a b', 'k1', 'k2', '\xff', 'x'.repeat(256), 'x'.repeat(255)),
);

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 24, arbitrary: fc.constant('application/json') },
  { weight: 3, arbitrary: fc.constantFrom(undefined, 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '*/*', 'application/problem+json') },
  { weight: 1, arbitrary: headerValue },
);

export const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^\\d{${min},${max}}$`));
