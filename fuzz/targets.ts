/** Every fuzzing target, in the order `npm run fuzz` runs them. */
import type { FuzzTarget } from './harness.js';
import { apiAccountTarget, apiForwardingTarget, apiMessageIdsTarget, apiMessagesTarget } from './targets/api.js';
import { emailTarget, forwardingRulesTarget, smppReceiptTarget, smppSubmitTarget } from './targets/pure.js';
import { upstreamWebhookTarget, websmsWebhookTarget, whatsappWebhookTarget } from './targets/webhooks.js';
import { legacyXmlTarget, websmsApiTarget } from './targets/websms.js';

export const TARGETS: ReadonlyArray<FuzzTarget<any>> = [
  apiMessagesTarget,
  apiForwardingTarget,
  apiAccountTarget,
  apiMessageIdsTarget,
  forwardingRulesTarget,
  smppReceiptTarget,
  whatsappWebhookTarget,
  upstreamWebhookTarget,
  websmsWebhookTarget,
  websmsApiTarget,
  legacyXmlTarget,
  smppSubmitTarget,
  emailTarget,
];
