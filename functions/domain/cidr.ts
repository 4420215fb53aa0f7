/** IPv4 CIDR parsing: the JSON Schema checks the shape, this checks the numbers. */

export interface Ipv4Cidr {
  address: number;
  prefix: number;
}

export function parseCidr(text: string): Ipv4Cidr | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { address, prefix };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The network address of a CIDR, e.g. 203.0.113.0/24 for 203.0.113.7/24. */
export function networkOf(cidr: Ipv4Cidr): string {
  const network = (cidr.address & mask(cidr.prefix)) >>> 0;
  return `${[24, 16, 8, 0].map((shift) => (network >>> shift) & 255).join('.')}/${cidr.prefix}`;
}

/** Why a CIDR string is unusable, or undefined when it is fine. */
export function cidrProblem(text: string): string | undefined {
  const cidr = parseCidr(text);
  if (!cidr) return `"${text}" is not an IPv4 CIDR block (octets 0-255, prefix 0-32)`;
  const network = networkOf(cidr);
  if (network !== text) return `"${text}" has host bits set; did you mean "${network}"?`;
  return undefined;
}

/** True when every address of `inner` is also in `outer` (a block contains itself); false when either does not parse. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i || i.prefix < o.prefix) return false;
  return ((o.address & mask(o.prefix)) >>> 0) === ((i.address & mask(o.prefix)) >>> 0);
}

/** CIDR lists compare as sets (EKS returns them in its own order). */
export function sameCidrSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((c) => right.has(c));
}
