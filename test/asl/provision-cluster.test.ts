/**
 * provision-cluster.asl.json executed end to end: the real step handlers over the in-memory AWS
 * (test/support/fake-aws.ts), Waits and Retry intervals zeroed. Each scenario checks what a user
 * would see: the order of the AWS calls that matter, the status events (schema-valid, one per
 * phase change, exactly one terminal), and what is left in AWS and the registry afterwards.
 */
import { parse, stringify } from 'yaml';
import { idempotencyToken } from '../../functions/domain/naming';
import { expectWellFormedEvents } from '../support/status-events';
import { FakeAws, type Faults } from '../support/fake-aws';
import { crashOnceAfter, operationFor, referenceSpec, runProvision } from '../support/provision-run';

const CLUSTER = 'reference';
const STACK = 'eksp-reference-cluster';
const OPERATION_ID = 'op-0001';
const AWS_AUTH = `${CLUSTER}/kube-system/aws-auth`;
const PHASE_ORDER = ['Plan', 'ClusterStack', 'ComputeAndAccess', 'Completed'];
const FINAL_ENDPOINT = { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] };
const NAT_FAILURE: Faults['stackResourceFailure'] = { logicalId: 'NATGateway', type: 'AWS::EC2::NatGateway', reason: 'The maximum number of addresses has been reached' };
const NODE_ROLE = { rolearn: 'arn:aws:iam::111122223333:role/eks-node-role', username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] };

// ── helpers ──────────────────────────────────────────────────────────────────────────────────

const matches = (line: string, pattern: string | RegExp) => (typeof pattern === 'string' ? line === pattern || line.startsWith(`${pattern} `) : pattern.test(line));

/** Every call matching `earlier` happened before every call matching `later` (both happened). */
function expectBefore(log: string[], earlier: string | RegExp, later: string | RegExp): void {
  const first = log.flatMap((line, i) => (matches(line, earlier) ? [i] : []));
  const then = log.flatMap((line, i) => (matches(line, later) ? [i] : []));
  if (first.length === 0 || then.length === 0 || Math.max(...first) > Math.min(...then)) {
    throw new Error(`expected every ${String(earlier)} (${first.length} calls) before every ${String(later)} (${then.length} calls) in:\n${log.join('\n')}`);
  }
}

const count = (log: string[], pattern: string | RegExp) => log.filter((line) => matches(line, pattern)).length;

/** "Create Nodegroup nodegroup ng-spot STARTED", one line per event with a step. */
const stepEvents = (aws: FakeAws) => aws.events.filter((e) => e.step).map((e) => `${e.step!.name}${e.step!.resource ? ` ${e.step!.resource}` : ''} ${e.step!.status}`);

const EKS_WRITES = /^eks:(Create|Associate|UpdateClusterConfig)/;

function withoutIdentityMappings(): Record<string, unknown> {
  return { ...referenceSpec(), identityMappings: [] };
}

function controlPlaneAccess(aws: FakeAws) {
  const vpc = aws.stacks.get(STACK)!.template.Resources.ControlPlane!.Properties!.ResourcesVpcConfig as Record<string, unknown>;
  return { endpointPublicAccess: vpc.EndpointPublicAccess, endpointPrivateAccess: vpc.EndpointPrivateAccess, publicAccessCidrs: vpc.PublicAccessCidrs };
}

// ── scenarios ────────────────────────────────────────────────────────────────────────────────

