import { diagnosis, FAILED_STATES, locateFailure, parseFailure, phaseOfError, rootCauseFromStackEvents, type StackEventLike } from '../../../functions/domain/diagnosis';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 10, minute));
const event = (minute: number, logicalResourceId: string, resourceType: string, resourceStatus: string, resourceStatusReason?: string): StackEventLike => ({
  timestamp: at(minute),
  logicalResourceId,
  resourceType,
  resourceStatus,
  ...(resourceStatusReason ? { resourceStatusReason } : {}),
});

describe('rootCauseFromStackEvents', () => {
  /** Newest first, as DescribeStackEvents returns them. */
  const ROLLED_BACK_STACK: StackEventLike[] = [
    event(14, 'eksp-demo-cluster', 'AWS::CloudFormation::Stack', 'ROLLBACK_COMPLETE'),
    event(12, 'NATGateway', 'AWS::EC2::NatGateway', 'DELETE_COMPLETE'),
    event(10, 'eksp-demo-cluster', 'AWS::CloudFormation::Stack', 'ROLLBACK_IN_PROGRESS', 'The following resource(s) failed to create: [ControlPlane, NATGateway]. Rollback requested by user.'),
    event(9, 'NATGateway', 'AWS::EC2::NatGateway', 'CREATE_FAILED', 'Resource creation cancelled'),
    event(8, 'ControlPlane', 'AWS::EKS::Cluster', 'CREATE_FAILED', 'Resource handler returned message: "Kubernetes version 1.20 is not supported" (HandlerErrorCode: InvalidRequest)'),
    event(7, 'ServiceRole', 'AWS::IAM::Role', 'CREATE_COMPLETE'),
    event(1, 'eksp-demo-cluster', 'AWS::CloudFormation::Stack', 'CREATE_IN_PROGRESS', 'User Initiated'),
  ];

  it('names the first failed resource whose reason is a cause, not a consequence', () => {
    const cause = rootCauseFromStackEvents(ROLLED_BACK_STACK);

    expect(cause).toEqual({
      resource: 'ControlPlane (AWS::EKS::Cluster)',
      message: 'ControlPlane (AWS::EKS::Cluster) CREATE_FAILED: Resource handler returned message: "Kubernetes version 1.20 is not supported" (HandlerErrorCode: InvalidRequest)',
    });
  });

  it('finds the same cause whatever order the events come in', () => {
    const cause = rootCauseFromStackEvents([...ROLLED_BACK_STACK].reverse());

    expect(cause?.resource).toBe('ControlPlane (AWS::EKS::Cluster)');
  });

  it('picks the earliest of several real failures', () => {
    const events = [
      event(9, 'NodeInstanceRole', 'AWS::IAM::Role', 'CREATE_FAILED', 'Maximum policy size exceeded'),
      event(5, 'VPC', 'AWS::EC2::VPC', 'CREATE_FAILED', 'The maximum number of VPCs has been reached.'),
    ];

    expect(rootCauseFromStackEvents(events)?.resource).toBe('VPC (AWS::EC2::VPC)');
  });

  it.each([
    ['Resource creation cancelled'],
    ['Resource update cancelled'],
    ['The following resource(s) failed to create: [X].'],
  ])('skips a failure whose reason is "%s" when a real cause follows it', (reason) => {
    const events = [event(3, 'Subnet1', 'AWS::EC2::Subnet', 'CREATE_FAILED', reason), event(4, 'Subnet2', 'AWS::EC2::Subnet', 'CREATE_FAILED', 'The CIDR 10.0.0.0/24 conflicts with another subnet')];

    expect(rootCauseFromStackEvents(events)?.resource).toBe('Subnet2 (AWS::EC2::Subnet)');
  });

  it('falls back to the first failure when every reason is a consequence', () => {
    const events = [event(4, 'B', 'AWS::EC2::Subnet', 'CREATE_FAILED', 'Resource creation cancelled'), event(3, 'A', 'AWS::EC2::Subnet', 'CREATE_FAILED', 'Resource creation cancelled')];

    expect(rootCauseFromStackEvents(events)?.resource).toBe('A (AWS::EC2::Subnet)');
  });

  it('says when AWS gave no reason', () => {
    const cause = rootCauseFromStackEvents([event(2, 'ControlPlane', 'AWS::EKS::Cluster', 'DELETE_FAILED')]);

    expect(cause?.message).toBe('ControlPlane (AWS::EKS::Cluster) DELETE_FAILED: no reason given');
  });

  it.each<[string, StackEventLike[]]>([
    ['no events', []],
    ['only successes', [event(1, 'VPC', 'AWS::EC2::VPC', 'CREATE_COMPLETE')]],
    ['only the stack’s own failure', [event(1, 'eksp-demo-cluster', 'AWS::CloudFormation::Stack', 'ROLLBACK_FAILED', 'boom')]],
  ])('finds no cause in %s', (_, events) => {
    expect(rootCauseFromStackEvents(events)).toBeUndefined();
  });
});

