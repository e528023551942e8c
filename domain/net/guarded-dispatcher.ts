/**
 * The fetch-time half of the SSRF guard (destination-guard.ts is the pure half): an undici
 * dispatcher whose sockets resolve names through a checked `lookup`. Every address a name
 * resolves to is checked, and the socket connects to exactly the addresses checked, so DNS
 * rebinding cannot swap in another address between check and connect. Literal addresses never
 * reach a lookup: callers check each URL (every redirect hop included) with checkUrl().
 * Feeds use it (domain/feeds/fetch.ts); webhooks are meant to.
 */
import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Agent } from 'undici';
import { checkAddress, type DestinationPolicy } from './destination-guard';

/** Raised by the lookup when a resolved address is refused; find it with refusalIn(). */
export class DestinationRefused extends Error {
  override readonly name = 'DestinationRefused';
}

export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolve: Resolve = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The `lookup` the sockets use: resolves once, checks every address, and hands the socket only
 * checked addresses, so the address connected to is the address checked (no DNS rebinding
 * between a check and the connect). Refuses the name if any address it has is refused.
 */
export function guardedLookup(policy: DestinationPolicy, resolve: Resolve = systemResolve) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const name = hostname.replace(/\.$/, '').toLowerCase();
    resolve(hostname)
      .then((addresses) => {
        if (addresses.length === 0) throw new DestinationRefused(`refused: ${name} has no address`);
        if (!policy.allowHosts.has(name)) {
          for (const a of addresses) {
            const refusal = checkAddress(a.address, policy, name);
            if (refusal) throw new DestinationRefused(refusal.reason);
          }
        }
        const family = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) {
          const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
          throw err;
        }
        if (options.all) callback(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      })
      .catch((err: NodeJS.ErrnoException) => callback(err, ''));
  };
}

/** A dispatcher for undici's fetch whose every connection goes through guardedLookup. Destroy it after use. */
export function guardedDispatcher(policy: DestinationPolicy, resolve: Resolve = systemResolve): Agent {
  return new Agent({ connect: { lookup: guardedLookup(policy, resolve) } });
}

/** The DestinationRefused somewhere in an error's cause chain (fetch wraps socket errors), if any. */
export function refusalIn(err: unknown): DestinationRefused | null {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DestinationRefused) return e;
  }
  return null;
}