describe('provisioning the reference cluster', () => {
  let aws: FakeAws;
  let run: Awaited<ReturnType<typeof runProvision>>;
  let log: string[];

  beforeAll(async () => {
    aws = new FakeAws();
    // EKS's own entry for a node role, already in aws-auth: the mapping must be merged, not replace it.
    aws.configMaps.set(AWS_AUTH, { data: { mapRoles: stringify([NODE_ROLE]) }, resourceVersion: '7' });
    run = await runProvision(aws, referenceSpec());
    log = aws.callLog();
  });

  it('succeeds with a single terminal SUCCEEDED event carrying the endpoint and cluster ARN', () => {
    expect(run.status).toBe('SUCCEEDED');
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({
      status: 'SUCCEEDED',
      phase: 'Completed',
      outputs: { endpoint: `https://${CLUSTER}.gr7.us-east-1.eks.amazonaws.com`, clusterArn: `arn:aws:eks:us-east-1:111122223333:cluster/${CLUSTER}`, kubernetesVersion: '1.33' },
    });
  });

  it('reports the phases in order: Plan, ClusterStack, ComputeAndAccess, Completed', () => {
    const phases = aws.events.map((e) => e.phase).filter((phase, i, all) => phase !== all[i - 1]);

    expect(phases).toEqual(PHASE_ORDER);
  });

  it('sends one STARTED and one SUCCEEDED event per resource, never one per poll', () => {
    expect(stepEvents(aws).sort()).toEqual(
      [
        'Plan SUCCEEDED',
        `Create Cluster Stack stack ${STACK} STARTED`,
        `Create Cluster Stack stack ${STACK} SUCCEEDED`,
        ...['ng-general', 'ng-spot'].flatMap((ng) => [`Create Nodegroup nodegroup ${ng} STARTED`, `Create Nodegroup nodegroup ${ng} SUCCEEDED`]),
        'Create Fargate Profile Fargate profile fp-default STARTED',
        'Create Fargate Profile Fargate profile fp-default SUCCEEDED',
        ...['vpc-cni', 'coredns', 'kube-proxy'].flatMap((addon) => [`Create Add-on add-on ${addon} STARTED`, `Create Add-on add-on ${addon} SUCCEEDED`]),
        'Map Identities SUCCEEDED',
        // Each nodegroup's wait for Ready nodes is its own step, started and ended once however many looks it took.
        ...['ng-general', 'ng-spot'].flatMap((ng) => [`Check Nodes Ready nodes of nodegroup ${ng} STARTED`, `Check Nodes Ready nodes of nodegroup ${ng} SUCCEEDED`]),
        // The reference cluster asks for no Pod Identity association.
        'Create Pod Identity Associations SKIPPED',
      ].sort(),
    );
    expect(new Set(aws.events.map((e) => e.eventId)).size).toBe(aws.events.length);
    // The stack and the resources were polled several times each; the events did not follow.
    expect(count(log, 'cloudformation:DescribeStacks')).toBeGreaterThan(2);
    expect(count(log, 'eks:DescribeNodegroup ng-spot')).toBeGreaterThan(2);
  });

  it('creates the stack first, with a ClientRequestToken derived from the operation id', () => {
    const createStack = aws.calls.filter((c) => c.operation === 'CreateStack');

    expect(createStack).toEqual([{ service: 'cloudformation', operation: 'CreateStack', target: STACK, token: idempotencyToken(OPERATION_ID, 'create-cluster-stack') }]);
    expectBefore(log, 'cloudformation:CreateStack', EKS_WRITES);
    expectBefore(log, 'cloudformation:CreateStack', /^kubernetes:/);
    // Every EKS create carries a token too, so a retried step cannot create twice.
    expect(aws.calls.filter((c) => c.service === 'eks' && /^(Create(Nodegroup|FargateProfile|Addon)|UpdateClusterConfig)$/.test(c.operation)).every((c) => c.token?.startsWith('eksp-'))).toBe(true);
  });

  it("creates the cluster with the spec's endpoint access and never updates it, though it wrote aws-auth (from inside the VPC)", () => {
    expect(controlPlaneAccess(aws)).toEqual(FINAL_ENDPOINT);
    expect(aws.clusters.get(CLUSTER)!.resourcesVpcConfig).toEqual(FINAL_ENDPOINT);
    expect(count(log, 'eks:UpdateClusterConfig')).toBe(0);
    expectBefore(log, 'cloudformation:CreateStack', 'kubernetes:ReplaceConfigMap kube-system/aws-auth');
  });

  it('leaves the access entries with their policies, and aws-auth with the mapping next to EKS’s node role', () => {
    const entry = (arn: string) => aws.accessEntries.get(`${CLUSTER}/${arn}`);

    expect(Object.fromEntries(entry('arn:aws:iam::111122223333:role/cluster-admin')!.policies)).toEqual({
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy': { type: 'cluster' },
    });
    expect(Object.fromEntries(entry('arn:aws:iam::111122223333:user/viewer')!.policies)).toEqual({
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy': { type: 'namespace', namespaces: ['apps'] },
    });
    expect(entry('arn:aws:iam::111122223333:role/deployer')).toMatchObject({ username: 'deployer', kubernetesGroups: ['deployers'], policies: new Map() });
    expect(parse(aws.configMaps.get(AWS_AUTH)!.data.mapRoles!)).toEqual([NODE_ROLE, { rolearn: 'arn:aws:iam::111122223333:role/legacy-ops', username: 'legacy-ops', groups: ['ops'] }]);
  });

  it("gives the owner cluster-admin and leaves the service no standing access, though it wrote aws-auth", () => {
    expect(Object.fromEntries(aws.accessEntries.get(`${CLUSTER}/arn:aws:iam::111122223333:role/platform-portal`)!.policies)).toEqual({
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy': { type: 'cluster' },
    });
    // Held twice, each time only while it was needed: the aws-auth write, then the wait for Ready nodes.
    expect(aws.callLog((c) => c.operation === 'CreateAccessEntry' && c.target === aws.servicePrincipal)).toHaveLength(2);
    expect(aws.callLog((c) => c.operation === 'DeleteAccessEntry' && c.target === aws.servicePrincipal)).toHaveLength(2);
    expect(aws.accessEntries.has(`${CLUSTER}/${aws.servicePrincipal}`)).toBe(false);
  });

  it('stays within 100 state transitions', () => {
    expect(run.transitions).toBeLessThanOrEqual(100);
  });

  it('records the operation as SUCCEEDED with a step timeline, and releases the cluster', () => {
    const record = aws.operations.get(OPERATION_ID)!;
    const timeline = Object.values(record.steps).map((s) => `${s.name} ${s.status}`);

    expect(record).toMatchObject({ status: 'SUCCEEDED', phase: 'Completed', terminalEventSent: true, outputs: { clusterName: CLUSTER } });
    expect(timeline).toEqual(expect.arrayContaining(['Plan SUCCEEDED', 'Create Cluster Stack SUCCEEDED', 'Create Nodegroup SUCCEEDED', 'Create Fargate Profile SUCCEEDED', 'Create Add-on SUCCEEDED', 'Map Identities SUCCEEDED']));
    expect(timeline.filter((line) => line.includes('Endpoint'))).toEqual([]);
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE', owner: operationFor(CLUSTER).requestedBy });
    expect(aws.clusterRecords.get(CLUSTER)?.lockedBy).toBeUndefined();
  });
});

