/**
 * A stack the service creates for a cluster (the cluster stack, a nodegroup's, the Fargate role
 * stack): the caller's tags plus the ownership tags, a token from the operation and step, the
 * CloudFormation execution role, and what to do on failure as the spec says.
 */
import type { Operation } from '../generated/types';
import { idempotencyToken, ownershipTags } from '../domain/naming';
import type { Spec } from '../domain/spec';
import type { CreateStackRequest } from '../ports/cloudformation';

/** The tags every resource of the stack carries; templates are rendered with them. */
export function stackTags(operation: Operation, spec: Spec): Record<string, string> {
  return ownershipTags(spec.tags, { clusterName: operation.cluster.name, owner: operation.requestedBy, operationId: operation.id });
}

export function ownedStackRequest(operation: Operation, spec: Spec, request: { stackName: string; template: unknown; tags: Record<string, string>; step: string; resource?: string; roleArn: string | undefined }): CreateStackRequest {
  return {
    stackName: request.stackName,
    templateBody: JSON.stringify(request.template),
    tags: request.tags,
    clientRequestToken: idempotencyToken(operation.id, request.step, request.resource),
    roleArn: request.roleArn,
    // Rollback keeps the failure's events for Diagnose; retain leaves resources for inspection.
    onFailure: spec.onFailure === 'retain' ? 'DO_NOTHING' : 'ROLLBACK',
  };
}
