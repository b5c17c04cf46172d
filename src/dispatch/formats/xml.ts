/**
 * XML carries the same fields as JSON: one element per field, nested objects nested, arrays as
 * repeated elements, under one <status_callback> root. A batch is a <status_callbacks> root with
 * each callback's body, without its XML declaration, inside.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { BodyFormat } from './format.js';

const ROOT = 'status_callback';
const BATCH_ROOT = 'status_callbacks';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Paths whose elements are always a list, even when only one is present. */
const ARRAY_PATHS: ReadonlySet<string> = new Set([`${ROOT}.sms.segments`, `${BATCH_ROOT}.${ROOT}`, `${BATCH_ROOT}.${ROOT}.sms.segments`]);

const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: false });

const parser = new XMLParser({
  ignoreDeclaration: true,
  // Everything stays a string: prices ("0.0330") and phone numbers must not turn into numbers.
  parseTagValue: false,
  // Values are kept exactly; the indentation between elements is removed by dropLayout below.
  trimValues: false,
  isArray: (_name, jpath) => ARRAY_PATHS.has(String(jpath)),
});

export const xmlFormat: BodyFormat = {
  render: (payload) => ({ body: DECLARATION + builder.build({ [ROOT]: payload }), contentType: 'application/xml' }),
  renderBatch: (bodies) =>
    `${DECLARATION}<${BATCH_ROOT}>\n${bodies.map((body) => (body.startsWith(DECLARATION) ? body.slice(DECLARATION.length) : body)).join('')}</${BATCH_ROOT}>\n`,
};

/**
 * Parses an XML callback back into the payload (leaf values as strings). Dispatch never needs
 * it (senders read the headline columns); it is the renderer's inverse, which the tests check.
 */
export function parseXmlCallback(xml: string): object {
  const document = parser.parse(xml) as Record<string, unknown>;
  const root = document[ROOT];
  if (root === undefined) throw new Error(`not a status callback: no <${ROOT}> element`);
  return (root === '' ? {} : dropLayout(root)) as object;
}

/** Parses a batch body back into its payloads, as parseXmlCallback does one callback. */
export function parseXmlCallbacks(xml: string): object[] {
  const document = parser.parse(xml) as Record<string, { [ROOT]?: unknown[] } | string>;
  const root = document[BATCH_ROOT];
  if (root === undefined) throw new Error(`not a batch of status callbacks: no <${BATCH_ROOT}> element`);
  return typeof root === 'string' ? [] : (root[ROOT] ?? []).map((item) => (item === '' ? {} : dropLayout(item)) as object);
}

/** Removes the whitespace-only text that pretty-printing leaves beside child elements. */
function dropLayout(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropLayout);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '#text' && typeof child === 'string' && child.trim() === '') continue;
    out[key] = dropLayout(child);
  }
  return out;
}