describe('when the cluster stack fails and rolls back', () => {
  it('reports ROLLED_BACK with the failed resource and CloudFormation’s reason, deletes the stack and frees the name', async () => {
    const aws = new FakeAws({ stackResourceFailure: NAT_FAILURE });

    const run = await runProvision(aws, referenceSpec());

    expect(run).toMatchObject({ status: 'FAILED', error: 'StackFailedError' });
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'ROLLED_BACK', phase: 'ClusterStack', error: { code: 'StackFailedError' } });
    expect(terminal.error!.message).toContain('NATGateway (AWS::EC2::NatGateway) CREATE_FAILED: The maximum number of addresses has been reached');
    expect(terminal.error!.message).not.toContain('Resource creation cancelled');

    const log = aws.callLog();
    expect(log.filter((line) => EKS_WRITES.test(line))).toEqual([]);
    // The root cause is read from the stack events before deleting the stack takes them away.
    expectBefore(log, 'cloudformation:DescribeStackEvents', 'cloudformation:DeleteStack');
    expectBefore(log, 'cloudformation:UpdateTerminationProtection', 'cloudformation:DeleteStack');
    expect(aws.stacks.has(STACK)).toBe(false);
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ROLLED_BACK', owner: operationFor(CLUSTER).requestedBy });
    expect(aws.clusterRecords.get(CLUSTER)?.lockedBy).toBeUndefined();

    // The name is reusable: a new create is accepted and provisions the cluster.
    delete aws.faults.stackResourceFailure;
    await expect(aws.registry.beginCreate(operationFor(CLUSTER, 'op-0002'), referenceSpec())).resolves.toBeUndefined();
    const retry = await runProvision(aws, referenceSpec(), operationFor(CLUSTER, 'op-0002'));
    expect(retry.status).toBe('SUCCEEDED');
    expect(aws.stacks.get(STACK)!.status).toBe('CREATE_COMPLETE');
  });

  it('with onFailure retain, reports FAILED and leaves the stack in CREATE_FAILED for inspection', async () => {
    const aws = new FakeAws({ stackResourceFailure: NAT_FAILURE });

    const run = await runProvision(aws, { ...referenceSpec(), onFailure: 'retain' });

    expect(run).toMatchObject({ status: 'FAILED', error: 'StackFailedError' });
    expect(run.statesEntered).not.toContain('Roll Back');
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'FAILED', phase: 'ClusterStack', error: { code: 'StackFailedError' } });
    expect(terminal.error!.message).toContain('The maximum number of addresses has been reached');
    const log = aws.callLog();
    expect(count(log, 'cloudformation:DeleteStack')).toBe(0);
    expect(count(log, 'cloudformation:UpdateTerminationProtection')).toBe(0);
    expect(aws.stacks.get(STACK)).toMatchObject({ status: 'CREATE_FAILED', terminationProtection: true });
    // The retained stack still holds the name.
    expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('FAILED');
    await expect(aws.registry.beginCreate(operationFor(CLUSTER, 'op-0002'), referenceSpec())).rejects.toMatchObject({ name: 'ClusterExistsError' });
  });

  it('never rolls back a stack it did not create', async () => {
    const aws = new FakeAws();
    aws.seedStack(STACK, 'CREATE_COMPLETE', { 'eks-provisioner:operation-id': 'op-earlier' });

    const run = await runProvision(aws, referenceSpec());

    expect(run).toMatchObject({ status: 'FAILED', error: 'StackFailedError' });
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'FAILED', error: { code: 'StackFailedError', resource: `stack ${STACK}` } });
    expect(terminal.error!.message).toContain('was not created by this operation');
    const log = aws.callLog();
    expect(count(log, 'cloudformation:UpdateTerminationProtection')).toBe(0);
    expect(count(log, 'cloudformation:DeleteStack')).toBe(0);
    expect(log.filter((line) => EKS_WRITES.test(line))).toEqual([]);
    expect(aws.stacks.get(STACK)).toMatchObject({ status: 'CREATE_COMPLETE', terminationProtection: true });
  });
});

