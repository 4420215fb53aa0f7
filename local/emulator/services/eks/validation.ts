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

/** CIDR arithmetic is the emulator's shared one; kept reachable here for the EKS modules and their importers. */
export { cidrContains, parseCidr } from '../../ipv4';

export function asBoolean(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value.toLowerCase() === 'true';
  return Boolean(value);
}
