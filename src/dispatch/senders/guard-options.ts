/** The destination guard's setting (destination-guard.ts, and the API's URL checks). */
import { ConfigError, type Env } from '../../ops/env.js';
import { parseCidrList, type Cidr } from '../../model/address.js';

export interface DestinationGuardConfig {
  /** Networks opted back in although the guard would refuse them (e.g. 127.0.0.0/8 in tests). */
  allowedNetworks: Cidr[];
}

export function readDestinationGuardOptions(env: Env): DestinationGuardConfig {
  const raw = env.ALLOWED_DESTINATION_NETWORKS ?? '';
  try {
    return { allowedNetworks: parseCidrList(raw) };
  } catch (error) {
    throw new ConfigError('ALLOWED_DESTINATION_NETWORKS', `must be comma-separated CIDR ranges: ${(error as Error).message}`, raw);
  }
}