describe('when a nodegroup fails to create', () => {
  it('reports ROLLED_BACK with the nodegroup’s health issue, deleting nodegroups and Fargate profiles before the stack', async () => {
    const aws = new FakeAws({ nodegroupFailure: { nodegroup: 'ng-spot', code: 'AsgInstanceLaunchFailures', message: 'Could not launch Spot Instances. UnfulfillableCapacity' } });

    const run = await runProvision(aws, referenceSpec());

    expect(run).toMatchObject({ status: 'FAILED', error: 'NodegroupFailedError' });
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'ROLLED_BACK', phase: 'ComputeAndAccess', error: { code: 'NodegroupFailedError', resource: 'nodegroup ng-spot' } });
    expect(terminal.error!.message).toContain('AsgInstanceLaunchFailures: Could not launch Spot Instances. UnfulfillableCapacity');

    const log = aws.callLog();
    expect(count(log, 'eks:UpdateClusterConfig')).toBe(0);
    expectBefore(log, 'eks:DeleteNodegroup ng-general', 'cloudformation:DeleteStack');
    expectBefore(log, 'eks:DeleteNodegroup ng-spot', 'cloudformation:DeleteStack');
    expectBefore(log, 'eks:DeleteFargateProfile fp-default', 'cloudformation:DeleteStack');
    expectBefore(log, 'cloudformation:UpdateTerminationProtection', 'cloudformation:DeleteStack');
    expect({ stacks: aws.stacks.size, clusters: aws.clusters.size, nodegroups: aws.nodegroups.size, profiles: aws.profiles.size }).toEqual({ stacks: 0, clusters: 0, nodegroups: 0, profiles: 0 });
    expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('ROLLED_BACK');
  });
});

