/**
 * Kubernetes errors: every failure leaves the API as a `Status` object with the reason, message
 * and details kube-apiserver gives it, so kubectl prints the same `Error from server (...)` lines.
 */
import { EmulatorError } from '../../protocol';

export type Json = Record<string, unknown>;

export interface StatusDetails {
  name?: string;
  group?: string;
  /** The resource (plural) the error is about, as the API server fills it. */
  kind?: string;
  uid?: string;
  causes?: Array<{ reason: string; message: string; field?: string }>;
}

export class StatusError extends EmulatorError {
  constructor(
    code: number,
    reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(code, reason, message);
  }
}

export function statusBody(code: number, reason: string, message: string, details?: StatusDetails): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

/** `configmaps`, or `deployments.apps` for a named group: how the API server names a resource in messages. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

/** No route at all: the answer for paths, groups and resources this API does not serve. */
export function noSuchResource(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource');
}

export function notFound(resource: string, group: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, { name, ...(group ? { group } : {}), kind: resource });
}

/** A known resource asked for a verb it does not serve (a write to a read-only kind, a watch...). */
export function methodNotAllowed(resource?: string, name?: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', resource ? { ...(name ? { name } : {}), kind: resource } : undefined);
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function invalid(kind: string, name: string, field: string, message: string): StatusError {
  return new StatusError(422, 'Invalid', `${kind} "${name}" is invalid: ${field}: ${message}`, { name, kind });
}
