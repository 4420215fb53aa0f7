/** The Lambda entry points: wiring only, so one table covers every step. */
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { SdkCloudFormation } from '../../../functions/ports/cloudformation';
import { useDeps } from '../../../functions/shared/deps';
import * as checkAddon from '../../../functions/steps/check-addon';
import * as checkClusterStack from '../../../functions/steps/check-cluster-stack';
import * as checkEndpointUpdate from '../../../functions/steps/check-endpoint-update';
import * as checkFargateProfile from '../../../functions/steps/check-fargate-profile';
import * as checkNodegroup from '../../../functions/steps/check-nodegroup';
import * as createAddon from '../../../functions/steps/create-addon';
import * as createClusterStack from '../../../functions/steps/create-cluster-stack';
import * as createFargateProfile from '../../../functions/steps/create-fargate-profile';
import * as createNodegroup from '../../../functions/steps/create-nodegroup';
import * as diagnoseFailure from '../../../functions/steps/diagnose-failure';
import * as collectOutputs from '../../../functions/steps/collect-outputs';
import * as finalize from '../../../functions/steps/finalize';
import * as mapIdentities from '../../../functions/steps/map-identities';
import * as plan from '../../../functions/steps/plan';
import * as reportFailure from '../../../functions/steps/report-failure';
import * as rollBack from '../../../functions/steps/roll-back';
import * as switchEndpointAccess from '../../../functions/steps/switch-endpoint-access';
import * as deleteCompute from '../../../functions/steps/delete-compute';
import * as checkComputeDeletion from '../../../functions/steps/check-compute-deletion';
import * as deleteClusterStack from '../../../functions/steps/delete-cluster-stack';
import * as checkClusterStackDeletion from '../../../functions/steps/check-cluster-stack-deletion';
import * as finalizeDeletion from '../../../functions/steps/finalize-deletion';
import * as reportOperationFailure from '../../../functions/steps/report-operation-failure';
import * as changeNodegroup from '../../../functions/steps/change-nodegroup';
import * as changeFargateProfile from '../../../functions/steps/change-fargate-profile';
import * as changeAccess from '../../../functions/steps/change-access';
import * as changeEndpointAccess from '../../../functions/steps/change-endpoint-access';
import * as finalizeUpdate from '../../../functions/steps/finalize-update';
import { CLUSTER, fakeAws, provisionState, rejectionOf, specOf, STACK } from './step-inputs';

const context = { functionName: 'eksp-step', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:eksp-step', memoryLimitInMB: '256' } as unknown as Context;

const HANDLERS = {
  'Plan': plan.handler,
  'Create Cluster Stack': createClusterStack.handler,
  'Check Cluster Stack': checkClusterStack.handler,
  'Create Nodegroup': createNodegroup.handler,
  'Check Nodegroup': checkNodegroup.handler,
  'Create Fargate Profile': createFargateProfile.handler,
  'Check Fargate Profile': checkFargateProfile.handler,
  'Create Add-on': createAddon.handler,
  'Check Add-on': checkAddon.handler,
  'Map Identities': mapIdentities.handler,
  'Switch Endpoint Access': switchEndpointAccess.handler,
  'Check Endpoint Update': checkEndpointUpdate.handler,
  'Diagnose Failure': diagnoseFailure.handler,
  'Roll Back': rollBack.handler,
  'Report Failure': reportFailure.handler,
  'Collect Outputs': collectOutputs.handler,
  'Finalize': finalize.handler,
  'Delete Compute': deleteCompute.handler,
  'Check Compute Deletion': checkComputeDeletion.handler,
  'Delete Cluster Stack': deleteClusterStack.handler,
  'Check Cluster Stack Deletion': checkClusterStackDeletion.handler,
  'Finalize Deletion': finalizeDeletion.handler,
  'Report Operation Failure': reportOperationFailure.handler,
  'Change Nodegroup': changeNodegroup.handler,
  'Change Fargate Profile': changeFargateProfile.handler,
  'Change Access': changeAccess.handler,
  'Change Endpoint Access': changeEndpointAccess.handler,
  'Finalize Update': finalizeUpdate.handler,
};

const throttled = () => new CloudFormationServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });

describe('step handlers', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());

  it.each(Object.entries(HANDLERS))('%s refuses an input that breaks its schema with InvalidStepInputError, calling no AWS', async (_state, handler) => {
    const aws = fakeAws();
    restore = useDeps(aws.deps());

    const error = await rejectionOf(handler({ operation: { id: 'op 1' }, unexpected: true }, context));

    expect(error.name).toBe('InvalidStepInputError');
    expect(error.message).toMatch(/^step input does not match its schema: /);
    expect(aws.calls).toEqual([]);
  });

  it('runs the step with the installed ports when the input is valid', async () => {
    const aws = fakeAws();
    aws.clusters.set(CLUSTER, { name: CLUSTER, arn: `arn:aws:eks:us-east-1:111122223333:cluster/${CLUSTER}`, version: '1.33', endpoint: 'https://x.eks.amazonaws.com' });
    restore = useDeps(aws.deps());

    const outputs = await collectOutputs.handler(provisionState(specOf()), context);

    expect(outputs).toMatchObject({ clusterName: CLUSTER, stackName: STACK });
  });

  it('names an SDK throttling error that escapes a port ThrottlingError, for the state machine to retry', async () => {
    const aws = fakeAws();
    jest.spyOn(aws.cloudFormation, 'describeStack').mockRejectedValue(throttled());
    restore = useDeps(aws.deps());

    const error = await rejectionOf(checkClusterStack.handler(provisionState(specOf()), context));

    expect(error.name).toBe('ThrottlingError');
    expect(error.message).toBe('Throttling: Rate exceeded');
  });

  it('surfaces CloudFormation throttling through the SDK port as ThrottlingError naming the stack', async () => {
    const client = new CloudFormationClient({ region: 'us-east-1' });
    mockClient(client).on(DescribeStacksCommand).rejects(throttled());
    restore = useDeps({ ...fakeAws().deps(), cloudFormation: new SdkCloudFormation(() => client) });

    const error = await rejectionOf(checkClusterStack.handler(provisionState(specOf()), context));

    expect(error.name).toBe('ThrottlingError');
    expect(error.message).toBe(`stack ${STACK}: Throttling: Rate exceeded`);
  });

  it('lets our own named errors through unchanged', async () => {
    const aws = fakeAws();
    restore = useDeps(aws.deps());

    const error = await rejectionOf(checkClusterStack.handler(provisionState(specOf()), context));

    expect(error.name).toBe('StackFailedError');
  });
});
