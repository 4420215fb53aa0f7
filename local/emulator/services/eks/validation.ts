/**
 * EKS's errors, named and shaped as EKS returns them, and the input checks several resources
 * share: resource names, IAM principal ARNs, CIDR blocks and CloudFormation-style booleans.
 */
import { EmulatorError } from '../../protocol';

export const invalidParameter = (message: string) => new EmulatorError(400, 'InvalidParameterException', message);
export const invalidRequest = (message: string) => new EmulatorError(400, 'InvalidRequestException', message);
export const inUse = (message: string) => new EmulatorError(409, 'ResourceInUseException', message);
export const notFound = (message: string) => new EmulatorError(404, 'ResourceNotFoundException', message);
export const limitExceeded = (message: string) => new EmulatorError(400, 'ResourceLimitExceededException', message);

export const CHILD_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
export const IAM_PRINCIPAL = /^arn:aws:iam::(\d{12}):(role|user)\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

export function parseCidr(text: string): { address: number; prefix: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  return { address: octets.reduce((acc, o) => acc * 256 + o, 0), prefix };
}

/** True when the IPv4 address lies in the CIDR block. */
export function cidrContains(cidr: string, ip: string): boolean {
  const block = parseCidr(cidr);
  const address = parseCidr(`${ip}/32`);
  if (!block || !address) return false;
  const mask = block.prefix === 0 ? 0 : (0xffffffff << (32 - block.prefix)) >>> 0;
  return ((block.address & mask) >>> 0) === ((address.address & mask) >>> 0);
}

export function asBoolean(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  return Boolean(value);
}
