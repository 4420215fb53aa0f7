/**
 * update-cluster.asl.json executed end to end: the real step handlers over the in-memory AWS
 * (test/support/fake-aws.ts), Waits and Retry intervals zeroed, on clusters made the way users
 * get them (provision-cluster). Each change is built as the API builds it (the registry's spec
 * with the change applied, normalised again). Each scenario checks what a user would see: the
 * AWS calls that matter and their order, what is left in AWS, the registry's record (ACTIVE, the
 * new spec), and the status events (schema-valid, exactly one terminal, last).
 */
import { parse, stringify } from 'yaml';
import type { Operation, OperationStatusEvent } from '../../functions/generated/types';
import { NODEGROUP_STACK_OUTPUTS } from '../../functions/domain/cluster-template';
import { clusterStackName, fargateStackName, idempotencyToken, nodegroupStackName } from '../../functions/domain/naming';
import type { ChangeRequest } from '../../functions/domain/spec-change';
import { normaliseSpec, type Spec } from '../../functions/domain/spec';
import { apiChange } from '../support/change-request';
import { expectWellFormedEvents } from '../support/status-events';
import { FakeAws } from '../support/fake-aws';
import { KubernetesApiError } from '../../functions/shared/errors';
import { crashOnceAfter, operationFor, referenceSpec, runProvision, runWorkflow, type TaskHandler } from '../support/provision-run';

const CLUSTER = 'reference';
const STACK = clusterStackName(CLUSTER);
const UPDATE: Operation = { ...operationFor(CLUSTER, 'op-update-1'), type: 'UPDATE' };
const AWS_AUTH = `${CLUSTER}/kube-system/aws-auth`;
const OPS = 'arn:aws:iam::111122223333:role/ops';
const NODE_ROLE = 'arn:aws:iam::111122223333:role/eks-node-role';
const NODE_MAPPING = { rolearn: NODE_ROLE, username: 'system:node:{{EC2PrivateDNSName}}', groups: ['system:bootstrappers', 'system:nodes'] };
const WITHOUT_FARGATE = { ...referenceSpec(), fargate: false };

// ── helpers ──────────────────────────────────────────────────────────────────────────────────

const guardrails = () => new FakeAws().deps().settings.guardrails();

/** A cluster provisioned by provision-cluster, with what that did forgotten. Returns its spec as the registry keeps it. */
async function provisioned(aws: FakeAws, raw: Record<string, unknown> = referenceSpec()): Promise<Spec> {
  expect((await runProvision(aws, raw)).status).toBe('SUCCEEDED');
  aws.calls.length = 0;
  aws.events.length = 0;
  return normaliseSpec(raw, guardrails());
}

interface UpdateOptions {
  wrapHandler?: (state: string, handler: TaskHandler) => TaskHandler;
}

/** Starts update-cluster as the API does: the registry's spec with the request applied, normalised again, and the change made of it. */
async function runUpdate(aws: FakeAws, current: Spec, request: ChangeRequest, options: UpdateOptions = {}) {
  const { change, spec: desired } = apiChange(current, request);
  const operation = { ...UPDATE, action: change.action };
  aws.seedOperation(operation, { status: 'UPDATING', spec: current });
  const run = await runWorkflow(aws, 'update-cluster', { operation, change, spec: desired }, options);
  return { run, change, desired, log: aws.callLog() };
}

/** The shared event contract, and an update's first event is its Update phase. */
function expectUpdateEvents(aws: FakeAws): OperationStatusEvent {
  const terminal = expectWellFormedEvents(aws);
  expect(aws.events[0]).toMatchObject({ status: 'IN_PROGRESS', phase: 'Update' });
  return terminal;
}