describe('parseFailure', () => {
  it('reads the message of a Lambda error from its JSON Cause', () => {
    const cause = JSON.stringify({ errorType: 'NodegroupFailedError', errorMessage: 'nodegroup ng-spot: CREATE_FAILED: Ec2SubnetInvalidConfiguration', trace: ['NodegroupFailedError: ...'] });

    const parsed = parseFailure({ Error: 'NodegroupFailedError', Cause: cause });

    expect(parsed).toEqual({ code: 'NodegroupFailedError', message: 'nodegroup ng-spot: CREATE_FAILED: Ec2SubnetInvalidConfiguration', resource: 'nodegroup ng-spot' });
  });

  it('reads an ErrorMessage field too', () => {
    const parsed = parseFailure({ Error: 'AwsRequestError', Cause: JSON.stringify({ ErrorMessage: 'AccessDenied: not authorized' }) });

    expect(parsed).toEqual({ code: 'AwsRequestError', message: 'AccessDenied: not authorized' });
  });

  it('keeps a plain-text Cause as the message', () => {
    const parsed = parseFailure({ Error: 'States.Timeout', Cause: 'Task timed out after 900.00 seconds' });

    expect(parsed).toEqual({ code: 'States.Timeout', message: 'Task timed out after 900.00 seconds' });
  });

  it('keeps a JSON Cause without a message as it is', () => {
    const cause = JSON.stringify({ something: 'else' });

    expect(parseFailure({ Error: 'States.TaskFailed', Cause: cause }).message).toBe(cause);
  });

  it('uses the error name as the message when there is no Cause', () => {
    expect(parseFailure({ Error: 'States.Runtime' })).toEqual({ code: 'States.Runtime', message: 'States.Runtime' });
  });

  it.each([
    ['stack eksp-demo-cluster: ROLLBACK_COMPLETE: ControlPlane failed', 'stack eksp-demo-cluster'],
    ['nodegroup ng-spot: CREATE_FAILED', 'nodegroup ng-spot'],
    ['Fargate profile fp-default: DELETE_FAILED', 'Fargate profile fp-default'],
    ['add-on coredns: CREATE_FAILED: InsufficientNumberOfReplicas', 'add-on coredns'],
    ['update 0f1e2d3c-aaaa-bbbb-cccc-1234567890ab: Failed', 'update 0f1e2d3c-aaaa-bbbb-cccc-1234567890ab'],
    ['cluster demo: update in progress', 'cluster demo'],
    ['subnet subnet-0abc1234: not found', 'subnet subnet-0abc1234'],
    ['aws-auth: Kubernetes API of demo refused to write (403): forbidden', 'aws-auth'],
    ['endpoint access: no update id in the workflow state', 'endpoint access'],
    ['event bus eks-provisioner: PutEvents rejected the status event: InternalFailure', 'event bus eks-provisioner'],
  ])('takes the resource from "%s"', (message, resource) => {
    expect(parseFailure({ Error: 'SomeError', Cause: JSON.stringify({ errorMessage: message }) }).resource).toBe(resource);
  });

  it.each([
    'Task timed out after 900.00 seconds',
    'Cannot read properties of undefined (reading "x")',
    'Resource handler returned message: "x"',
  ])('names no resource for "%s"', (message) => {
    expect(parseFailure({ Error: 'Error', Cause: message })).not.toHaveProperty('resource');
  });
});

