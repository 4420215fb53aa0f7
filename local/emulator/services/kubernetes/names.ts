/**
 * Deterministic names and addresses for the objects derived from the cluster (pods, replica
 * sets, Fargate nodes): the same cluster state always lists the same names, as a real cluster
 * keeps them until the pods are recreated.
 */
import { createHash } from 'node:crypto';

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no confusable digits). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function digest(seed: string): Buffer {
  return createHash('sha256').update(seed).digest();
}

/** `x7k2q`: a pod or replica set name suffix. */
export function nameSuffix(seed: string, length = 5): string {
  return [...digest(seed).subarray(0, length)].map((b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
}

/** A pod-template-hash, as a Deployment's ReplicaSet and pods carry it: `5b8cc885bc`. */
export function templateHash(seed: string): string {
  return nameSuffix(`template/${seed}`, 10);
}

export function uid(seed: string): string {
  const hex = digest(`uid/${seed}`).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function toInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) >>> 0;
}
function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/**
 * An address inside a CIDR chosen by the seed, never one of the five AWS reserves in a subnet
 * (network, router, DNS, future, broadcast) and never one of `avoid`.
 */
export function addressIn(cidr: string, seed: string, avoid: string[] = []): string {
  const [base = '10.0.0.0', bits = '24'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const network = toInt(base) & ~(size - 1);
  const usable = Math.max(1, size - 5);
  const offset = digest(seed).readUInt32BE(0) % usable;
  for (let attempt = 0; attempt < usable; attempt++) {
    const ip = toIp((network + 4 + ((offset + attempt) % usable)) >>> 0);
    if (!avoid.includes(ip)) return ip;
  }
  return toIp(network + 4);
}

/** The n-th address of a CIDR: `.1` of a service CIDR is the API server's ClusterIP, `.10` the DNS one. */
export function nthAddress(cidr: string, n: number): string {
  const [base = '10.100.0.0'] = cidr.split('/');
  return toIp((toInt(base) + n) >>> 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base = '0.0.0.0', bits = '0'] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return ((toInt(ip) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
}

/** ip-10-0-1-23.ec2.internal (us-east-1) or ip-10-0-1-23.eu-west-1.compute.internal. */
export function privateDnsName(ip: string, region: string, prefix = 'ip'): string {
  return `${prefix}-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;
}

/** Kubernetes timestamps: RFC 3339 to the second. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
