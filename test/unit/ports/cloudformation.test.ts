import {
  AlreadyExistsException,
  CloudFormationClient,
  CloudFormationServiceException,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  InsufficientCapabilitiesException,
  ListStacksCommand,
  StackStatus,
  UpdateStackCommand,
  UpdateTerminationProtectionCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SdkCloudFormation } from '../../../functions/ports/cloudformation';
import { metadata, rejectionOf } from './port-helpers';

const STACK = 'eksp-demo-cluster';
const validationError = (message: string) => new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: metadata, message });
const missing = () => validationError(`Stack with id ${STACK} does not exist`);

function setup() {
  const client = new CloudFormationClient({ region: 'us-east-1' });
  return { mock: mockClient(client), port: new SdkCloudFormation(() => client) };
}

const request = { stackName: STACK, templateBody: '{"Resources":{}}', tags: { team: 'platform', 'eks-provisioner:operation-id': 'op-1' }, clientRequestToken: 'eksp-token', roleArn: 'arn:aws:iam::111122223333:role/cfn', onFailure: 'ROLLBACK' as const };

describe('SdkCloudFormation', () => {
  describe('createStack', () => {
    it('creates a termination-protected stack with IAM capability, the tags, token, role and failure mode; true when created', async () => {
      const { mock, port } = setup();
      mock.on(CreateStackCommand).resolves({ StackId: 'arn:stack' });

      const created = await port.createStack(request);

      expect(created).toBe(true);
      expect(mock).toHaveReceivedCommandWith(CreateStackCommand, {
        StackName: STACK,
        TemplateBody: '{"Resources":{}}',
        Capabilities: ['CAPABILITY_IAM'],
        Tags: [
          { Key: 'team', Value: 'platform' },
          { Key: 'eks-provisioner:operation-id', Value: 'op-1' },
        ],
        ClientRequestToken: 'eksp-token',
        RoleARN: 'arn:aws:iam::111122223333:role/cfn',
        OnFailure: 'ROLLBACK',
        EnableTerminationProtection: true,
      });
    });

    it('returns false when a stack of that name already exists', async () => {
      const { mock, port } = setup();
      mock.on(CreateStackCommand).rejects(new AlreadyExistsException({ $metadata: metadata, message: `Stack [${STACK}] already exists` }));

      await expect(port.createStack(request)).resolves.toBe(false);
    });

    it('names any other refusal AwsRequestError, leading with the stack', async () => {
      const { mock, port } = setup();
      mock.on(CreateStackCommand).rejects(new InsufficientCapabilitiesException({ $metadata: metadata, message: 'Requires capabilities : [CAPABILITY_NAMED_IAM]' }));

      const error = await rejectionOf(port.createStack(request));

      expect(error.name).toBe('AwsRequestError');
      expect(error.message).toBe(`stack ${STACK}: InsufficientCapabilitiesException: Requires capabilities : [CAPABILITY_NAMED_IAM]`);
    });
  });

  describe('describeStack', () => {
    it('maps the stack to status, outputs, tags and termination protection', async () => {
      const { mock, port } = setup();
      const created = new Date('2026-11-21T10:00:00Z');
      mock.on(DescribeStacksCommand, { StackName: STACK }).resolves({
        Stacks: [
          {
            StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/eksp-demo-cluster/1',
            StackName: STACK,
            StackStatus: 'ROLLBACK_COMPLETE',
            StackStatusReason: 'The following resource(s) failed to create: [ControlPlane].',
            CreationTime: created,
            Outputs: [{ OutputKey: 'Endpoint', OutputValue: 'https://x' }],
            Tags: [{ Key: 'eks-provisioner:operation-id', Value: 'op-1' }],
            EnableTerminationProtection: true,
          },
        ],
      });

      await expect(port.describeStack(STACK)).resolves.toEqual({
        stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/eksp-demo-cluster/1',
        stackName: STACK,
        status: 'ROLLBACK_COMPLETE',
        statusReason: 'The following resource(s) failed to create: [ControlPlane].',
        creationTime: created,
        outputs: { Endpoint: 'https://x' },
        tags: { 'eks-provisioner:operation-id': 'op-1' },
        terminationProtection: true,
      });
    });

    it('returns undefined for the ValidationError "does not exist" CloudFormation gives a missing stack', async () => {
      const { mock, port } = setup();
      mock.on(DescribeStacksCommand).rejects(missing());

      await expect(port.describeStack(STACK)).resolves.toBeUndefined();
    });

    it('does not mistake another ValidationError for a missing stack', async () => {
      const { mock, port } = setup();
      mock.on(DescribeStacksCommand).rejects(validationError('1 validation error detected: Value at stackName failed to satisfy constraint'));

      const error = await rejectionOf(port.describeStack(STACK));

      expect(error.name).toBe('AwsRequestError');
    });

    it('names a 5xx AwsUnavailableError', async () => {
      const { mock, port } = setup();
      mock.on(DescribeStacksCommand).rejects(new CloudFormationServiceException({ name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'internal' }));

      const error = await rejectionOf(port.describeStack(STACK));

      expect(error.name).toBe('AwsUnavailableError');
    });
  });

  describe('listStacks', () => {
    const summary = (StackName: string, StackStatus: StackStatus) => ({ StackName, StackStatus, StackId: `arn:${StackName}`, CreationTime: new Date(0) });

    it('follows NextToken through every page and keeps the stacks whose name starts with the prefix', async () => {
      const { mock, port } = setup();
      mock
        .on(ListStacksCommand, { NextToken: undefined })
        .resolves({ StackSummaries: [summary('eksp-demo-nodegroup-ng-a', 'CREATE_COMPLETE'), summary('eksp-demo-cluster', 'CREATE_COMPLETE')], NextToken: 'page-2' })
        .on(ListStacksCommand, { NextToken: 'page-2' })
        .resolves({ StackSummaries: [summary('other-stack', 'CREATE_COMPLETE'), summary('eksp-demo-nodegroup-ng-b', 'DELETE_FAILED')] });

      const stacks = await port.listStacks('eksp-demo-nodegroup-');

      expect(stacks).toEqual([
        { stackName: 'eksp-demo-nodegroup-ng-a', status: 'CREATE_COMPLETE' },
        { stackName: 'eksp-demo-nodegroup-ng-b', status: 'DELETE_FAILED' },
      ]);
      expect(mock).toHaveReceivedCommandTimes(ListStacksCommand, 2);
    });

    it('asks for every status but DELETE_COMPLETE, and drops a deleted stack should one come back anyway', async () => {
      const { mock, port } = setup();
      mock.on(ListStacksCommand).resolves({ StackSummaries: [summary('eksp-demo-nodegroup-ng-a', 'DELETE_COMPLETE')] });

      const stacks = await port.listStacks('eksp-demo-nodegroup-');

      expect(stacks).toEqual([]);
      const filter = mock.commandCalls(ListStacksCommand)[0]!.args[0].input.StackStatusFilter;
      expect([...(filter ?? [])].sort()).toEqual(Object.values(StackStatus).filter((s) => s !== 'DELETE_COMPLETE').sort());
    });

    it('names a refusal AwsRequestError, leading with the prefix', async () => {
      const { mock, port } = setup();
      mock.on(ListStacksCommand).rejects(new CloudFormationServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: metadata, message: 'not authorized to perform: cloudformation:ListStacks' }));

      const error = await rejectionOf(port.listStacks('eksp-demo-nodegroup-'));

      expect(error.name).toBe('AwsRequestError');
      expect(error.message).toBe('stacks eksp-demo-nodegroup-*: AccessDenied: not authorized to perform: cloudformation:ListStacks');
    });
  });

  describe('stackEvents', () => {
    it('follows NextToken through every page', async () => {
      const { mock, port } = setup();
      mock
        .on(DescribeStackEventsCommand, { StackName: STACK, NextToken: undefined })
        .resolves({ StackEvents: [{ LogicalResourceId: 'ControlPlane', ResourceType: 'AWS::EKS::Cluster', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'cancelled', StackId: 's', StackName: STACK, EventId: '1', Timestamp: new Date(2) }], NextToken: 'page-2' })
        .on(DescribeStackEventsCommand, { StackName: STACK, NextToken: 'page-2' })
        .resolves({ StackEvents: [{ LogicalResourceId: 'NodeInstanceRole', ResourceType: 'AWS::IAM::Role', ResourceStatus: 'CREATE_FAILED', ResourceStatusReason: 'denied', StackId: 's', StackName: STACK, EventId: '2', Timestamp: new Date(1) }] });

      const events = await port.stackEvents(STACK);

      expect(events.map((e) => e.logicalResourceId)).toEqual(['ControlPlane', 'NodeInstanceRole']);
      expect(events[1]).toEqual({ logicalResourceId: 'NodeInstanceRole', resourceType: 'AWS::IAM::Role', resourceStatus: 'CREATE_FAILED', resourceStatusReason: 'denied', timestamp: new Date(1) });
      expect(mock).toHaveReceivedCommandTimes(DescribeStackEventsCommand, 2);
    });

    it('stops paging once it has the number of events asked for', async () => {
      const { mock, port } = setup();
      mock.on(DescribeStackEventsCommand).resolves({ StackEvents: [{ StackId: 's', StackName: STACK, EventId: 'e', Timestamp: new Date(0) }], NextToken: 'more' });

      const events = await port.stackEvents(STACK, 3);

      expect(events).toHaveLength(3);
      expect(mock).toHaveReceivedCommandTimes(DescribeStackEventsCommand, 3);
    });

    it('returns no events for a missing stack', async () => {
      const { mock, port } = setup();
      mock.on(DescribeStackEventsCommand).rejects(missing());

      await expect(port.stackEvents(STACK)).resolves.toEqual([]);
    });
  });

  it('deletes with the idempotency token and role', async () => {
    const { mock, port } = setup();
    mock.on(DeleteStackCommand).resolves({});

    await port.deleteStack(STACK, 'eksp-delete-token', 'arn:aws:iam::111122223333:role/cfn');

    expect(mock).toHaveReceivedCommandWith(DeleteStackCommand, { StackName: STACK, ClientRequestToken: 'eksp-delete-token', RoleARN: 'arn:aws:iam::111122223333:role/cfn' });
  });

  it('turns termination protection off, and treats a missing stack as nothing to do', async () => {
    const { mock, port } = setup();
    mock.on(UpdateTerminationProtectionCommand).resolvesOnce({}).rejectsOnce(missing());

    await port.setTerminationProtection(STACK, false);
    await port.setTerminationProtection(STACK, false);

    expect(mock).toHaveReceivedCommandWith(UpdateTerminationProtectionCommand, { StackName: STACK, EnableTerminationProtection: false });
  });

  describe('updateStackTags', () => {
    it('updates the stack with its previous template and the new tags, with the IAM capability and the execution role', async () => {
      const { mock, port } = setup();
      mock.on(UpdateStackCommand).resolves({ StackId: 'id' });

      await expect(port.updateStackTags({ stackName: STACK, tags: { team: 'green', 'eks-provisioner:cluster': 'demo' }, clientRequestToken: 'eksp-token', roleArn: 'arn:aws:iam::111122223333:role/cfn' })).resolves.toBe(true);
      expect(mock).toHaveReceivedCommandWith(UpdateStackCommand, {
        StackName: STACK,
        UsePreviousTemplate: true,
        Capabilities: ['CAPABILITY_IAM'],
        Tags: [{ Key: 'team', Value: 'green' }, { Key: 'eks-provisioner:cluster', Value: 'demo' }],
        ClientRequestToken: 'eksp-token',
        RoleARN: 'arn:aws:iam::111122223333:role/cfn',
      });
    });

    it('answers false when the stack already has those tags, and names the stack on other errors', async () => {
      const { mock, port } = setup();
      mock.on(UpdateStackCommand).rejectsOnce(validationError('No updates are to be performed.')).rejectsOnce(validationError('Stack:arn is in UPDATE_IN_PROGRESS state and can not be updated.'));

      await expect(port.updateStackTags({ stackName: STACK, tags: {}, clientRequestToken: 'eksp-token' })).resolves.toBe(false);
      const error = await rejectionOf(port.updateStackTags({ stackName: STACK, tags: {}, clientRequestToken: 'eksp-token' }));
      expect(error.message).toContain(`stack ${STACK}`);
    });

    it('sends a new template body with every parameter at its previous value when given one', async () => {
      const { mock, port } = setup();
      mock.on(UpdateStackCommand).resolves({ StackId: 'id' });

      await port.updateStackTags({ stackName: STACK, tags: { team: 'green' }, template: { body: '{"Resources":{}}', parameterKeys: ['Env'] }, clientRequestToken: 'eksp-token' });

      const sent = mock.commandCalls(UpdateStackCommand)[0]?.args[0].input;
      expect(sent).toMatchObject({ StackName: STACK, TemplateBody: '{"Resources":{}}', Parameters: [{ ParameterKey: 'Env', UsePreviousValue: true }], Tags: [{ Key: 'team', Value: 'green' }] });
      expect(sent?.UsePreviousTemplate).toBeUndefined();
    });
  });

  describe('getTemplate', () => {
    it('reads the template as submitted; undefined for a missing stack, the stack named on other errors', async () => {
      const { mock, port } = setup();
      mock.on(GetTemplateCommand).resolvesOnce({ TemplateBody: '{"Resources":{}}' }).rejectsOnce(missing()).rejectsOnce(validationError('Rate exceeded'));

      await expect(port.getTemplate(STACK)).resolves.toBe('{"Resources":{}}');
      expect(mock).toHaveReceivedCommandWith(GetTemplateCommand, { StackName: STACK, TemplateStage: 'Original' });
      await expect(port.getTemplate(STACK)).resolves.toBeUndefined();
      const error = await rejectionOf(port.getTemplate(STACK));
      expect(error.message).toContain(`stack ${STACK}`);
    });
  });
});
