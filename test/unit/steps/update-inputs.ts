/** Inputs the update-cluster step tests share: an UPDATE operation on cluster "demo", provisioned in the fake. */
import { renderClusterTemplate } from '../../../functions/domain/cluster-template';
import { clusterStackName, ownershipTags } from '../../../functions/domain/naming';
import type { ChangeRequest } from '../../../functions/domain/spec-change';
import type { Spec } from '../../../functions/domain/spec';
import type { ClusterChange, Operation, Poll, UpdateInput } from '../../../functions/generated/types';
import { FakeAws, KUBE_AGENT_CODE, PERMISSIONS_BOUNDARY_ARN, POD_ROLE_BOUNDARY_ARN } from '../../support/fake-aws';
import { operationFor } from '../../support/provision-run';
import { CLUSTER, outputsFor } from './step-inputs';

import { apiChange } from '../../support/change-request';

export { apiChange };

export const UPDATE_OPERATION: Operation = { ...operationFor(CLUSTER, 'op-update-1'), type: 'UPDATE' };

export function updateInput(change: ClusterChange, spec: Spec, progress?: Poll): UpdateInput {
  return { operation: { ...UPDATE_OPERATION, action: change.action }, change, spec: spec as unknown as UpdateInput['spec'], ...(progress ? { progress } : {}) };
}

/** The input update-cluster starts with when the API takes `request` for a cluster of `spec`: its change and the desired spec, normalised. */
export function requestedUpdate(spec: Spec, request: ChangeRequest, progress?: Poll): UpdateInput {
  const { change, spec: desired } = apiChange(spec, request);
  return updateInput(change, desired, progress);
}

/**
 * A FakeAws holding cluster "demo" as provisioning left it: the cluster stack complete with the
 * outputs of its rendered template, the cluster ACTIVE, and the update's operation record.
 */
export function provisionedAws(spec: Spec, options: { faults?: ConstructorParameters<typeof FakeAws>[0]; durations?: Partial<FakeAws['durations']> } = {}): FakeAws {
  const aws = new FakeAws(options.faults ?? {}, { ...new FakeAws().durations, ...options.durations });
  const stackName = clusterStackName(CLUSTER);
  aws.seedStack(stackName, 'CREATE_COMPLETE', ownershipTags(undefined, { clusterName: CLUSTER, owner: UPDATE_OPERATION.requestedBy, operationId: 'op-create' }));
  const template = renderClusterTemplate({ spec, stackName, tags: {}, kubeAgentCode: KUBE_AGENT_CODE, permissionsBoundaryArn: PERMISSIONS_BOUNDARY_ARN, podRoleBoundaryArn: POD_ROLE_BOUNDARY_ARN });
  Object.assign(aws.stacks.get(stackName)!, { outputs: outputsFor(spec), template });
  aws.clusters.set(CLUSTER, {
    name: CLUSTER,
    arn: `arn:aws:eks:us-east-1:111122223333:cluster/${CLUSTER}`,
    status: 'ACTIVE',
    endpoint: `https://${CLUSTER}.gr7.us-east-1.eks.amazonaws.com`,
    certificateAuthority: { data: 'LS0tLS1CRUdJTg==' },
    resourcesVpcConfig: { endpointPublicAccess: spec.endpointAccess.public, endpointPrivateAccess: spec.endpointAccess.private, publicAccessCidrs: spec.endpointAccess.publicAccessCidrs },
    // As the cluster template makes it: the creator is a standing admin only in CONFIG_MAP mode.
    accessConfig: { authenticationMode: spec.authenticationMode, bootstrapClusterCreatorAdminPermissions: spec.authenticationMode === 'CONFIG_MAP' },
  });
  aws.seedOperation(UPDATE_OPERATION, { status: 'UPDATING', spec });
  return aws;
}

/** "Create Nodegroup Stack stack eksp-… STARTED", one line per event with a step. */
export const stepEvents = (aws: FakeAws) => aws.events.filter((e) => e.step).map((e) => `${e.step!.name}${e.step!.resource ? ` ${e.step!.resource}` : ''} ${e.step!.status}`);
