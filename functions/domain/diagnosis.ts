/**
 * Root causes a person can act on, from what Step Functions hands the failure path
 * ({Error, Cause}) and from the evidence AWS keeps (stack events, nodegroup health, updates).
 */
import type { Diagnosis, Failure, Phase } from '../generated/types';

export interface StackEventLike {
  logicalResourceId?: string;
  resourceType?: string;
  resourceStatus?: string;
  resourceStatusReason?: string;
  timestamp?: Date | string;
}

/** CloudFormation's follow-on reasons: they name the symptom, not the cause. */
const CONSEQUENTIAL_REASONS = [/^Resource creation cancelled/i, /^The following resource\(s\) failed to/i, /^Resource update cancelled/i];

/** The first failed resource event (chronologically) whose reason is the cause, not a consequence. */
export function rootCauseFromStackEvents(events: StackEventLike[]): { resource: string; message: string } | undefined {
  const failed = events
    .filter((e) => e.resourceStatus?.endsWith('_FAILED') && e.resourceType !== 'AWS::CloudFormation::Stack')
    .sort((a, b) => new Date(a.timestamp ?? 0).getTime() - new Date(b.timestamp ?? 0).getTime());
  const cause = failed.find((e) => !CONSEQUENTIAL_REASONS.some((r) => r.test(e.resourceStatusReason ?? ''))) ?? failed[0];
  if (!cause) return undefined;
  return {
    resource: `${cause.logicalResourceId} (${cause.resourceType})`,
    message: `${cause.logicalResourceId} (${cause.resourceType}) ${cause.resourceStatus}: ${cause.resourceStatusReason ?? 'no reason given'}`,
  };
}

/** Our errors put the resource first ("nodegroup ng-spot: ..."); the Lambda runtime keeps only name and message. */
const RESOURCE_PREFIX = /^((?:stack|nodegroup|Fargate profile|add-on|update|cluster|subnet|access entry|aws-auth|endpoint access|event bus)\s[^:]*|aws-auth|endpoint access):\s/;

export function parseFailure(failure: Failure): { code: string; message: string; resource?: string } {
  const code = failure.Error;
  let message = failure.Cause ?? code;
  try {
    const cause = JSON.parse(message) as { errorMessage?: string; ErrorMessage?: string };
    message = cause.errorMessage ?? cause.ErrorMessage ?? message;
  } catch {
    // Not JSON: States.* errors and the local runner give the message as plain text.
  }
  const match = RESOURCE_PREFIX.exec(message);
  return match ? { code, message, resource: match[1] } : { code, message };
}

/** Which phase an error belongs to, from its name: shown in the FAILED event. */
export function phaseOfError(code: string): Phase {
  if (code === 'InvalidSpecError') return 'Plan';
  if (code.startsWith('Stack')) return 'ClusterStack';
  if (/^(Nodegroup|FargateProfile|Addon|Kubernetes)/.test(code)) return 'ComputeAndAccess';
  if (code.startsWith('EndpointUpdate') || code.startsWith('Update')) return 'EndpointAccess';
  return 'Diagnose';
}

export function diagnosis(code: string, message: string, phase: Phase, resourcesCreated: boolean, resource?: string): Diagnosis {
  return { code, message, phase, resourcesCreated, ...(resource ? { resource } : {}) };
}
