/** The Lambda entry points: wiring only, so one table covers every step. */
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { SdkCloudFormation } from '../../../functions/ports/cloudformation';
import { useDeps } from '../../../functions/shared/deps';
import * as checkClusterStack from '../../../functions/steps/check-cluster-stack';
import * as collectOutputs from '../../../functions/steps/collect-outputs';
import { TASK_FUNCTIONS } from '../../../statemachines/task-functions';
import { CLUSTER, fakeAws, provisionState, rejectionOf, specOf, STACK } from './step-inputs';

const context = { functionName: 'eksp-step', awsRequestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:eksp-step', memoryLimitInMB: '256' } as unknown as Context;

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Every step module a Task state can name (statemachines/task-functions.ts), so a new step is covered as soon as it is wired. */
const STEP_MODULES = [...new Set(Object.values(TASK_FUNCTIONS))].sort();
const handlerOf = async (module: string): Promise<Handler> => ((await import(`../../../functions/steps/${module}`)) as { handler: Handler }).handler;

const throttled = () => new CloudFormationServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });

describe('step handlers', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());

  it.each(STEP_MODULES)('%s refuses an input that breaks its schema with InvalidStepInputError, calling no AWS', async (module) => {
    const aws = fakeAws();
    restore = useDeps(aws.deps());
    const handler = await handlerOf(module);

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
