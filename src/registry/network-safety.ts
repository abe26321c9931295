// Where the registry client may connect. Image references come from pull requests, so a reference can name
// any host: a cloud metadata service (169.254.169.254 answers instance credentials on AWS, GCP, Azure …)
// must never be asked, whatever name leads to it. The check runs on the address each connection is about to
// use, after DNS (a name that resolves to 169.254.169.254 is refused as surely as the address itself, and a
// DNS answer that changes between two lookups cannot slip past), and on IP literals, which skip DNS.
// Through an HTTP(S) proxy the proxy resolves names: only IP literals and the known metadata names can be
// refused there (docs/security.md says so).
import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { NetworkError } from './verdict.js';

/**
 * Link-local and cloud metadata addresses. BlockList matches IPv4-mapped IPv6 forms of the IPv4 entries
 * (`::ffff:169.254.169.254`) too; NAT64 forms (`64:ff9b::a9fe:a9fe`) are listed on their own.
 */
const METADATA_ADDRESSES = new BlockList();
METADATA_ADDRESSES.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local: AWS/GCP/Azure/OCI/DigitalOcean metadata, ECS task credentials
METADATA_ADDRESSES.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
METADATA_ADDRESSES.addSubnet('fe80::', 10, 'ipv6'); // IPv6 link-local
METADATA_ADDRESSES.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
METADATA_ADDRESSES.addSubnet('64:ff9b::a9fe:0', 112, 'ipv6'); // 169.254.0.0/16 through NAT64
METADATA_ADDRESSES.addAddress('64:ff9b::6464:64c8', 'ipv6'); // 100.100.100.200 through NAT64

/** Names of metadata services, refused before any lookup (a proxy would resolve them for us). */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

const WHY = 'a link-local/cloud metadata address';
const HOW_TO_ALLOW = 'set allow-link-local for the registry in the config if it really serves images there';

/** Why `address` (an IP) is never connected to, or null when it may be. */
export function refusedAddress(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return null;
  return METADATA_ADDRESSES.check(address, family === 4 ? 'ipv4' : 'ipv6') ? `refused: ${address} is ${WHY}` : null;
}

/**
 * Why a URL's hostname is refused before any lookup: an IP literal of a metadata address, or a metadata
 * service's name. Null when only the resolved address can tell (see guardedLookup).
 */
export function refusedHostname(hostname: string): string | null {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (isIP(bare)) return refusedAddress(bare);
  return METADATA_NAMES.has(bare) ? `refused: ${bare} is the name of a cloud metadata service` : null;
}

/**
 * A `lookup` for net/tls.connect that resolves with `resolve` (dns.lookup by default) and fails the
 * connection, before it is made, when any address the name resolved to is refused. Any, not all: with
 * several answers the connection may use any of them (happy eyeballs).
 */
export function guardedLookup(resolve: LookupFunction = dns.lookup): LookupFunction {
  return (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    resolve(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
      const refused = addresses.find((resolved) => refusedAddress(resolved) !== null);
      if (refused !== undefined) {
        // net hands this error to the socket as it is; the transport recognises it (classify).
        const refusal = blocked(`refused: ${hostname} resolves to ${refused}, ${WHY}; ${HOW_TO_ALLOW}`);
        return callback(refusal as unknown as NodeJS.ErrnoException, address, family);
      }
      callback(null, address, family);
    });
  };
}

/** What the transport asks before each connection: may `host` (`host[:port]` of the URL) be refused, and how to resolve names. */
export interface AddressGuard {
  /** Hosts (`host[:port]`, as in the config) whose owner allowed link-local addresses for them. */
  allowLinkLocal: ReadonlySet<string>;
  /** How names are resolved (dns.lookup); tests point names at addresses with it. */
  resolve?: LookupFunction;
}

/** The refusal of a URL before it is sent (an IP literal or a metadata name), or null. */
export function refusedUrl(url: URL, guard: AddressGuard): NetworkError | null {
  if (guard.allowLinkLocal.has(url.host)) return null;
  const why = refusedHostname(url.hostname);
  return why ? blocked(`${why}; ${HOW_TO_ALLOW}`) : null;
}

/** The `lookup` a connection to `url` uses. */
export function lookupFor(url: URL, guard: AddressGuard): LookupFunction {
  const resolve = guard.resolve ?? dns.lookup;
  return guard.allowLinkLocal.has(url.host) ? resolve : guardedLookup(resolve);
}

function blocked(message: string): NetworkError {
  return new NetworkError('blocked', message, 'ERR_PULLCHECK_BLOCKED_ADDRESS');
}
