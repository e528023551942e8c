/**
 * Where the server may send an outgoing request (feeds now, webhooks later): the pure half of
 * the SSRF guard. It classifies IP addresses (every IPv4 spelling WHATWG URLs and ipaddr.js
 * accept, IPv4-mapped / NAT64 / 6to4 IPv6 forms by the IPv4 address they carry), refuses
 * loopback, private, link-local, unspecified, metadata and other non-public destinations and
 * non-standard ports, and honours an operator's allow-list of hosts and CIDRs.
 *
 * No I/O here: the fetch-time half (DNS resolution pinned through a checked `lookup`) lives
 * in domain/feeds/fetch.ts and calls checkUrl() per hop and checkAddress() per resolved address.
 */
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'shared'
  | 'reserved';

export interface DestinationPolicy {
  /** Lower-case host names (no trailing dot) allowed whatever they resolve to, on any port. */
  allowHosts: ReadonlySet<string>;
  /** Address ranges allowed on any port (a single address is a /32 or /128). */
  allowRanges: ReadonlyArray<[Address, number]>;
  /** Ports allowed for everything not on the allow-list. */
  allowedPorts: ReadonlySet<number>;
}

export const DEFAULT_ALLOWED_PORTS: readonly number[] = [80, 443];

/** Nothing allowed beyond public addresses on ports 80 and 443. */
export const STRICT_POLICY: DestinationPolicy = { allowHosts: new Set(), allowRanges: [], allowedPorts: new Set(DEFAULT_ALLOWED_PORTS) };

/** Names that always mean "this machine" or "the cloud metadata service", whatever DNS says. */
const INTERNAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback', 'metadata', 'metadata.google.internal', 'instance-data', 'instance-data.ec2.internal']);

/** Well-known metadata service addresses (the first is also link-local; named separately so the reason says so). */
const METADATA = ['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '100.100.100.200'];

export class DestinationPolicyError extends Error {
  override readonly name = 'DestinationPolicyError';
}

/**
 * Parses the allow-list (TIDINGS_FETCH_ALLOW_HOSTS: comma- or space-separated host names, IP
 * addresses and CIDRs) and the extra ports (TIDINGS_FETCH_ALLOW_PORTS). Throws on a bad entry,
 * so a typo fails at start-up instead of silently allowing or refusing.
 */
export function parseDestinationPolicy(allowHosts: string | undefined, allowPorts?: string): DestinationPolicy {
  const hosts = new Set<string>();
  const ranges: Array<[Address, number]> = [];
  for (const entry of (allowHosts ?? '').split(/[\s,]+/).filter(Boolean)) {
    const bare = entry.replace(/^\[(.*)\]$/, '$1');
    if (bare.includes('/')) {
      try {
        ranges.push(ipaddr.parseCIDR(bare));
      } catch {
        throw new DestinationPolicyError(`"${entry}" is not a valid CIDR (e.g. 10.0.0.0/8 or fd00::/8)`);
      }
    } else if (ipaddr.isValid(bare)) {
      const addr = ipaddr.parse(bare);
      ranges.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(bare)) {
      hosts.add(bare.toLowerCase().replace(/\.$/, ''));
    } else {
      throw new DestinationPolicyError(`"${entry}" is neither a host name, an IP address nor a CIDR`);
    }
  }
  const ports = new Set(DEFAULT_ALLOWED_PORTS);
  for (const raw of (allowPorts ?? '').split(/[\s,]+/).filter(Boolean)) {
    const port = Number(raw);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DestinationPolicyError(`"${raw}" is not a TCP port`);
    ports.add(port);
  }
  return { allowHosts: hosts, allowRanges: ranges, allowedPorts: ports };
}

/** The IPv4 address an IPv6 address stands for (mapped, translated, NAT64, 6to4), if any. */
function embeddedIPv4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = addr.range();
  const bytes = addr.toByteArray();
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  return null;
}

/** Parses an address as written in a URL host or returned by DNS; null when it is not an IP address. */
export function parseAddress(raw: string): Address | null {
  const bare = raw.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  return ipaddr.isValid(bare) ? ipaddr.parse(bare) : null;
}