describe('when nodes do not become Ready', () => {
  const NOT_READY: Faults['nodesNotReady'] = { nodegroup: 'ng-spot', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' };

  it('waits ten minutes, then rolls back naming each node that is not Ready and why, holding no access afterwards', async () => {
    const aws = new FakeAws({ nodesNotReady: NOT_READY });

    const run = await runProvision(aws, referenceSpec());

    expect(run).toMatchObject({ status: 'FAILED', error: 'NodesFailedError' });
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'ROLLED_BACK', phase: 'ComputeAndAccess', error: { code: 'NodesFailedError', resource: 'nodes of nodegroup ng-spot' } });
    expect(terminal.error!.message).toMatch(/^nodes of nodegroup ng-spot: not Ready 10 minutes after the nodegroup was up: nodes of nodegroup ng-spot: 0\/1 nodes Ready; not Ready: ip-10-0-2-10\.ec2\.internal \(Ready=False, KubeletNotReady: container runtime network not ready/);
    // The healthy nodegroup's wait ended on its own; only the broken one failed the step.
    expect(stepEvents(aws)).toEqual(expect.arrayContaining(['Check Nodes Ready nodes of nodegroup ng-general SUCCEEDED', 'Check Nodes Ready nodes of nodegroup ng-spot STARTED']));
    expect(stepEvents(aws)).not.toContain('Check Nodes Ready nodes of nodegroup ng-spot SUCCEEDED');
    // One grant for the whole wait, however many looks, removed when it failed.
    expect(count(aws.callLog(), 'kubernetes:ListNodes eks.amazonaws.com/nodegroup=ng-spot')).toBeGreaterThan(10);
    expect(aws.callLog((c) => c.operation === 'CreateAccessEntry' && c.target === aws.servicePrincipal)).toHaveLength(2);
    expect(aws.accessEntries.has(`${CLUSTER}/${aws.servicePrincipal}`)).toBe(false);
    expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('ROLLED_BACK');
  });

  it('carries ready/desired on the wait’s events', async () => {
    const aws = new FakeAws();

    await runProvision(aws, referenceSpec());

    const waits = aws.events.filter((e) => e.step?.name === 'Check Nodes Ready');
    expect(waits.map((e) => [e.step!.resource, e.step!.status, e.step!.nodes])).toEqual(
      expect.arrayContaining([
        ['nodes of nodegroup ng-spot', 'SUCCEEDED', { ready: 1, desired: 1 }],
        ['nodes of nodegroup ng-general', 'SUCCEEDED', { ready: 2, desired: 2 }],
      ]),
    );
  });

  it("keeps each nodegroup's count at the end of its wait on the cluster's record, one write per nodegroup however many looks", async () => {
    const aws = new FakeAws();

    await runProvision(aws, referenceSpec());

    const ended = (nodegroup: string) => aws.events.find((e) => e.step?.name === 'Check Nodes Ready' && e.step.status === 'SUCCEEDED' && e.step.resource === `nodes of nodegroup ${nodegroup}`)!.step!.endedAt;
    expect(aws.clusterRecords.get(CLUSTER)?.readyNodes).toEqual({
      'ng-general': { ready: 2, desired: 2, observedAt: ended('ng-general') },
      'ng-spot': { ready: 1, desired: 1, observedAt: ended('ng-spot') },
    });
    const looks = aws.callLog().filter((line) => line.startsWith('kubernetes:ListNodes')).length;
    const writes = aws.callLog().filter((line) => line.endsWith('readyNodes')).length;
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(2);
    expect(looks).toBeGreaterThan(writes);
  });

  it('keeps the count a wait ended with when it ran out of time', async () => {
    const aws = new FakeAws({ nodesNotReady: NOT_READY });

    await runProvision(aws, referenceSpec());

    expect(aws.clusterRecords.get(CLUSTER)?.readyNodes).toEqual({
      'ng-general': { ready: 2, desired: 2, observedAt: expect.any(String) },
      'ng-spot': { ready: 0, desired: 1, observedAt: expect.any(String) },
    });
    expect(aws.callLog().filter((line) => line.endsWith('readyNodes')).length).toBeLessThanOrEqual(2);
  });
});

describe('endpoint access', () => {
  it('is final from the start with or without identity mappings: no update is made either way', async () => {
    const aws = new FakeAws();

    const run = await runProvision(aws, withoutIdentityMappings());

    expect(run.status).toBe('SUCCEEDED');
    expectWellFormedEvents(aws);
    expect(controlPlaneAccess(aws)).toEqual(FINAL_ENDPOINT);
    const log = aws.callLog();
    expect(count(log, 'eks:UpdateClusterConfig') + count(log, 'eks:DescribeUpdate')).toBe(0);
    // No aws-auth work without mappings: the Kubernetes API is only read for the nodes' readiness.
    expect(log.filter((line) => line.startsWith('kubernetes:') && !line.startsWith('kubernetes:ListNodes'))).toEqual([]);
  });

  it('is private only from the start for a private-only cluster with aws-auth mappings, which are still written', async () => {
    const aws = new FakeAws();
    const privateOnly = { public: false, private: true };

    const run = await runProvision(aws, { ...referenceSpec(), endpointAccess: privateOnly });

    expect(run.status).toBe('SUCCEEDED');
    expect(controlPlaneAccess(aws)).toMatchObject({ endpointPublicAccess: false, endpointPrivateAccess: true });
    expect(count(aws.callLog(), 'eks:UpdateClusterConfig')).toBe(0);
    expect(parse(aws.configMaps.get(AWS_AUTH)!.data.mapRoles!)).toContainEqual(expect.objectContaining({ rolearn: 'arn:aws:iam::111122223333:role/legacy-ops' }));
  });
});

