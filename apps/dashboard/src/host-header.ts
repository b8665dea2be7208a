import { isIPv4, isIPv6 } from 'node:net';

/** A Host header split into its name (lower case, IPv6 without brackets) and port. */
export interface HostHeader {
  name: string;
  port: number | undefined;
}

// A DNS name or IPv4 literal: anything else (`@`, `/`, `%`, spaces) has no business in a Host we accept.
const REG_NAME = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;
const PORT = /^:(\d{1,5})$/;

/**
 * Parses `uri-host [":" port]` (RFC 9110 §7.2) strictly: an IPv6 literal must be in brackets, the
 * port must be digits up to 65535, and nothing may follow it. Undefined when the header is not a
 * plain host: a prefix test such as `startsWith('127.')` would accept `127.evil.example`.
 */
export function parseHostHeader(header: string): HostHeader | undefined {
  let name: string;
  let rest: string;
  if (header.startsWith('[')) {
    const end = header.indexOf(']');
    if (end < 0) return undefined;
    name = header.slice(1, end).toLowerCase();
    if (!isIPv6(name)) return undefined;
    rest = header.slice(end + 1);
  } else {
    const colon = header.indexOf(':');
    name = (colon < 0 ? header : header.slice(0, colon)).toLowerCase();
    if (!REG_NAME.test(name)) return undefined;
    rest = colon < 0 ? '' : header.slice(colon);
  }
  if (rest === '') return { name, port: undefined };
  const port = PORT.exec(rest)?.[1];
  if (port === undefined || Number(port) > 65_535) return undefined;
  return { name, port: Number(port) };
}

/**
 * True for names that can only mean this machine: `localhost`, an IPv4 literal in 127.0.0.0/8 (all
 * four parts: `127.1` or `127.evil.example` are not literals), `::1` in any spelling and IPv4-mapped
 * 127.x.y.z.
 */
export function isLoopbackName(name: string): boolean {
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIPv4(bare)) return bare.startsWith('127.');
  if (!isIPv6(bare)) return false;
  const normal = new URL(`http://[${bare}]/`).hostname; // one spelling: [::1], [::ffff:7f00:1]
  return normal === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(normal);
}

/**
 * Which Host headers a dashboard answers to. Bound to a loopback address, only loopback names and
 * the name it was started with: a web page elsewhere could otherwise rebind its own DNS name to
 * 127.0.0.1 and read the dashboard (DNS rebinding). Bound beyond loopback it serves whoever can
 * reach it, under any name. A request without a Host header is refused too (browsers always send one).
 */
export function hostChecker(
  boundName: string,
  boundAddress: string,
): (header: string | undefined) => boolean {
  if (!isLoopbackName(boundAddress)) return () => true;
  const bound = parseHostHeader(isIPv6(boundName) ? `[${boundName}]` : boundName)?.name;
  return (header) => {
    if (header === undefined) return false;
    const host = parseHostHeader(header);
    return host !== undefined && (isLoopbackName(host.name) || host.name === bound);
  };
}
