/**
 * Deterministic names and addresses for the objects derived from the cluster (pods, replica
 * sets, Fargate nodes): the same cluster state always lists the same names, as a real cluster
 * keeps them until the pods are recreated.
 */
import { createHash } from 'node:crypto';
import { allocateAddress, formatIpv4, ipv4Range, SUBNET_RESERVED_LOW } from '../../ipv4';

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

/**
 * An address inside a CIDR chosen by the seed, never one of the five AWS reserves in a subnet
 * (network, router, DNS, future, broadcast) and never one of `avoid`.
 */
export function addressIn(cidr: string, seed: string, avoid: string[] = []): string {
  const start = digest(seed).readUInt32BE(0) / 2 ** 32;
  return allocateAddress(cidr, new Set(avoid), () => start) ?? formatIpv4((ipv4Range(cidr)?.first ?? 0) + SUBNET_RESERVED_LOW);
}

/** The n-th address of a CIDR: `.1` of a service CIDR is the API server's ClusterIP, `.10` the DNS one. */
export function nthAddress(cidr: string, n: number): string {
  return formatIpv4((ipv4Range(cidr)?.first ?? 0) + n);
}

/** ip-10-0-1-23.ec2.internal (us-east-1) or ip-10-0-1-23.eu-west-1.compute.internal. */
export function privateDnsName(ip: string, region: string, prefix = 'ip'): string {
  return `${prefix}-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;
}

/** Kubernetes timestamps: RFC 3339 to the second. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