describe('identities', () => {
  it('retries an aws-auth write that lost a race, and keeps both writers’ entries', async () => {
    const aws = new FakeAws({ awsAuthConflicts: 1 });

    const run = await runProvision(aws, referenceSpec());

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried.filter((state) => state === 'Map Identities')).toHaveLength(1);
    expectWellFormedEvents(aws);
    expect(stepEvents(aws).filter((line) => line.startsWith('Map Identities'))).toEqual(['Map Identities SUCCEEDED']);
    expect(parse(aws.configMaps.get(AWS_AUTH)!.data.mapRoles!)).toEqual([{ rolearn: 'arn:aws:iam::111122223333:role/legacy-ops', username: 'legacy-ops', groups: ['ops'] }]);
  });
});

describe('a Fargate-only cluster', () => {
  it('creates its profiles one at a time and no nodegroups', async () => {
    const aws = new FakeAws();
    const spec = { ...withoutIdentityMappings(), managedNodeGroups: [], fargateProfiles: [{ name: 'fp-batch', selectors: [{ namespace: 'batch' }] }] };

    const run = await runProvision(aws, spec);

    expect(run.status).toBe('SUCCEEDED');
    expectWellFormedEvents(aws);
    const log = aws.callLog();
    expect(log.filter((line) => line.includes('Nodegroup'))).toEqual([]);
    // EKS refuses a second profile while one is CREATING; the Map never asks.
    expectBefore(log, 'eks:DescribeFargateProfile fp-default', 'eks:CreateFargateProfile fp-batch');
    expect(run.retried).not.toContain('Create Fargate Profile');
    expect([...aws.profiles.values()].map((p) => `${p.fargateProfileName} ${p.status}`)).toEqual(['fp-default ACTIVE', 'fp-batch ACTIVE']);
  });
});

describe('a spec that fails the Plan', () => {
  it('reports FAILED in the Plan phase before creating anything, and frees the name', async () => {
    const aws = new FakeAws();
    const ids = { private: ['subnet-0aaa0000000000001', 'subnet-0aaa0000000000002'], public: ['subnet-0bbb0000000000001'] };
    for (const subnetId of [...ids.private, ...ids.public]) aws.subnets.set(subnetId, { subnetId, vpcId: 'vpc-0abc', availabilityZone: 'us-east-1a', cidrBlock: '10.0.0.0/24' });

    const run = await runProvision(aws, { ...withoutIdentityMappings(), network: { subnets: ids } });

    expect(run).toMatchObject({ status: 'FAILED', error: 'InvalidSpecError' });
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'FAILED', phase: 'Plan', error: { code: 'InvalidSpecError' } });
    expect(terminal.error!.message).toContain('at least two AZs');
    expect(aws.callLog().filter((line) => line.startsWith('cloudformation:') && line !== `cloudformation:DescribeStacks ${STACK}`)).toEqual([]);
    expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('ROLLED_BACK');
  });
});

