/** Where a status change goes and in which format. */

export const FORMATS = Object.freeze(['json', 'xml'] as const);
export type Format = (typeof FORMATS)[number];

export type Destination =
  | { type: 'url'; url: string }
  | { type: 'email'; address: string }
  | { type: 'sqs'; queue_url: string }
  | { type: 'smpp'; system_id: string };

export type DestinationType = Destination['type'];

export interface Delivery {
  destination: Destination;
  format: Format;
}

/**
 * Destinations that share a key share a concurrency limit and an order lane: one origin for
 * HTTP, one queue for SQS, one SMPP session. Every mail leaves through the one configured SMTP
 * relay, so all e-mail shares one key: a dead relay then holds one destination's slots, not one
 * set per recipient domain (which could starve HTTP and SQS of the global in-flight limit).
 */
export function destinationKey(destination: Destination): string {
  switch (destination.type) {
    case 'url':
      return `url:${new URL(destination.url).origin}`;
    case 'email':
      return 'email:relay';
    case 'sqs':
      return `sqs:${destination.queue_url}`;
    case 'smpp':
      return `smpp:${destination.system_id}`;
  }
}