export function classifyAddress(raw: string | Address): AddressClass {
  const parsed = typeof raw === 'string' ? parseAddress(raw) : raw;
  if (!parsed) throw new DestinationPolicyError(`"${String(raw)}" is not an IP address`);
  let addr: Address = parsed;
  if (addr.kind() === 'ipv6') {
    const v4 = embeddedIPv4(addr as ipaddr.IPv6);
    if (v4) addr = v4;
  }
  const text = addr.toNormalizedString();
  if (METADATA.some((m) => ipaddr.parse(m).toNormalizedString() === text)) return 'metadata';
  const range = addr.range();
  switch (range) {
    case 'unicast':
      return 'public';
    case 'loopback':
      return 'loopback';
    case 'private':
    case 'uniqueLocal':
      return 'private';
    case 'linkLocal':
      return 'link-local';
    case 'unspecified':
      return 'unspecified';
    case 'multicast':
      return 'multicast';
    case 'broadcast':
      return 'broadcast';
    case 'carrierGradeNat':
      return 'shared';
    default:
      // reserved, benchmarking, documentation, teredo, as112, amt, orchid, ...: nothing a feed lives on.
      return 'reserved';
  }
}

export interface Refusal {
  /** Why, in words fit for a feed's lastError: the destination, never anything learnt by connecting. */
  reason: string;
}

function inAllowedRange(addr: Address, policy: DestinationPolicy): boolean {
  for (const [range, bits] of policy.allowRanges) {
    if (range.kind() === addr.kind() && addr.match(range, bits)) return true;
    // An IPv4 range also covers the IPv4-mapped spelling of its addresses, and vice versa.
    if (addr.kind() === 'ipv6' && range.kind() === 'ipv4') {
      const v4 = embeddedIPv4(addr as ipaddr.IPv6);
      if (v4 && v4.match(range, bits)) return true;
    }
  }
  return false;
}

function describe(cls: AddressClass): string {
  switch (cls) {
    case 'metadata':
      return 'a cloud metadata address';
    case 'unspecified':
      return 'an unspecified address (0.0.0.0 / ::)';
    case 'shared':
      return 'a shared (carrier-grade NAT) address';
    default:
      return `a ${cls} address`;
  }
}

const ALLOW_HINT = 'allow it with TIDINGS_FETCH_ALLOW_HOSTS if it is meant to be fetched';

/** Checks one resolved (or literal) address; null when it may be connected to. */
export function checkAddress(address: string, policy: DestinationPolicy, hostLabel = address): Refusal | null {
  const addr = parseAddress(address);
  if (!addr) return { reason: `refused: ${hostLabel} did not resolve to an IP address` };
  if (inAllowedRange(addr, policy)) return null;
  const cls = classifyAddress(addr);
  if (cls === 'public') return null;
  return { reason: `refused: ${hostLabel} is ${describe(cls)}; ${ALLOW_HINT}` };
}

/** The host of a URL as the allow-list and DNS see it: lower case, no brackets, no trailing dot. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

/**
 * Checks what a URL says before anything is resolved or connected: scheme, literal addresses,
 * internal names and the port. Names still need checkAddress() on every address they resolve to.
 */
export function checkUrl(url: URL, policy: DestinationPolicy): Refusal | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { reason: `refused: only http and https are fetched, got ${url.protocol}` };
  const host = urlHost(url);
  if (!host) return { reason: 'refused: the URL has no host' };
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const literal = parseAddress(host);
  const allowListed = policy.allowHosts.has(host) || (literal !== null && inAllowedRange(literal, policy));
  if (allowListed) return null;
  if (literal) {
    const refusal = checkAddress(host, policy, url.hostname);
    if (refusal) return refusal;
  } else if (INTERNAL_NAMES.has(host) || host.endsWith('.localhost')) {
    return { reason: `refused: ${host} names this machine or a metadata service; ${ALLOW_HINT}` };
  }
  if (!policy.allowedPorts.has(port)) {
    return { reason: `refused: port ${port} is not fetched (allowed: ${[...policy.allowedPorts].sort((a, b) => a - b).join(', ')}); ${ALLOW_HINT}` };
  }
  return null;
}

/** True when the host is on the allow-list by name (its addresses are then not checked). */
export function hostAllowListed(url: URL, policy: DestinationPolicy): boolean {
  return policy.allowHosts.has(urlHost(url));
}