describe('a step that crashes after its side effect', () => {
  it('is retried without creating twice; a re-sent event keeps its id', async () => {
    const aws = new FakeAws();
    const crash = crashOnceAfter('Create Nodegroup', (input) => (input as { item: { name: string } }).item.name === 'ng-spot');

    const run = await runProvision(aws, referenceSpec(), operationFor(CLUSTER), { wrapHandler: crash });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried).toContain('Create Nodegroup');
    const creates = aws.calls.filter((c) => c.operation === 'CreateNodegroup' && c.target === 'ng-spot');
    expect(creates).toHaveLength(2);
    expect(new Set(creates.map((c) => c.token)).size).toBe(1);
    expect([...aws.nodegroups.values()].map((n) => `${n.nodegroupName} ${n.status}`)).toEqual(['ng-general ACTIVE', 'ng-spot ACTIVE']);

    expectWellFormedEvents(aws);
    const started = aws.events.filter((e) => e.step?.resource === 'nodegroup ng-spot' && e.step.status === 'STARTED');
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(new Set(started.map((e) => e.eventId)).size).toBe(1);
    const timeline = Object.values(aws.operations.get(OPERATION_ID)!.steps).filter((s) => s.resource === 'nodegroup ng-spot');
    expect(timeline.map((s) => s.status).sort()).toEqual(['STARTED', 'SUCCEEDED']);
  });

  it('sends the terminal event once even when Finalize is retried after sending it', async () => {
    const aws = new FakeAws();

    const run = await runProvision(aws, withoutIdentityMappings(), operationFor(CLUSTER), { wrapHandler: crashOnceAfter('Finalize') });

    expect(run.status).toBe('SUCCEEDED');
    expect(run.retried).toContain('Finalize');
    expect(expectWellFormedEvents(aws).status).toBe('SUCCEEDED');
  });

  it('never rolls back a SUCCEEDED cluster when Finalize crashes after its commit on every try', async () => {
    const aws = new FakeAws();
    const crashAlways = (name: string, handler: (input: unknown) => Promise<unknown>) =>
      name !== 'Finalize'
        ? handler
        : async (input: unknown) => {
            await handler(input);
            throw Object.assign(new Error('Lambda was unable to return the function result'), { name: 'Lambda.ServiceException' });
          };

    const run = await runProvision(aws, withoutIdentityMappings(), operationFor(CLUSTER), { wrapHandler: crashAlways });

    // The execution fails (the Lambda did); the operation, its one event and the cluster say SUCCEEDED.
    expect(run.status).toBe('FAILED');
    expect(run.statesEntered).not.toEqual(expect.arrayContaining(['Diagnose Failure']));
    expect(run.statesEntered).not.toEqual(expect.arrayContaining(['Roll Back']));
    expect(run.statesEntered).not.toEqual(expect.arrayContaining(['Report Failure']));
    expect(aws.events.filter((e) => ['SUCCEEDED', 'FAILED', 'ROLLED_BACK'].includes(e.status)).map((e) => e.status)).toEqual(['SUCCEEDED']);
    expect(aws.events.at(-1)!.status).toBe('SUCCEEDED');
    expect(aws.operations.get(OPERATION_ID)).toMatchObject({ status: 'SUCCEEDED', terminalEventSent: true });
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE' });
    expect(aws.clusterRecords.get(CLUSTER)!.lockedBy).toBeUndefined();
    expect(aws.stacks.get(STACK)?.status).toBe('CREATE_COMPLETE');
  });

  it('provisions the cluster SUCCEEDED while the bus refuses every event: the outcome waits on the record for delivery', async () => {
    const aws = new FakeAws();
    aws.statusEvents.publish = async () => {
      throw Object.assign(new Error('PutEvents: InternalFailure'), { name: 'AwsUnavailableError' });
    };

    const run = await runProvision(aws, withoutIdentityMappings(), operationFor(CLUSTER));

    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).not.toContain('Diagnose Failure');
    const record = aws.operations.get(OPERATION_ID)!;
    expect(record).toMatchObject({ status: 'SUCCEEDED', terminalEvent: expect.objectContaining({ status: 'SUCCEEDED' }) });
    expect(record.terminalEventSent).toBeUndefined();
    expect(Object.keys(record.steps).length).toBeGreaterThan(5);
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE' });
  });

  it('rolls back when Collect Outputs fails, before anything is committed', async () => {
    const aws = new FakeAws();
    const refuse = (name: string, handler: (input: unknown) => Promise<unknown>) =>
      name !== 'Collect Outputs'
        ? handler
        : async () => {
            throw Object.assign(new Error('eks:DescribeCluster: AccessDeniedException: not authorized'), { name: 'AwsRequestError' });
          };

    const run = await runProvision(aws, withoutIdentityMappings(), operationFor(CLUSTER), { wrapHandler: refuse });

    expect(run.statesEntered).toEqual(expect.arrayContaining(['Collect Outputs', 'Diagnose Failure', 'Roll Back', 'Report Failure']));
    expect(run.statesEntered).not.toContain('Finalize');
    expect(expectWellFormedEvents(aws).status).toBe('ROLLED_BACK');
  });
});
