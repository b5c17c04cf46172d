/**
 * The legacy XML interface's request parser (docs/websms-legacy.xsd). Hostile input is refused
 * before the parser sees it: no DTD, no entity declarations (so no entity expansion and nothing
 * fetched), at most MAX_BYTES and MAX_DEPTH levels of elements. Only the five predefined entities
 * and character references are decoded.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export const LEGACY_XML_LIMITS = Object.freeze({ maxBytes: 64 * 1024, maxDepth: 8 });

export const REQUEST_ROOT = 'smsSendRequest';
export const RESPONSE_ROOT = 'smsSendResponse';

export type LegacyParse = { ok: true; request: Record<string, unknown> } | { ok: false; reason: string };

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Values stay text here; the fields that are numbers or booleans are converted below.
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (_name, jpath) => String(jpath) === `${REQUEST_ROOT}.recipientAddressList.recipientAddress`,
});

const BOOLEAN_FIELDS = new Set(['test', 'sendAsFlashSms']);
const INTEGER_FIELDS = new Set(['priority', 'maxSmsPerMessage', 'validityPeriode']);
const TEXT_FIELDS = new Set(['messageContent', 'senderAddress', 'senderAddressType', 'notificationCallbackUrl', 'clientMessageId', 'contentCategory', 'messageType']);

/** The deepest element nesting, counted without parsing; stops counting past `limit`. */
function depthOver(xml: string, limit: number): boolean {
  let depth = 0;
  const tags = /<(\/?)[A-Za-z_][^\s/>]*[^>]*?(\/?)>/g;
  for (let match = tags.exec(xml); match; match = tags.exec(xml)) {
    if (match[1]) depth -= 1;
    else if (!match[2]) {
      depth += 1;
      if (depth > limit) return true;
    }
  }
  return false;
}

export function parseLegacyRequest(xml: string): LegacyParse {
  if (Buffer.byteLength(xml, 'utf8') > LEGACY_XML_LIMITS.maxBytes) {
    return { ok: false, reason: `the document is larger than ${LEGACY_XML_LIMITS.maxBytes} bytes` };
  }
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    return { ok: false, reason: 'DTDs and entity declarations are not allowed' };
  }
  if (depthOver(xml, LEGACY_XML_LIMITS.maxDepth)) {
    return { ok: false, reason: `elements are nested deeper than ${LEGACY_XML_LIMITS.maxDepth} levels` };
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return { ok: false, reason: `line ${valid.err.line}: ${valid.err.msg}` };
  let document: Record<string, unknown>;
  try {
    document = parser.parse(xml) as Record<string, unknown>;
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
  const roots = Object.keys(document);
  if (roots.length !== 1 || roots[0] !== REQUEST_ROOT) return { ok: false, reason: `the root element must be <${REQUEST_ROOT}>` };
  const root = document[REQUEST_ROOT];
  if (root === null || typeof root !== 'object' || Array.isArray(root)) return { ok: true, request: {} };
  return toRequest(root as Record<string, unknown>);
}

/** The element tree → the JSON request the websms validator reads. */
function toRequest(root: Record<string, unknown>): LegacyParse {
  const request: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(root)) {
    if (name === 'recipientAddressList') {
      const list = value as { recipientAddress?: unknown[] } | string;
      request.recipientAddressList = typeof list === 'object' && list !== null ? (list.recipientAddress ?? []) : [];
      continue;
    }
    if (Array.isArray(value)) return { ok: false, reason: `<${name}> may appear only once` };
    if (typeof value === 'object' && value !== null) return { ok: false, reason: `<${name}> must contain text only` };
    const text = String(value ?? '');
    if (BOOLEAN_FIELDS.has(name)) request[name] = text === 'true' ? true : text === 'false' ? false : text;
    else if (INTEGER_FIELDS.has(name)) request[name] = /^-?\d{1,15}$/.test(text) ? Number(text) : text;
    else if (TEXT_FIELDS.has(name)) request[name] = text;
    else return { ok: false, reason: `unknown element <${name}>` };
  }
  return { ok: true, request };
}

const builder = new XMLBuilder({ format: true, indentBy: '  ', suppressEmptyNode: true });

/** The answer document: <smsSendResponse> with the same fields as the JSON answer. */
export function renderLegacyAnswer(answer: object): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + builder.build({ [RESPONSE_ROOT]: answer });
}
