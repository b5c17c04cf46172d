/** Which SMTP and SQS failures are tried again and which are final, as tables. */
import './helpers/leak-guard.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifySmtpFailure, classifySqsFailure } from '../src/dispatch/retry-policy.js';
import type { Verdict } from '../src/model/retry.js';

const smtp: Array<[number | undefined, string | undefined, Verdict, string]> = [
  [451, 'EENVELOPE', 'retry', 'greylisting'],
  [421, 'EPROTOCOL', 'retry', 'service not available'],
  [452, 'EENVELOPE', 'retry', 'mailbox full for now'],
  [550, 'EENVELOPE', 'failed', 'no such mailbox'],
  [554, 'EMESSAGE', 'failed', 'message refused'],
  [535, 'EAUTH', 'retry', 'our own credentials: the operator can fix them'],
  [undefined, 'ECONNECTION', 'retry', 'connection dropped'],
  [undefined, 'ETIMEDOUT', 'retry', 'timeout'],
  [undefined, 'ETLS', 'retry', 'TLS handshake'],
  [undefined, 'ECONNREFUSED', 'retry', 'relay down'],
  [undefined, 'EENVELOPE', 'failed', 'envelope nodemailer refused before sending'],
  [undefined, undefined, 'failed', 'unknown error'],
];
for (const [reply, code, verdict, why] of smtp) {
  test(`SMTP ${reply ?? '-'} ${code ?? '-'} → ${verdict} (${why})`, () => assert.equal(classifySmtpFailure(reply, code), verdict));
}

const sqs: Array<[Parameters<typeof classifySqsFailure>[0], Verdict, string]> = [
  [{ name: 'ThrottlingException', httpStatus: 400 }, 'retry', 'throttled (a 400 by status)'],
  [{ name: 'RequestThrottled', httpStatus: 403 }, 'retry', 'throttled, old code'],
  [{ name: 'InternalError', httpStatus: 500 }, 'retry', 'server error'],
  [{ name: 'ServiceUnavailable', httpStatus: 503 }, 'retry', 'unavailable'],
  [{ name: 'Whatever', httpStatus: 502 }, 'retry', 'any 5xx'],
  [{ name: 'AccessDenied', httpStatus: 403 }, 'failed', 'access denied'],
  [{ name: 'InvalidClientTokenId', httpStatus: 403 }, 'failed', 'unknown key'],
  [{ name: 'QueueDoesNotExist', httpStatus: 400 }, 'failed', 'no such queue'],
  [{ name: 'KMS.AccessDeniedException', httpStatus: 400 }, 'failed', 'no access to the queue key'],
  [{ name: 'InvalidMessageContents', senderFault: true }, 'failed', 'batch entry: our fault'],
  [{ name: 'InternalError', senderFault: false }, 'retry', 'batch entry: the service\'s fault'],
  [{ name: 'SomethingNew', senderFault: false }, 'retry', 'batch entry: unknown code, not our fault'],
  [{ name: 'Error', errorCode: 'ECONNREFUSED' }, 'retry', 'endpoint down'],
  [{ name: 'TimeoutError' }, 'retry', 'SDK timeout'],
  [{ name: 'TypeError' }, 'failed', 'a bug'],
];
for (const [facts, verdict, why] of sqs) {
  test(`SQS ${JSON.stringify(facts)} → ${verdict} (${why})`, () => assert.equal(classifySqsFailure(facts), verdict));
}