/** The run succeeded with one SUCCEEDED event carrying these outputs, and the registry keeps the new spec. */
function expectApplied(aws: FakeAws, update: Awaited<ReturnType<typeof runUpdate>>, outputs: Record<string, string>): void {
  expect({ status: update.run.status, error: update.run.error, cause: update.run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
  expect(expectUpdateEvents(aws)).toMatchObject({ status: 'SUCCEEDED', phase: 'Completed', operation: 'UPDATE', action: outputs.action, outputs });
  const record = aws.clusterRecords.get(CLUSTER)!;
  expect(record).toMatchObject({ status: 'ACTIVE', spec: update.desired });
  expect(record.lockedBy).toBeUndefined();
  expect(aws.operations.get(UPDATE.id)).toMatchObject({ status: 'SUCCEEDED', terminalEventSent: true, outputs });
}

const matches = (line: string, pattern: string) => line === pattern || line.startsWith(`${pattern} `);
const count = (log: string[], pattern: string) => log.filter((line) => matches(line, pattern)).length;

function expectBefore(log: string[], earlier: string, later: string): void {
  const first = log.flatMap((line, i) => (matches(line, earlier) ? [i] : []));
  const then = log.flatMap((line, i) => (matches(line, later) ? [i] : []));
  if (first.length === 0 || then.length === 0 || Math.max(...first) > Math.min(...then)) {
    throw new Error(`expected every ${earlier} (${first.length} calls) before every ${later} (${then.length} calls) in:\n${log.join('\n')}`);
  }
}

/** "Create Nodegroup nodegroup ng-x STARTED", one line per event with a step. */
const stepEvents = (aws: FakeAws) => aws.events.filter((e) => e.step).map((e) => `${e.step!.name}${e.step!.resource ? ` ${e.step!.resource}` : ''} ${e.step!.status}`);

const EKS_WRITES = /^eks:(Create|Update|Delete|Associate)/;

// ── nodegroups ───────────────────────────────────────────────────────────────────────────────

describe('adding a nodegroup', () => {
  const ADDED = 'ng-added';
  const ADDED_STACK = nodegroupStackName(CLUSTER, ADDED);
  const CHANGE: ChangeRequest = { action: 'ADD_NODEGROUP', body: { name: ADDED, instanceTypes: ['m6i.large'], minSize: 1, desiredSize: 1, maxSize: 3 } };
  let aws: FakeAws;
  let update: Awaited<ReturnType<typeof runUpdate>>;

  beforeAll(async () => {
    aws = new FakeAws();
    update = await runUpdate(aws, await provisioned(aws), CHANGE);
  });

  it('succeeds with one SUCCEEDED event, and the registry keeps the spec with the nodegroup', () => {
    expectApplied(aws, update, { action: 'ADD_NODEGROUP', target: ADDED, result: 'applied' });
    expect(update.desired.managedNodeGroups.map((n) => n.name)).toEqual(['ng-general', 'ng-spot', ADDED]);
  });

  it('creates the nodegroup’s own stack with a token from the operation, then the nodegroup with its role and launch template', () => {
    expect(aws.calls.filter((c) => c.operation === 'CreateStack')).toEqual([{ service: 'cloudformation', operation: 'CreateStack', target: ADDED_STACK, token: idempotencyToken(UPDATE.id, 'create-nodegroup-stack', ADDED) }]);
    expectBefore(update.log, `cloudformation:CreateStack ${ADDED_STACK}`, `eks:CreateNodegroup ${ADDED}`);
    const outputs = aws.stacks.get(ADDED_STACK)!.outputs;
    expect(aws.stacks.get(ADDED_STACK)!.status).toBe('CREATE_COMPLETE');
    expect(aws.nodegroups.get(`${CLUSTER}/${ADDED}`)).toMatchObject({
      status: 'ACTIVE',
      nodeRole: outputs[NODEGROUP_STACK_OUTPUTS.nodeRole],
      launchTemplate: { id: outputs[NODEGROUP_STACK_OUTPUTS.launchTemplate] },
      scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 3 },
    });
  });

  it('imports the cluster stack’s security groups into the nodegroup stack', () => {
    expect(JSON.stringify(aws.stacks.get(ADDED_STACK)!.template)).toContain(`"Fn::ImportValue":"${STACK}::ClusterSharedNodeSecurityGroup"`);
  });

  it('reports each stage once: the change, the stack, the nodegroup, its nodes Ready, never one event per poll', () => {
    expect(stepEvents(aws)).toEqual([
      `Change Nodegroup nodegroup ${ADDED} STARTED`,
      `Create Nodegroup Stack stack ${ADDED_STACK} STARTED`,
      `Create Nodegroup Stack stack ${ADDED_STACK} SUCCEEDED`,
      `Create Nodegroup nodegroup ${ADDED} STARTED`,
      `Create Nodegroup nodegroup ${ADDED} SUCCEEDED`,
      `Change Nodegroup nodegroup ${ADDED} SUCCEEDED`,
      `Check Nodes Ready nodes of nodegroup ${ADDED} STARTED`,
      `Check Nodes Ready nodes of nodegroup ${ADDED} SUCCEEDED`,
    ]);
    expect(count(update.log, `eks:DescribeNodegroup ${ADDED}`)).toBeGreaterThan(2);
  });

  it('polls near the finish with retries, not a Wait loop per look', () => {
    expect(update.run.retried.filter((s) => s === 'Change Nodegroup').length).toBeGreaterThan(0);
    expect(update.run.transitions).toBeLessThanOrEqual(20);
  });
});

describe('scaling a nodegroup', () => {
  it('sends one UpdateNodegroupConfig with the asked sizes and follows the nodegroup’s update until Successful', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    const describeUpdate = jest.spyOn(aws.eks, 'describeUpdate');

    const update = await runUpdate(aws, spec, { action: 'UPDATE_NODEGROUP', target: 'ng-spot', body: { desiredSize: 3 } });

    expectApplied(aws, update, { action: 'UPDATE_NODEGROUP', target: 'ng-spot', result: 'applied' });
    expect(aws.calls.filter((c) => c.operation === 'UpdateNodegroupConfig')).toEqual([{ service: 'eks', operation: 'UpdateNodegroupConfig', target: 'ng-spot scalingConfig', token: idempotencyToken(UPDATE.id, 'update-nodegroup-config', 'ng-spot') }]);
    expect(describeUpdate).toHaveBeenCalledWith(CLUSTER, expect.any(String), 'ng-spot');
    expect(aws.nodegroups.get(`${CLUSTER}/ng-spot`)!.scalingConfig).toEqual({ minSize: 1, desiredSize: 3, maxSize: 3 });
    expect(update.desired.managedNodeGroups.find((n) => n.name === 'ng-spot')).toMatchObject({ desiredSize: 3 });
  });

  it('waits out a version update of the nodegroup started outside the service before comparing sizes', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    // `aws eks update-nodegroup-version`, in progress; the nodegroup still reads ACTIVE.
    aws.updates.set('ng-version', { id: 'ng-version', type: 'VersionUpdate', status: 'InProgress', createdAt: aws.clock(), clusterName: CLUSTER, nodegroupName: 'ng-spot', describesLeft: 2, config: {}, apply: () => undefined });

    const update = await runUpdate(aws, spec, { action: 'UPDATE_NODEGROUP', target: 'ng-spot', body: { desiredSize: 3 } });

    expectApplied(aws, update, { action: 'UPDATE_NODEGROUP', target: 'ng-spot', result: 'applied' });
    expect(update.run.retried).toContain('Change Nodegroup');
    expect(aws.updates.get('ng-version')!.status).toBe('Successful');
    const firstScale = update.log.findIndex((line) => line.startsWith('eks:UpdateNodegroupConfig'));
    expect(update.log.slice(0, firstScale).filter((line) => line === 'eks:DescribeUpdate ng-version').length).toBeGreaterThanOrEqual(3);
    expect(aws.nodegroups.get(`${CLUSTER}/ng-spot`)!.scalingConfig).toMatchObject({ desiredSize: 3 });
  });
});

