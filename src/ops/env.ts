/**
 * Typed readers of environment variables, used by each part's options.ts. An unset or empty
 * variable takes the fallback; a value that cannot work throws a ConfigError.
 */
import { isIP } from 'node:net';

export type Env = Readonly<Record<string, string | undefined>>;

/** A setting that cannot work. The message is one line and starts with the variable's name. */
export class ConfigError extends Error {
  constructor(variable: string, reason: string, value?: string) {
    super(value === undefined ? `${variable} ${reason}` : `${variable} ${reason}, got ${shown(value)}`);
    this.name = 'ConfigError';
  }
}

/** Quoted and escaped onto one line, with the password of a URL like postgres://user:pw@host masked. */
function shown(value: string): string {
  return JSON.stringify(value.replace(/^([a-z][\w+.-]*:\/\/[^:/@]*):[^/]*@/i, '$1:***@'));
}

function given(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : raw;
}

export interface Range {
  min?: number;
  max?: number;
}

export function optionalInteger(env: Env, name: string, { min = 0, max }: Range = {}): number | undefined {
  const raw = given(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
    throw new ConfigError(name, max === undefined ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`, raw);
  }
  return value;
}

export function integer(env: Env, name: string, fallback: number, range?: Range): number {
  return optionalInteger(env, name, range) ?? fallback;
}

/** A TCP port. 0 (any free port) only works for listening: callers that connect pass min 1. */
export function port(env: Env, name: string, fallback: number, min = 0): number {
  return integer(env, name, fallback, { min, max: 65_535 });
}

export function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = given(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a number from ${min} to ${max}`, raw);
  }
  return value;
}

export function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = given(env, name);
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, 'must be true or false', raw);
}

export function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = given(env, name);
  if (raw === undefined) return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${values.join(', ')}`, raw);
  return raw as T;
}

/** An http(s) URL without trailing slashes, so paths can be appended to it. */
export function httpUrl(env: Env, name: string, fallback?: string): string {
  const raw = given(env, name) ?? fallback ?? '';
  if (!/^https?:\/\/[^/]/.test(raw) || !URL.canParse(raw)) throw new ConfigError(name, 'must be an http(s) URL', raw);
  return raw.replace(/\/+$/, '');
}

// Labels of letters, digits, hyphens and underscores (container DNS names use underscores).
const HOSTNAME = /^(?=.{1,253}\.?$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** An IPv4 or IPv6 literal or a hostname; digits and dots alone must be an IPv4 address. */
export function host(env: Env, name: string, fallback: string): string {
  const raw = given(env, name);
  if (raw === undefined) return fallback;
  if (isIP(raw) === 0 && (/^[\d.]+$/.test(raw) || !HOSTNAME.test(raw))) {
    throw new ConfigError(name, 'must be an IP address or a hostname', raw);
  }
  return raw;
}

/**
 * Variables that only work together: their values when all are set, undefined when none is,
 * a ConfigError naming the missing ones otherwise.
 */
export function group<N extends string>(env: Env, names: readonly N[]): Record<N, string> | undefined {
  const set = names.filter((name) => given(env, name) !== undefined);
  if (set.length === 0) return undefined;
  const missing = names.filter((name) => given(env, name) === undefined);
  if (missing.length > 0) {
    const verb = set.length === 1 ? 'needs' : 'need';
    throw new ConfigError(set.join(', '), `${verb} ${missing.join(', ')} as well: set ${names.length === 2 ? 'both or neither' : 'all or none'}`);
  }
  return Object.fromEntries(names.map((name) => [name, env[name]])) as Record<N, string>;
}
