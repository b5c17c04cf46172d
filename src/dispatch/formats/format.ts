/** What one callback format offers: the exact bytes that are stored, signed and sent. */
import type { CallbackPayload } from '../../model/types.js';

export interface RenderedBody {
  body: string;
  contentType: string;
}

export interface BodyFormat {
  render(payload: CallbackPayload): RenderedBody;
}