describe('updating a nodegroup’s labels, taints and AMI release', () => {
  it('sends one UpdateNodegroupConfig with what differs, then UpdateNodegroupVersion with the release, each followed until Successful', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    aws.nodegroups.get(`${CLUSTER}/ng-spot`)!.releaseVersion = '1.33.5-20251001';

    const update = await runUpdate(aws, spec, { action: 'UPDATE_NODEGROUP', target: 'ng-spot', body: { labels: { team: 'b' }, taints: [], releaseVersion: '1.33.5-20251101' } });

    expectApplied(aws, update, { action: 'UPDATE_NODEGROUP', target: 'ng-spot', result: 'applied' });
    expect(update.log.filter((line) => /^eks:UpdateNodegroup/.test(line))).toEqual(['eks:UpdateNodegroupConfig ng-spot labels,taints', 'eks:UpdateNodegroupVersion ng-spot release 1.33.5-20251101']);
    expect(aws.nodegroups.get(`${CLUSTER}/ng-spot`)).toMatchObject({ labels: { team: 'b' }, taints: [], releaseVersion: '1.33.5-20251101' });
    expect(update.desired.managedNodeGroups.find((n) => n.name === 'ng-spot')).toMatchObject({ labels: { team: 'b' }, taints: [], releaseVersion: '1.33.5-20251101' });
  });
});

describe('removing a nodegroup', () => {
  it('deletes a nodegroup added later, waits until it is gone, then deletes its stack', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    const added = await runUpdate(aws, spec, { action: 'ADD_NODEGROUP', body: { name: 'ng-added' } });
    expect(added.run.status).toBe('SUCCEEDED');
    aws.calls.length = 0;
    aws.events.length = 0;

    const update = await runUpdate(aws, added.desired, { action: 'REMOVE_NODEGROUP', target: 'ng-added' });

    expectApplied(aws, update, { action: 'REMOVE_NODEGROUP', target: 'ng-added', result: 'applied' });
    expectBefore(update.log, 'eks:DeleteNodegroup ng-added', `cloudformation:DeleteStack ${nodegroupStackName(CLUSTER, 'ng-added')}`);
    expect(aws.nodegroups.has(`${CLUSTER}/ng-added`)).toBe(false);
    expect(aws.stacks.has(nodegroupStackName(CLUSTER, 'ng-added'))).toBe(false);
    expect(update.desired.managedNodeGroups.map((n) => n.name)).toEqual(['ng-general', 'ng-spot']);
  });

  it('deletes a nodegroup made at provisioning without touching the cluster stack', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);

    const update = await runUpdate(aws, spec, { action: 'REMOVE_NODEGROUP', target: 'ng-spot' });

    expectApplied(aws, update, { action: 'REMOVE_NODEGROUP', target: 'ng-spot', result: 'applied' });
    expect(update.log.filter((line) => /^(eks:Delete|cloudformation:(Delete|Update))/.test(line))).toEqual(['eks:DeleteNodegroup ng-spot']);
    expect(aws.stacks.get(STACK)!.status).toBe('CREATE_COMPLETE');
  });
});

