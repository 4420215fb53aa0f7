/**
 * Task "Create Fargate Profile" (Map with MaxConcurrency 1: EKS allows one profile CREATING or
 * DELETING per cluster; ResourceBusyError is retried if one is still in flight).
 */
import { validateFargateProfileItem } from '../generated/validators';
import type { CreateFargateProfileCommandInput } from '@aws-sdk/client-eks';
import type { Operation, Poll, FargateProfileItem, StackOutputs } from '../generated/types';
import { idempotencyToken, ownershipTags } from '../domain/naming';
import type { FargateProfileSpec } from '../domain/spec';
import type { StepDeps } from '../shared/deps';
import { step } from '../shared/step';
import { fargateProfilePolling, observeFargateProfile } from '../step-support/fargate-profile';
import { startedResource } from '../step-support/resource-poll';
import { outputList, stackOutputs } from '../step-support/stack-outputs';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

export async function createFargateProfile(input: FargateProfileItem, deps: StepDeps<'eks' | 'events' | 'registry'>): Promise<Poll> {
  const profile = input.item;
  const outputs = stackOutputs(input);
  const { operation } = input;
  await deps.eks.createFargateProfile(fargateProfileRequest(operation, profile, outputs.FargatePodExecutionRoleArn, outputs));
  const observed = observeFargateProfile(await deps.eks.describeFargateProfile(operation.cluster.name, profile.name));
  return startedResource(deps, operation, fargateProfilePolling(profile.name), observed);
}

/** The profile's CreateFargateProfile request; `clusterStackOutputs` give the subnets of profiles that name none. */
export function fargateProfileRequest(operation: Operation, profile: FargateProfileSpec, podExecutionRoleArn: string | undefined, clusterStackOutputs: Record<string, string>): CreateFargateProfileCommandInput {
  return {
    clusterName: operation.cluster.name,
    fargateProfileName: profile.name,
    podExecutionRoleArn,
    // Fargate pods run only in private subnets.
    subnets: profile.subnets ?? outputList(clusterStackOutputs as StackOutputs, 'SubnetsPrivate'),
    selectors: profile.selectors.map((s) => ({ namespace: s.namespace, ...(s.labels ? { labels: s.labels } : {}) })),
    tags: ownershipTags(undefined, { clusterName: operation.cluster.name, owner: operation.requestedBy, operationId: operation.id }),
    clientRequestToken: idempotencyToken(operation.id, 'create-fargate-profile', profile.name),
  };
}

export const handler = step(validateFargateProfileItem, { eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry }, createFargateProfile);
