/**
 * The callback body in the format the customer chose (docs/callbacks.md). Every format a
 * delivery can name (BODY_FORMATS in model/destination.ts: the rule formats json and xml, and the
 * interfaces' report formats) has one entry in FORMAT_REGISTRY: it renders the payload to the
 * exact bytes that are stored, signed and sent, and may say how an HTTP receiver acknowledges.
 */
import type { CallbackPayload, Message } from '../model/types.js';
import type { BodyFormatName } from '../model/destination.js';
import { classifyHttpStatus } from '../model/retry.js';
import type { AnswerJudgement, BodyFormat, RenderedBody } from './formats/format.js';
import { jsonFormat } from './formats/json.js';
import { xmlFormat } from './formats/xml.js';
import { websmsJsonFormat, websmsXmlFormat } from './formats/websms.js';

const FORMAT_REGISTRY: Readonly<Record<BodyFormatName, BodyFormat>> = {
  json: jsonFormat,
  xml: xmlFormat,
  websms_json: websmsJsonFormat,
  websms_xml: websmsXmlFormat,
  // The SMPP sender writes the deliver_sm from the stored JSON callback (intake/smpp/sender.ts);
  // `smpp_json` also carries that JSON in message_payload.
  smpp_receipt: jsonFormat,
  smpp_json: jsonFormat,
};

export function renderBody(payload: CallbackPayload, format: BodyFormatName, message?: Message): RenderedBody {
  return FORMAT_REGISTRY[format].render(payload, message);
}

/** What an HTTP answer to a callback of `format` says: the format's own rule, else the status code. */
export function judgeHttpAnswer(format: BodyFormatName, statusCode: number, body: string): AnswerJudgement {
  const judge = FORMAT_REGISTRY[format]?.judgeAnswer;
  return judge ? judge(statusCode, body) : { verdict: classifyHttpStatus(statusCode) };
}

/** What makes the body of a batched POST of `format` callbacks; undefined when the format is never batched. */
export function batchRenderer(format: BodyFormatName): ((bodies: readonly string[]) => string) | undefined {
  return FORMAT_REGISTRY[format]?.renderBatch;
}

export { parseXmlCallback, parseXmlCallbacks } from './formats/xml.js';