// ── Fargate profiles ─────────────────────────────────────────────────────────────────────────

describe('adding a Fargate profile', () => {
  const CHANGE: ChangeRequest = { action: 'ADD_FARGATE_PROFILE', body: { name: 'fp-batch', selectors: [{ namespace: 'batch' }] } };

  it('uses the cluster stack’s pod execution role when the cluster has one', async () => {
    const aws = new FakeAws();
    const update = await runUpdate(aws, await provisioned(aws), CHANGE);

    expectApplied(aws, update, { action: 'ADD_FARGATE_PROFILE', target: 'fp-batch', result: 'applied' });
    expect(aws.profiles.get(`${CLUSTER}/fp-batch`)).toMatchObject({ status: 'ACTIVE', podExecutionRoleArn: aws.stacks.get(STACK)!.outputs.FargatePodExecutionRoleArn });
    expect(count(update.log, 'cloudformation:CreateStack')).toBe(0);
  });

  it('makes the cluster’s Fargate stack first when it was made without Fargate, and uses its role', async () => {
    const aws = new FakeAws();
    const update = await runUpdate(aws, await provisioned(aws, WITHOUT_FARGATE), CHANGE);

    expectApplied(aws, update, { action: 'ADD_FARGATE_PROFILE', target: 'fp-batch', result: 'applied' });
    expectBefore(update.log, `cloudformation:CreateStack ${fargateStackName(CLUSTER)}`, 'eks:CreateFargateProfile fp-batch');
    expect(aws.profiles.get(`${CLUSTER}/fp-batch`)!.podExecutionRoleArn).toBe(aws.stacks.get(fargateStackName(CLUSTER))!.outputs.FargatePodExecutionRoleArn);
  });

  it('waits while another profile is being deleted (one at a time), then creates', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    await aws.eks.deleteFargateProfile(CLUSTER, 'fp-default');
    aws.calls.length = 0;
    // The fake moves a resource on as it is described: looking at fp-default lets time pass for its delete.
    const timePasses = (state: string, handler: TaskHandler): TaskHandler =>
      state !== 'Change Fargate Profile' ? handler : async (input) => (await aws.eks.describeFargateProfile(CLUSTER, 'fp-default'), handler(input));

    const update = await runUpdate(aws, spec, CHANGE, { wrapHandler: timePasses });

    expect(update.run.status).toBe('SUCCEEDED');
    expect(update.run.retried).toContain('Change Fargate Profile');
    expect(aws.profiles.get(`${CLUSTER}/fp-batch`)!.status).toBe('ACTIVE');
  });
});

describe('removing a Fargate profile', () => {
  it('deletes it and waits until it is gone', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);

    const update = await runUpdate(aws, spec, { action: 'REMOVE_FARGATE_PROFILE', target: 'fp-default' });

    expectApplied(aws, update, { action: 'REMOVE_FARGATE_PROFILE', target: 'fp-default', result: 'applied' });
    expect(aws.profiles.size).toBe(0);
    expect(count(update.log, 'eks:DeleteFargateProfile fp-default')).toBe(1);
    expect(update.desired.fargateProfiles).toEqual([]);
  });
});

// ── access ───────────────────────────────────────────────────────────────────────────────────

