/** What one callback format offers: the exact bytes that are stored, signed and sent. */
import type { CallbackPayload, Message } from '../../model/types.js';
import type { Verdict } from '../../model/retry.js';

export interface RenderedBody {
  body: string;
  contentType: string;
}

/** What an HTTP receiver's answer says about a callback; `error` is kept with the attempt. */
export interface AnswerJudgement {
  verdict: Verdict;
  error?: string;
}

export interface BodyFormat {
  /** `message` is the message the payload was built from (interface report formats read it). */
  render(payload: CallbackPayload, message?: Message): RenderedBody;
  /**
   * How an HTTP receiver of this format acknowledges, from its status code and (the start of)
   * its body. Absent: by the status code alone (model/retry.ts classifyHttpStatus).
   */
  judgeAnswer?(statusCode: number, body: string): AnswerJudgement;
  /**
   * The body of one batched POST (docs/callbacks.md, "Batches") from its items' bodies, each
   * carried unchanged. Absent: the format is never batched (its callbacks go one per POST).
   */
  renderBatch?(bodies: readonly string[]): string;
}
