/**
 * Which sender delivers a destination type on this node, and which destinations this node
 * serves. A type without a sender is still claimed here, and dispatch fails its callbacks for
 * good; a key whose sender serves only some keys (Sender.servedKeys) and not this one is left
 * in the outbox for the node that serves it.
 */
import type { ClaimRestriction } from '../store/store.js';
import { destinationKeyPrefix, type DestinationType } from '../model/destination.js';
import type { Sender, Senders } from './sender.js';

export interface SenderRegistry {
  /** The sender for a destination type; undefined when none is registered. */
  senderFor(type: DestinationType): Sender | undefined;
  /** Whether this node may take callbacks to the destination key. */
  serves(destinationKey: string): boolean;
  /** What claims on this node must leave to other nodes; undefined when it serves every key. */
  claimRestriction(): ClaimRestriction | undefined;
}

export function createSenderRegistry(senders: Senders): SenderRegistry {
  /** Senders that serve only some keys of their type, with the prefix every key of that type has. */
  const partial: Array<{ prefix: string; servedKeys: () => ReadonlySet<string> }> = [];
  for (const [type, sender] of Object.entries(senders) as Array<[DestinationType, Sender | undefined]>) {
    if (sender?.servedKeys) partial.push({ prefix: destinationKeyPrefix(type), servedKeys: sender.servedKeys.bind(sender) });
  }

  return {
    senderFor: (type) => senders[type],
    serves(destinationKey) {
      const owner = partial.find(({ prefix }) => destinationKey.startsWith(prefix));
      return owner === undefined || owner.servedKeys().has(destinationKey);
    },
    claimRestriction() {
      if (partial.length === 0) return undefined;
      return {
        keyPrefixes: partial.map(({ prefix }) => prefix),
        keys: partial.flatMap(({ servedKeys }) => [...servedKeys()]),
      };
    },
  };
}
