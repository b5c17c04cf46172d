/**
 * The callback body in the format the customer chose (docs/callbacks.md). Every format the
 * forwarding rules accept (FORMATS in model/destination.ts) has one entry in FORMAT_REGISTRY:
 * it renders the payload to the exact bytes that are stored, signed and sent.
 */
import type { CallbackPayload } from '../model/types.js';
import type { Format } from '../model/destination.js';
import type { BodyFormat, RenderedBody } from './formats/format.js';
import { jsonFormat } from './formats/json.js';
import { xmlFormat } from './formats/xml.js';

const FORMAT_REGISTRY: Readonly<Record<Format, BodyFormat>> = {
  json: jsonFormat,
  xml: xmlFormat,
};

export function renderBody(payload: CallbackPayload, format: Format): RenderedBody {
  return FORMAT_REGISTRY[format].render(payload);
}

export { parseXmlCallback } from './formats/xml.js';