describe('locateFailure', () => {
  const lambdaError = (name: string, message: string) => JSON.stringify({ errorType: name, errorMessage: message, trace: [] });
  /** What a Raise … Failure state hands the Parallel state's Catch: the branch's failure as JSON. */
  const raised = (failure: object) => ({ Error: (failure as { Error: string }).Error, Cause: JSON.stringify(failure) });

  it('names the state and resource of a Lambda service error, in the message and as the resource', () => {
    const located = locateFailure({ Error: 'Lambda.ServiceException', Cause: 'Rate exceeded (Service: Lambda, Status Code: 500)', Where: { State: 'Create Cluster Stack' } }, { cluster: 'demo' });

    expect(located).toEqual({
      code: 'Lambda.ServiceException',
      message: 'stack eksp-demo-cluster: Create Cluster Stack: Lambda.ServiceException: Rate exceeded (Service: Lambda, Status Code: 500)',
      resource: 'stack eksp-demo-cluster',
      phase: 'ClusterStack',
      state: 'Create Cluster Stack',
    });
  });

  it('finds the failing state and item inside a Parallel branch, not the Parallel state that passed it on', () => {
    const inner = { Error: 'States.Timeout', Where: { State: 'Check Add-on', Item: 'coredns' } };

    const located = locateFailure({ ...raised(inner), Where: { State: 'Add Compute And Access' } }, { cluster: 'demo' });

    expect(located).toMatchObject({ code: 'States.Timeout', message: 'add-on coredns: Check Add-on: States.Timeout', resource: 'add-on coredns', phase: 'ComputeAndAccess', state: 'Check Add-on' });
  });

  it('keeps the message of our own errors, which already lead with their resource', () => {
    const failure = { Error: 'NodegroupFailedError', Cause: lambdaError('NodegroupFailedError', 'nodegroup ng-spot: CREATE_FAILED: AsgInstanceLaunchFailures'), Where: { State: 'Check Nodegroup', Item: 'ng-spot' } };

    expect(locateFailure({ ...raised(failure), Where: { State: 'Add Compute And Access' } }, { cluster: 'demo' })).toEqual({
      code: 'NodegroupFailedError',
      message: 'nodegroup ng-spot: CREATE_FAILED: AsgInstanceLaunchFailures',
      resource: 'nodegroup ng-spot',
      phase: 'ComputeAndAccess',
      state: 'Check Nodegroup',
    });
  });

  it('reads a branch’s failure that lost its backslashes on the way (local mode’s intrinsic functions drop them)', () => {
    const inner = { Error: 'NodegroupFailedError', Cause: lambdaError('NodegroupFailedError', 'nodegroup ng-spot: CREATE_FAILED: Could not launch "spot"\ninstances'), Where: { State: 'Check Nodegroup', Item: 'ng-spot' } };
    const mangled = { Error: 'NodegroupFailedError', Cause: JSON.stringify(inner).replaceAll('\\', '') };

    const located = locateFailure({ ...mangled, Where: { State: 'Add Compute And Access' } }, { cluster: 'demo' });

    expect(located).toMatchObject({ code: 'NodegroupFailedError', message: 'nodegroup ng-spot: CREATE_FAILED: Could not launch "spot"ninstances', resource: 'nodegroup ng-spot', phase: 'ComputeAndAccess', state: 'Check Nodegroup' });
  });

  it('gives our own error without a resource the state’s resource, and its message unchanged', () => {
    const located = locateFailure({ Error: 'InvalidSpecError', Cause: lambdaError('InvalidSpecError', '/network/subnets: must span at least two AZs'), Where: { State: 'Plan' } }, { cluster: 'demo' });

    expect(located).toMatchObject({ message: '/network/subnets: must span at least two AZs', resource: 'cluster demo', phase: 'Plan' });
  });

  it('names the change of an update', () => {
    const located = locateFailure(
      { Error: 'Lambda.Unknown', Cause: 'The function ran out of memory', Where: { State: 'Change Access' } },
      { cluster: 'demo', change: { action: 'REMOVE_ACCESS_ENTRY', target: 'arn:aws:iam::111122223333:role/ops' } },
    );

    expect(located).toMatchObject({ resource: 'access entry arn:aws:iam::111122223333:role/ops', phase: 'Update', message: 'access entry arn:aws:iam::111122223333:role/ops: Change Access: Lambda.Unknown: The function ran out of memory' });
  });

  it('falls back to the phase given, or the error’s, when no state was recorded', () => {
    expect(locateFailure({ Error: 'States.TaskFailed', Cause: 'boom' }, { cluster: 'demo' }, 'Teardown')).toEqual({ code: 'States.TaskFailed', message: 'boom', phase: 'Teardown' });
    expect(locateFailure({ Error: 'StackFailedError', Cause: 'stack x: failed' }, { cluster: 'demo' })).toMatchObject({ phase: 'ClusterStack', resource: 'stack x' });
  });

  it('never puts a recorded state in the Diagnose phase', () => {
    expect(Object.entries(FAILED_STATES).filter(([, facts]) => facts.phase === 'Diagnose')).toEqual([]);
  });
});

describe('phaseOfError', () => {
  it.each([
    ['InvalidSpecError', 'Plan'],
    ['StackFailedError', 'ClusterStack'],
    ['StackNotReadyError', 'ClusterStack'],
    ['NodegroupFailedError', 'ComputeAndAccess'],
    ['NodegroupNotReadyError', 'ComputeAndAccess'],
    ['FargateProfileFailedError', 'ComputeAndAccess'],
    ['AddonFailedError', 'ComputeAndAccess'],
    ['KubernetesApiError', 'ComputeAndAccess'],
    ['KubernetesConflictError', 'ComputeAndAccess'],
    ['EndpointUpdateFailedError', 'EndpointAccess'],
    ['EndpointUpdateNotReadyError', 'EndpointAccess'],
    ['UpdateInProgressError', 'EndpointAccess'],
    ['AwsRequestError', 'Diagnose'],
    ['States.Timeout', 'Diagnose'],
    ['States.TaskFailed', 'Diagnose'],
    ['Error', 'Diagnose'],
  ])('puts %s in phase %s', (code, phase) => {
    expect(phaseOfError(code)).toBe(phase);
  });
});

describe('diagnosis', () => {
  it('includes the resource when there is one', () => {
    expect(diagnosis('NodegroupFailedError', 'nodegroup ng-spot: CREATE_FAILED', 'ComputeAndAccess', true, 'nodegroup ng-spot')).toEqual({
      code: 'NodegroupFailedError',
      message: 'nodegroup ng-spot: CREATE_FAILED',
      phase: 'ComputeAndAccess',
      resourcesCreated: true,
      resource: 'nodegroup ng-spot',
    });
  });

  it('leaves the resource out when there is none', () => {
    expect(diagnosis('States.Timeout', 'timed out', 'Diagnose', false)).toEqual({ code: 'States.Timeout', message: 'timed out', phase: 'Diagnose', resourcesCreated: false });
  });
});
