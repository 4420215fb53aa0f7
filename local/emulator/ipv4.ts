/**
 * IPv4 and CIDR arithmetic for the emulated services, in one place: CloudFormation's Fn::Cidr and
 * its VPC/subnet checks, EKS's publicAccessCidrs, EC2's subnet address counts and the private
 * addresses instances and network interfaces get. Addresses are unsigned 32-bit numbers.
 */

export interface Ipv4Cidr {
  /** The address as written (host bits may be set). */
  address: number;
  prefix: number;
}

export interface Ipv4Range {
  /** The network address. */
  first: number;
  /** Number of addresses in the block (2^(32-prefix)). */
  size: number;
  prefix: number;
}

/** `a.b.c.d/n` with octets 0-255 and n 0-32; undefined otherwise. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  return { address: octets.reduce((acc, o) => acc * 256 + o, 0), prefix };
}

/** `a.b.c.d` as a number; undefined when malformed. */
export function parseIpv4(text: string): number | undefined {
  return parseCidr(`${text}/32`)?.address;
}

export function formatIpv4(address: number): string {
  return [2 ** 24, 2 ** 16, 2 ** 8, 1].map((unit) => Math.floor(address / unit) % 256).join('.');
}

/** The block a CIDR names: its network address and size; undefined when malformed. */
export function ipv4Range(text: string): Ipv4Range | undefined {
  const cidr = parseCidr(text);
  if (!cidr) return undefined;
  const size = 2 ** (32 - cidr.prefix);
  return { first: Math.floor(cidr.address / size) * size, size, prefix: cidr.prefix };
}

/** The CIDR written with its network address (`10.0.0.7/24` → `10.0.0.0/24`); undefined when malformed. */
export function canonicalCidr(text: string): string | undefined {
  const range = ipv4Range(text);
  return range && `${formatIpv4(range.first)}/${range.prefix}`;
}

/** True when the address (`a.b.c.d`) or every address of the block (`a.b.c.d/n`) lies in `cidr`. */
export function cidrContains(cidr: string, addressOrBlock: string): boolean {
  const outer = ipv4Range(cidr);
  const inner = ipv4Range(addressOrBlock.includes('/') ? addressOrBlock : `${addressOrBlock}/32`);
  if (!outer || !inner) return false;
  return inner.first >= outer.first && inner.first + inner.size <= outer.first + outer.size;
}

/** True when the two blocks share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const left = ipv4Range(a);
  const right = ipv4Range(b);
  return Boolean(left && right && left.first < right.first + right.size && right.first < left.first + left.size);
}

/** `count` consecutive blocks of 2^hostBits addresses from the start of `block` (Fn::Cidr); a string says why not. */
export function carveCidr(block: string, count: number, hostBits: number): string[] | { problem: string } {
  const range = ipv4Range(block);
  if (!range) return { problem: `requires an IPv4 CIDR block as ipBlock, got "${block}"` };
  if (!Number.isInteger(count) || count < 1 || count > 256) return { problem: `count must be an integer from 1 to 256, got ${count}` };
  const prefix = 32 - hostBits;
  if (!Number.isInteger(hostBits) || hostBits < 0 || prefix < range.prefix) return { problem: `cidrBits ${hostBits} does not fit in ${block}` };
  const size = 2 ** hostBits;
  if (count * size > range.size) return { problem: `cannot carve ${count} subnets of /${prefix} from ${block}` };
  return Array.from({ length: count }, (_, i) => `${formatIpv4(range.first + i * size)}/${prefix}`);
}

/**
 * Addresses of a VPC subnet an interface may get. AWS reserves five per subnet: the network
 * address, the next three (VPC router, DNS, future use) and the broadcast address.
 */
export const SUBNET_RESERVED_LOW = 4;
export const SUBNET_RESERVED_HIGH = 1;

export function usableAddressCount(cidr: string): number {
  const range = ipv4Range(cidr);
  return range ? Math.max(0, range.size - SUBNET_RESERVED_LOW - SUBNET_RESERVED_HIGH) : 0;
}

/**
 * A free address of the subnet `cidr` for a new interface: never a reserved one nor one in
 * `taken`. AWS hands out addresses in no promised order; a random start (`random` in [0, 1), the
 * world's seeded one) spreads them as it does while staying reproducible. Undefined when full.
 */
export function allocateAddress(cidr: string, taken: ReadonlySet<string>, random: () => number): string | undefined {
  const range = ipv4Range(cidr);
  if (!range) return undefined;
  const usable = usableAddressCount(cidr);
  if (usable === 0) return undefined;
  const firstUsable = range.first + SUBNET_RESERVED_LOW;
  const start = Math.floor(random() * usable);
  for (let i = 0; i < usable; i++) {
    const candidate = formatIpv4(firstUsable + ((start + i) % usable));
    if (!taken.has(candidate)) return candidate;
  }
  return undefined;
}