describe('adding and removing access', () => {
  const ENTRY = { principalArn: OPS, kubernetesGroups: ['ops'], accessPolicies: [{ policy: 'AmazonEKSEditPolicy', scope: 'namespace', namespaces: ['apps'] }] };
  const MAPPING = { arn: OPS, username: 'ops', groups: ['ops'] };

  it('adds an access entry with its policy', async () => {
    const aws = new FakeAws();
    const update = await runUpdate(aws, await provisioned(aws), { action: 'ADD_ACCESS_ENTRY', body: ENTRY });

    expectApplied(aws, update, { action: 'ADD_ACCESS_ENTRY', target: OPS, result: 'applied' });
    expect(aws.accessEntries.get(`${CLUSTER}/${OPS}`)).toMatchObject({ kubernetesGroups: ['ops'], username: undefined, policies: new Map([['arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy', { type: 'namespace', namespaces: ['apps'] }]]) });
    expect(update.desired.accessEntries.map((e) => e.principalArn)).toContain(OPS);
  });

  it('removes an access entry, leaving the others', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);

    const update = await runUpdate(aws, spec, { action: 'REMOVE_ACCESS_ENTRY', target: 'arn:aws:iam::111122223333:user/viewer' });

    expectApplied(aws, update, { action: 'REMOVE_ACCESS_ENTRY', target: 'arn:aws:iam::111122223333:user/viewer', result: 'applied' });
    expect([...aws.accessEntries.keys()].sort()).toEqual([`${CLUSTER}/arn:aws:iam::111122223333:role/cluster-admin`, `${CLUSTER}/arn:aws:iam::111122223333:role/deployer`, `${CLUSTER}/arn:aws:iam::111122223333:role/platform-portal`]);
  });

  it('adds an identity mapping to aws-auth next to EKS’s node role, through the Kubernetes API', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws, { ...referenceSpec(), identityMappings: [] });
    aws.configMaps.set(AWS_AUTH, { data: { mapRoles: stringify([NODE_MAPPING]) }, resourceVersion: '3' });

    const update = await runUpdate(aws, spec, { action: 'ADD_ACCESS_ENTRY', body: MAPPING });

    expectApplied(aws, update, { action: 'ADD_ACCESS_ENTRY', target: OPS, result: 'applied' });
    // An item with an arn: the change is an aws-auth mapping, not an access entry.
    expect(update.change).toEqual({ action: 'ADD_ACCESS_ENTRY', target: OPS, item: MAPPING });
    expect(update.desired.accessEntries.map((e) => e.principalArn)).not.toContain(OPS);
    expect(parse(aws.configMaps.get(AWS_AUTH)!.data.mapRoles!)).toEqual([NODE_MAPPING, { rolearn: OPS, username: 'ops', groups: ['ops'] }]);
    // No EKS write but the service's own cluster-admin, held only around the aws-auth write.
    const service = aws.servicePrincipal;
    expect(update.log.filter((line) => EKS_WRITES.test(line))).toEqual([
      `eks:CreateAccessEntry ${service}`,
      `eks:AssociateAccessPolicy ${service} arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
      `eks:DeleteAccessEntry ${service}`,
    ]);
    expect(aws.accessEntries.has(`${CLUSTER}/${service}`)).toBe(false);
  });

  it('removes an identity mapping from aws-auth, keeping EKS’s node role', async () => {
    const aws = new FakeAws();
    aws.configMaps.set(AWS_AUTH, { data: { mapRoles: stringify([NODE_MAPPING]) }, resourceVersion: '3' });
    const spec = await provisioned(aws);

    const update = await runUpdate(aws, spec, { action: 'REMOVE_ACCESS_ENTRY', target: 'arn:aws:iam::111122223333:role/legacy-ops' });

    expectApplied(aws, update, { action: 'REMOVE_ACCESS_ENTRY', target: 'arn:aws:iam::111122223333:role/legacy-ops', result: 'applied' });
    expect(parse(aws.configMaps.get(AWS_AUTH)!.data.mapRoles!)).toEqual([NODE_MAPPING]);
    expect(update.desired.identityMappings).toEqual([]);
  });

  it('refuses to delete the access entry EKS made for a node role: one FAILED event, nothing removed, the cluster ACTIVE with its old spec', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    aws.accessEntries.set(`${CLUSTER}/${NODE_ROLE}`, { type: 'EC2_LINUX', kubernetesGroups: ['system:nodes'], policies: new Map() });
    const before = { ...spec, accessEntries: [...spec.accessEntries, { principalArn: NODE_ROLE, type: 'EC2_LINUX' as const, kubernetesGroups: [], accessPolicies: [] }] };

    const update = await runUpdate(aws, before, { action: 'REMOVE_ACCESS_ENTRY', target: NODE_ROLE });

    expect(update.run).toMatchObject({ status: 'FAILED', error: 'ChangeRefusedError' });
    expect(expectUpdateEvents(aws)).toMatchObject({ status: 'FAILED', phase: 'Update', error: { code: 'ChangeRefusedError', message: expect.stringContaining('EKS made this entry (type EC2_LINUX)') } });
    expect(aws.accessEntries.has(`${CLUSTER}/${NODE_ROLE}`)).toBe(true);
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE', spec: before });
  });
});

// ── endpoint access ──────────────────────────────────────────────────────────────────────────

describe('switching endpoint access', () => {
  const PRIVATE_ONLY: ChangeRequest = { action: 'SET_ENDPOINT_ACCESS', body: { public: false, private: true } };

  it('waits out "update in progress" twice, then updates once and follows the update until Successful', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    aws.faults.updateInProgressTimes = 2;

    const update = await runUpdate(aws, spec, PRIVATE_ONLY);

    expectApplied(aws, update, { action: 'SET_ENDPOINT_ACCESS', target: CLUSTER, result: 'applied' });
    expect(update.run.retried.filter((s) => s === 'Change Endpoint Access').length).toBeGreaterThanOrEqual(2);
    expect(count(update.log, 'eks:UpdateClusterConfig')).toBe(3);
    expect(new Set(aws.calls.filter((c) => c.operation === 'UpdateClusterConfig').map((c) => c.token))).toEqual(new Set([idempotencyToken(UPDATE.id, 'set-endpoint-access')]));
    expect(aws.clusters.get(CLUSTER)!.resourcesVpcConfig).toMatchObject({ endpointPublicAccess: false, endpointPrivateAccess: true });
    expect(stepEvents(aws)).toEqual([
      `Change Endpoint Access cluster ${CLUSTER} STARTED`,
      `Switch Endpoint Access cluster ${CLUSTER} STARTED`,
      `Switch Endpoint Access cluster ${CLUSTER} SUCCEEDED`,
      `Change Endpoint Access cluster ${CLUSTER} SUCCEEDED`,
    ]);
  });

  it('skips an access the cluster already has without any EKS write, and says unchanged', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);

    const update = await runUpdate(aws, spec, { action: 'SET_ENDPOINT_ACCESS', body: { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] } });

    expectApplied(aws, update, { action: 'SET_ENDPOINT_ACCESS', target: CLUSTER, result: 'unchanged' });
    expect(update.log.filter((line) => EKS_WRITES.test(line))).toEqual([]);
    expect(stepEvents(aws)).toEqual([`Change Endpoint Access cluster ${CLUSTER} SKIPPED`]);
    expect(update.run.statesEntered).toEqual(['Route Change', 'Change Endpoint Access', 'Endpoint Access Changed?', 'Finalize Update', 'Updated']);
  });

  it('fails with EKS’s message when the update fails: one FAILED event from the failure step, the cluster ACTIVE with its old spec', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    aws.faults.updateFailure = { message: 'The subnets have no free IP addresses' };

    const update = await runUpdate(aws, spec, PRIVATE_ONLY);

    expect(update.run).toMatchObject({ status: 'FAILED', error: 'EndpointUpdateFailedError', cause: expect.stringContaining('The subnets have no free IP addresses') });
    expect(expectUpdateEvents(aws)).toMatchObject({ status: 'FAILED', phase: 'Update', error: { code: 'EndpointUpdateFailedError', message: expect.stringContaining('update Failed') } });
    expect(update.run.statesEntered.slice(-2)).toEqual(['Report Operation Failure', 'Update Failed']);
    const record = aws.clusterRecords.get(CLUSTER)!;
    expect(record).toMatchObject({ status: 'ACTIVE', spec });
    expect(record.lockedBy).toBeUndefined();
  });
});

describe('an update started outside the service', () => {
  const AS_PROVISIONED = { public: true, private: true, publicAccessCidrs: ['203.0.113.0/24'] };

  it('is waited out before the diff, so a change the stale config seemed to satisfy is still made and the cluster ends as asked', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    // `aws eks update-cluster-config` to private only, still in progress: the cluster reads as before.
    const elsewhere = aws.startUpdateElsewhere(CLUSTER, { endpointPublicAccess: false, endpointPrivateAccess: true });

    const update = await runUpdate(aws, spec, { action: 'SET_ENDPOINT_ACCESS', body: AS_PROVISIONED });

    expectApplied(aws, update, { action: 'SET_ENDPOINT_ACCESS', target: CLUSTER, result: 'applied' });
    expect(update.run.retried).toContain('Change Endpoint Access');
    expect(aws.updates.get(elsewhere)!.status).toBe('Successful');
    expect(count(update.log, 'eks:UpdateClusterConfig')).toBe(1);
    expectBefore(update.log, `eks:DescribeUpdate ${elsewhere}`, 'eks:UpdateClusterConfig');
    expect(aws.clusters.get(CLUSTER)!.resourcesVpcConfig).toEqual({ endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['203.0.113.0/24'] });
    expect(aws.clusters.get(CLUSTER)!.status).toBe('ACTIVE');
  });

  it('follows an update in progress that already makes the asked change, instead of waiting it out', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    const elsewhere = aws.startUpdateElsewhere(CLUSTER, { endpointPublicAccess: false, endpointPrivateAccess: true });

    const update = await runUpdate(aws, spec, { action: 'SET_ENDPOINT_ACCESS', body: { public: false, private: true } });

    expectApplied(aws, update, { action: 'SET_ENDPOINT_ACCESS', target: CLUSTER, result: 'applied' });
    expect(update.run.retried).not.toContain('Change Endpoint Access');
    expect(count(update.log, 'eks:UpdateClusterConfig')).toBe(0);
    expect(stepEvents(aws)).toContain(`Switch Endpoint Access cluster ${CLUSTER} SUCCEEDED`);
    expect(aws.updates.get(elsewhere)!.status).toBe('Successful');
    expect(aws.clusters.get(CLUSTER)!.resourcesVpcConfig).toMatchObject({ endpointPublicAccess: false, endpointPrivateAccess: true });
  });

  it('makes an added nodegroup wait while the cluster is UPDATING (EKS creates none then)', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    const elsewhere = aws.startUpdateElsewhere(CLUSTER, { endpointPublicAccess: false, endpointPrivateAccess: true });

    const update = await runUpdate(aws, spec, { action: 'ADD_NODEGROUP', body: { name: 'ng-added' } });

    expect(update.run.status).toBe('SUCCEEDED');
    expect(update.run.retried).toContain('Change Nodegroup');
    // The update was looked at until it finished (two looks in progress, the third done) before the nodegroup's stack was made.
    const firstCreate = update.log.findIndex((line) => line.startsWith('cloudformation:CreateStack'));
    expect(update.log.slice(0, firstCreate).filter((line) => line === `eks:DescribeUpdate ${elsewhere}`).length).toBeGreaterThanOrEqual(3);
    expect(aws.updates.get(elsewhere)!.status).toBe('Successful');
  });
});

// ── no-op and idempotency ────────────────────────────────────────────────────────────────────

describe('a change the cluster already satisfies', () => {
  it.each<[string, ChangeRequest]>([
    ['a nodegroup that exists', { action: 'UPDATE_NODEGROUP', target: 'ng-spot', body: { desiredSize: 1 } }],
    ['a Fargate profile that is gone', { action: 'REMOVE_FARGATE_PROFILE', target: 'fp-default' }],
  ])('is skipped without an EKS write: %s', async (_, change) => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    if (change.action === 'REMOVE_FARGATE_PROFILE') aws.profiles.clear();

    const update = await runUpdate(aws, spec, change);

    expectApplied(aws, update, { action: change.action, target: change.target!, result: 'unchanged' });
    expect(update.log.filter((line) => EKS_WRITES.test(line))).toEqual([]);
  });
});

describe('a step that crashes after its side effect', () => {
  it('creates the nodegroup stack once when Change Nodegroup is retried', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);

    const update = await runUpdate(aws, spec, { action: 'ADD_NODEGROUP', body: { name: 'ng-added' } }, { wrapHandler: crashOnceAfter('Change Nodegroup') });

    expectApplied(aws, update, { action: 'ADD_NODEGROUP', target: 'ng-added', result: 'applied' });
    expect(new Set(aws.calls.filter((c) => c.operation === 'CreateStack').map((c) => c.token)).size).toBe(1);
    expect(aws.stacks.size).toBe(2);
  });
});

// ── settings ─────────────────────────────────────────────────────────────────────────────────

describe('changing the cluster’s settings', () => {
  const SETTINGS: ChangeRequest = { action: 'UPDATE_SETTINGS', body: { logging: ['api'], deletionProtection: true, authenticationMode: 'API', tags: { team: 'green' } } };

  it('routes to Change Settings, one EKS update at a time (authentication in two steps), then re-tags the stack and the cluster', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws, { ...referenceSpec(), identityMappings: [] });

    const update = await runUpdate(aws, spec, SETTINGS);

    expectApplied(aws, update, { action: 'UPDATE_SETTINGS', target: CLUSTER, result: 'applied' });
    expect(update.run.statesEntered.slice(0, 2)).toEqual(['Route Change', 'Change Settings']);
    expect(update.log.filter((line) => /UpdateClusterConfig|UpdateStack|TagResource/.test(line))).toEqual([
      `eks:UpdateClusterConfig ${CLUSTER} logging`,
      `eks:UpdateClusterConfig ${CLUSTER} deletionProtection`,
      `eks:UpdateClusterConfig ${CLUSTER} authenticationMode`,
      `eks:UpdateClusterConfig ${CLUSTER} authenticationMode`,
      `cloudformation:UpdateStack ${STACK}`,
      `eks:TagResource arn:aws:eks:us-east-1:111122223333:cluster/${CLUSTER} team`,
    ]);
    expect(aws.clusters.get(CLUSTER)).toMatchObject({ deletionProtection: true, accessConfig: { authenticationMode: 'API' } });
    expect(aws.stacks.get(STACK)!.tags).toMatchObject({ team: 'green', 'eks-provisioner:cluster': CLUSTER });
  });

  it('skips settings the cluster already has without any EKS write', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);

    const update = await runUpdate(aws, spec, { action: 'UPDATE_SETTINGS', body: { deletionProtection: false, logging: [] } });

    expectApplied(aws, update, { action: 'UPDATE_SETTINGS', target: CLUSTER, result: 'unchanged' });
    expect(update.log.filter((line) => EKS_WRITES.test(line))).toEqual([]);
    expect(stepEvents(aws)).toEqual([`Change Settings cluster ${CLUSTER} SKIPPED`]);
  });

  it('fails with EKS’s message when an update fails: one FAILED event, the cluster ACTIVE with its old spec', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws);
    aws.faults.updateFailure = { message: 'Logging is not available in this Region' };

    const update = await runUpdate(aws, spec, { action: 'UPDATE_SETTINGS', body: { logging: ['api'] } });

    expect(update.run).toMatchObject({ status: 'FAILED', error: 'SettingsUpdateFailedError', cause: expect.stringContaining('Logging is not available in this Region') });
    expect(expectUpdateEvents(aws)).toMatchObject({ status: 'FAILED', error: { code: 'SettingsUpdateFailedError' } });
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE', spec });
  });
});

// ── add-ons ──────────────────────────────────────────────────────────────────────────────────

describe('changing an add-on', () => {
  it('sends one UpdateAddon with only the configuration values, follows its update to Successful, and the registry keeps them', async () => {
    const aws = new FakeAws();
    const current = await provisioned(aws);

    const update = await runUpdate(aws, current, { action: 'UPDATE_ADDON', target: 'coredns', body: { configurationValues: '{"replicaCount":3}' } });

    expectApplied(aws, update, { action: 'UPDATE_ADDON', target: 'coredns', result: 'applied' });
    expect(update.log.filter((line) => EKS_WRITES.test(line))).toEqual(['eks:UpdateAddon coredns {"replicaCount":3}']);
    expect(aws.addons.get(`${CLUSTER}/coredns`)).toMatchObject({ status: 'ACTIVE', configurationValues: '{"replicaCount":3}' });
    expect(stepEvents(aws)).toEqual(['Change Addon add-on coredns STARTED', 'Update Add-on add-on coredns STARTED', 'Update Add-on add-on coredns SUCCEEDED', 'Change Addon add-on coredns SUCCEEDED']);
  });

  it('a Failed update ends the operation FAILED with its errors, the cluster ACTIVE with its old spec', async () => {
    const aws = new FakeAws({ addonUpdateFailure: { addon: 'coredns', message: 'Conflicts found when trying to apply. Will not continue due to resolve conflicts mode.' } });
    const current = await provisioned(aws);

    const update = await runUpdate(aws, current, { action: 'UPDATE_ADDON', target: 'coredns', body: { configurationValues: '{"replicaCount":3}' } });

    expect(update.run).toMatchObject({ status: 'FAILED', error: 'AddonFailedError' });
    expect(expectUpdateEvents(aws)).toMatchObject({ status: 'FAILED', phase: 'Update', error: { code: 'AddonFailedError', resource: 'add-on coredns', message: expect.stringContaining('update Failed: ConfigurationConflict: Conflicts found') } });
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'ACTIVE', spec: current });
  });

  it('removes an add-on with preserve and waits until EKS no longer knows it', async () => {
    const aws = new FakeAws({}, { ...new FakeAws().durations, addonDelete: 2 });
    const current = await provisioned(aws);

    const update = await runUpdate(aws, current, { action: 'REMOVE_ADDON', target: 'kube-proxy', preserve: true });

    expectApplied(aws, update, { action: 'REMOVE_ADDON', target: 'kube-proxy', result: 'applied' });
    expect(update.log.filter((line) => EKS_WRITES.test(line))).toEqual(['eks:DeleteAddon kube-proxy preserve']);
    expect(aws.addons.has(`${CLUSTER}/kube-proxy`)).toBe(false);
  });
});

describe('update-cluster: a self-managed nodegroup whose node replacement fails', () => {
  it('uncordons the node it cordoned before the failure is reported, whatever failed (here the Kubernetes API refusing the drain)', async () => {
    const aws = new FakeAws();
    const spec = await provisioned(aws, { ...referenceSpec(), selfManagedNodeGroups: [{ name: 'sm-batch', instanceTypes: ['m6i.large'], minSize: 1, maxSize: 2, desiredSize: 1 }] });
    const [node] = aws.nodesOf(CLUSTER).filter((n) => n.instanceId);
    // A node someone else cordoned is theirs: left as it is.
    const [other] = aws.nodesOf(CLUSTER).filter((n) => !n.instanceId);
    await aws.kubernetes.cordonNodes({ name: CLUSTER, endpoint: 'https://reference.example' }, [other!.name]);
    aws.calls.length = 0;
    aws.kubernetes.drainNodes = async () => {
      throw new KubernetesApiError('Kubernetes API of reference refused to list the pods of the node (400): bad request', { status: 400 });
    };

    const { run } = await runUpdate(aws, spec, { action: 'UPDATE_NODEGROUP', target: 'sm-batch', body: { ami: 'ami-0fedcba9876543210' } });

    expect(run.status).toBe('FAILED');
    expect(expectWellFormedEvents(aws)).toMatchObject({ status: 'FAILED', error: { code: 'KubernetesApiError' } });
    expect(aws.callLog((c) => c.service === 'kubernetes' && /^(Cordon|Uncordon)Nodes$/.test(c.operation))).toEqual([`kubernetes:CordonNodes ${node!.name}`, `kubernetes:UncordonNodes ${node!.name}`]);
    expect(aws.callLog((c) => c.operation === 'TerminateInstanceInAutoScalingGroup')).toEqual([]);
    expect(aws.nodesOf(CLUSTER).find((n) => n.name === node!.name)?.unschedulable).toBeUndefined();
    expect(aws.nodesOf(CLUSTER).find((n) => n.name === other!.name)?.unschedulable).toBe(true);
  });
});
