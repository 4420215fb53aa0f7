/**
 * delete-cluster.asl.json executed end to end: the real step handlers over the in-memory AWS
 * (test/support/fake-aws.ts), Waits and Retry intervals zeroed. Clusters are first made the way
 * users get them (provision-cluster, a nodegroup added later, a failed create kept for
 * inspection); each scenario checks the order of the deletes, what is left in AWS and the
 * registry, and the status events (schema-valid, exactly one terminal).
 */
import type { Operation } from '../../functions/generated/types';
import { autoModeStackName, clusterStackName, idempotencyToken, nodegroupStackName, ownershipTags } from '../../functions/domain/naming';
import { normaliseSpec, type Spec } from '../../functions/domain/spec';
import { expectWellFormedEvents } from '../support/status-events';
import { FakeAws, type Faults } from '../support/fake-aws';
import { crashOnceAfter, operationFor, referenceSpec, runProvision, runWorkflow, type TaskHandler } from '../support/provision-run';

const CLUSTER = 'reference';
const STACK = clusterStackName(CLUSTER);
const ADDED = 'ng-added';
const ADDED_STACK = nodegroupStackName(CLUSTER, ADDED);
const AUTO_MODE_STACK = autoModeStackName(CLUSTER);
const DELETE_OPERATION: Operation = { ...operationFor(CLUSTER, 'op-delete-1'), type: 'DELETE' };
const NAT_FAILURE: Faults['stackResourceFailure'] = { logicalId: 'NATGateway', type: 'AWS::EC2::NatGateway', reason: 'The maximum number of addresses has been reached' };
const VPC_DELETE_FAILURE: Faults['stackDeleteFailure'] = { logicalId: 'VPC', type: 'AWS::EC2::VPC', reason: 'The vpc has dependencies and cannot be deleted' };

// ── helpers ──────────────────────────────────────────────────────────────────────────────────

const expectDeleteEvents = (aws: FakeAws, operationId = DELETE_OPERATION.id) => expectWellFormedEvents(aws, operationId);

const matches = (line: string, pattern: string) => line === pattern || line.startsWith(`${pattern} `);

function expectBefore(log: string[], earlier: string, later: string): void {
  const first = log.flatMap((line, i) => (matches(line, earlier) ? [i] : []));
  const then = log.flatMap((line, i) => (matches(line, later) ? [i] : []));
  if (first.length === 0 || then.length === 0 || Math.max(...first) > Math.min(...then)) {
    throw new Error(`expected every ${earlier} (${first.length} calls) before every ${later} (${then.length} calls) in:\n${log.join('\n')}`);
  }
}

const count = (log: string[], pattern: string) => log.filter((line) => matches(line, pattern)).length;

const leftInAws = (aws: FakeAws) => ({ stacks: aws.stacks.size, clusters: aws.clusters.size, nodegroups: aws.nodegroups.size, profiles: aws.profiles.size, schedules: aws.expirySchedules.size });
const NOTHING_LEFT = { stacks: 0, clusters: 0, nodegroups: 0, profiles: 0, schedules: 0 };

/** The spec as the registry keeps it: normalised, and kept current by update-cluster. */
function specWith(raw: Record<string, unknown>, extraNodegroups: string[] = []): Spec {
  const spec = normaliseSpec(raw, new FakeAws().deps().settings.guardrails());
  return { ...spec, managedNodeGroups: [...spec.managedNodeGroups, ...extraNodegroups.map((name) => ({ ...spec.managedNodeGroups[0]!, name }))] };
}

/** Forget what making the cluster did, so assertions see only the delete's calls and events. */
function forgetProvisioning(aws: FakeAws): void {
  aws.calls.length = 0;
  aws.events.length = 0;
}

/** A nodegroup added after provisioning: its own stack (node role, launch template) and the nodegroup. */
function addNodegroupWithStack(aws: FakeAws, name: string): void {
  aws.seedStack(nodegroupStackName(CLUSTER, name), 'CREATE_COMPLETE', ownershipTags(undefined, { clusterName: CLUSTER, owner: DELETE_OPERATION.requestedBy, operationId: 'op-add-nodegroup' }));
  aws.nodegroups.set(`${CLUSTER}/${name}`, { nodegroupName: name, clusterName: CLUSTER, status: 'ACTIVE', createdAt: aws.clock(), describesLeft: 0 });
}

async function runDelete(aws: FakeAws, spec: Spec | undefined, options: { operation?: Operation; wrapHandler?: (state: string, handler: TaskHandler) => TaskHandler } = {}) {
  const operation = options.operation ?? DELETE_OPERATION;
  aws.seedOperation(operation);
  return runWorkflow(aws, 'delete-cluster', { operation, ...(spec ? { spec } : {}) }, { wrapHandler: options.wrapHandler });
}

const TWO_PROFILES = { ...referenceSpec(), fargateProfiles: [{ name: 'fp-batch', selectors: [{ namespace: 'batch' }] }] };

// ── scenarios ────────────────────────────────────────────────────────────────────────────────

describe('deleting a provisioned cluster with a nodegroup added later', () => {
  let aws: FakeAws;
  let run: Awaited<ReturnType<typeof runDelete>>;
  let log: string[];
  const profilesDeletingAtEachDelete: string[][] = [];

  beforeAll(async () => {
    aws = new FakeAws();
    expect((await runProvision(aws, TWO_PROFILES)).status).toBe('SUCCEEDED');
    addNodegroupWithStack(aws, ADDED);
    aws.expirySchedules.set(CLUSTER, new Date('2026-11-24T10:00:00Z'));
    forgetProvisioning(aws);
    const deleteProfile = aws.eks.deleteFargateProfile;
    aws.eks.deleteFargateProfile = async (cluster, name) => {
      profilesDeletingAtEachDelete.push([...aws.profiles.values()].filter((p) => p.status === 'DELETING').map((p) => p.fargateProfileName!));
      return deleteProfile(cluster, name);
    };

    run = await runDelete(aws, specWith(TWO_PROFILES, [ADDED]));
    log = aws.callLog();
  });

  it('succeeds with one terminal SUCCEEDED event, after a Teardown event', () => {
    expect(run.status).toBe('SUCCEEDED');
    const terminal = expectDeleteEvents(aws);
    expect(terminal).toMatchObject({ status: 'SUCCEEDED', phase: 'Completed', operation: 'DELETE' });
    expect(aws.events.map((e) => `${e.status} ${e.phase}${e.step ? ` ${e.step.name} ${e.step.status}` : ''}`)).toEqual([
      'IN_PROGRESS Teardown',
      'IN_PROGRESS Teardown Delete Cluster Stack STARTED',
      'IN_PROGRESS Teardown Delete Cluster Stack SUCCEEDED',
      'SUCCEEDED Completed',
    ]);
  });

  it('leaves nothing behind in AWS, the expiry schedule included', () => {
    expect(leftInAws(aws)).toEqual(NOTHING_LEFT);
  });

  it('marks the cluster DELETED and unlocked, so its name can be used again', async () => {
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'DELETED' });
    expect(aws.clusterRecords.get(CLUSTER)!.lockedBy).toBeUndefined();
    expect(aws.operations.get(DELETE_OPERATION.id)).toMatchObject({ status: 'SUCCEEDED', terminalEventSent: true });
    await expect(aws.registry.beginCreate(operationFor(CLUSTER, 'op-again'), referenceSpec())).resolves.toBeUndefined();
  });

  it('deletes every nodegroup and Fargate profile before the cluster stack', () => {
    for (const ng of ['ng-general', 'ng-spot', ADDED]) expectBefore(log, `eks:DeleteNodegroup ${ng}`, `cloudformation:DeleteStack ${STACK}`);
    for (const fp of ['fp-default', 'fp-batch']) expectBefore(log, `eks:DeleteFargateProfile ${fp}`, `cloudformation:DeleteStack ${STACK}`);
  });

  it('deletes the Fargate profiles one at a time (EKS allows one DELETING per cluster)', () => {
    expect(profilesDeletingAtEachDelete).toEqual([[], []]);
    expect(count(log, 'eks:DeleteFargateProfile')).toBe(2);
  });

  it('deletes the added nodegroup’s own stack after the nodegroup and before the cluster stack, whose exports it imports', () => {
    expectBefore(log, `eks:DeleteNodegroup ${ADDED}`, `cloudformation:DeleteStack ${ADDED_STACK}`);
    expectBefore(log, `cloudformation:DeleteStack ${ADDED_STACK}`, `cloudformation:DeleteStack ${STACK}`);
    expect(count(log, `cloudformation:DeleteStack ${ADDED_STACK}`)).toBe(1);
  });

  it('turns termination protection off before deleting the cluster stack, with a token from the operation id', () => {
    expectBefore(log, `cloudformation:UpdateTerminationProtection ${STACK}`, `cloudformation:DeleteStack ${STACK}`);
    expect(aws.calls.filter((c) => c.operation === 'DeleteStack' && c.target === STACK)).toEqual([
      { service: 'cloudformation', operation: 'DeleteStack', target: STACK, token: idempotencyToken(DELETE_OPERATION.id, 'delete-cluster-stack') },
    ]);
  });

  it('polls with retries, not with a state per look', () => {
    expect(run.retried.filter((s) => s === 'Check Compute Deletion').length).toBeGreaterThan(0);
    expect(run.statesEntered.filter((s) => s === 'Check Compute Deletion')).toHaveLength(1);
    expect(run.statesEntered.filter((s) => s === 'Check Cluster Stack Deletion')).toHaveLength(1);
  });
});

describe('deleting a cluster with a nodegroup stack a failed ADD_NODEGROUP left behind', () => {
  it('deletes the orphan stack (no nodegroup, in no spec) before the cluster stack whose exports it imports, and leaves nothing behind', async () => {
    const aws = new FakeAws();
    expect((await runProvision(aws, referenceSpec())).status).toBe('SUCCEEDED');
    // The stack was made, then CreateNodegroup was refused: no nodegroup, and the spec never took the change.
    const orphan = nodegroupStackName(CLUSTER, 'ng_refused');
    aws.seedStack(orphan, 'CREATE_COMPLETE', ownershipTags(undefined, { clusterName: CLUSTER, owner: DELETE_OPERATION.requestedBy, operationId: 'op-add-nodegroup' }));
    forgetProvisioning(aws);

    const run = await runDelete(aws, specWith(referenceSpec()));

    expect(run.status).toBe('SUCCEEDED');
    expect(expectDeleteEvents(aws)).toMatchObject({ status: 'SUCCEEDED' });
    const log = aws.callLog();
    expectBefore(log, `cloudformation:DeleteStack ${orphan}`, `cloudformation:DeleteStack ${STACK}`);
    expect(count(log, `cloudformation:DeleteStack ${orphan}`)).toBe(1);
    expect(leftInAws(aws)).toEqual(NOTHING_LEFT);
    expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('DELETED');
  });
});

describe('deleting a cluster whose create failed and was kept', () => {
  it.each([
    ['CREATE_FAILED (onFailure: retain)', 'retain'],
    ['ROLLBACK_COMPLETE', 'rollback-complete'],
  ])('deletes a stack in %s cleanly, with no nodegroups or profiles to delete', async (_status, how) => {
    const aws = new FakeAws({ stackResourceFailure: NAT_FAILURE });
    if (how === 'retain') {
      expect(await runProvision(aws, { ...referenceSpec(), onFailure: 'retain' })).toMatchObject({ status: 'FAILED' });
      expect(aws.stacks.get(STACK)!.status).toBe('CREATE_FAILED');
    } else {
      aws.seedStack(STACK, 'ROLLBACK_COMPLETE', ownershipTags(undefined, { clusterName: CLUSTER, owner: DELETE_OPERATION.requestedBy, operationId: 'op-0001' }));
    }
    forgetProvisioning(aws);

    const run = await runDelete(aws, specWith(referenceSpec()));

    expect(run.status).toBe('SUCCEEDED');
    expect(expectDeleteEvents(aws)).toMatchObject({ status: 'SUCCEEDED' });
    const log = aws.callLog();
    expect(log.filter((line) => /^eks:Delete/.test(line))).toEqual([]);
    expect(count(log, `cloudformation:DeleteStack ${STACK}`)).toBe(1);
    expect(leftInAws(aws)).toEqual(NOTHING_LEFT);
    expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('DELETED');
  });

  it('finishes at once when the stack is already gone', async () => {
    const aws = new FakeAws();

    const run = await runDelete(aws, undefined);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).not.toContain('Check Cluster Stack Deletion');
    expect(aws.callLog().filter((line) => /Delete(Stack|Nodegroup|FargateProfile)/.test(line))).toEqual([]);
    expect(expectDeleteEvents(aws)).toMatchObject({ status: 'SUCCEEDED' });
    expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('DELETED');
  });
});

describe('deleting a cluster switched to Auto Mode by PATCH (its node role in the Auto Mode stack)', () => {
  const ownAutoModeStack = (aws: FakeAws) => aws.seedStack(AUTO_MODE_STACK, 'CREATE_COMPLETE', ownershipTags(undefined, { clusterName: CLUSTER, owner: DELETE_OPERATION.requestedBy, operationId: 'op-patch-automode' }));
  /** Whether the cluster stack was still there at each DeleteStack of the Auto Mode stack. */
  function watchAutoModeDeletes(aws: FakeAws): boolean[] {
    const clusterStackThere: boolean[] = [];
    const deleteStack = aws.cloudFormation.deleteStack;
    aws.cloudFormation.deleteStack = async (name, ...rest) => {
      if (name === AUTO_MODE_STACK) clusterStackThere.push(aws.stacks.has(STACK) && aws.stacks.get(STACK)!.status !== 'DELETE_COMPLETE');
      return deleteStack(name, ...rest);
    };
    return clusterStackThere;
  }

  it('deletes the Auto Mode stack once, after the cluster stack is gone (the cluster uses its node role until then), and leaves nothing', async () => {
    const aws = new FakeAws();
    expect((await runProvision(aws, referenceSpec())).status).toBe('SUCCEEDED');
    ownAutoModeStack(aws);
    forgetProvisioning(aws);
    const clusterStackThere = watchAutoModeDeletes(aws);

    const run = await runDelete(aws, specWith(referenceSpec()));

    expect(run.status).toBe('SUCCEEDED');
    expect(expectDeleteEvents(aws)).toMatchObject({ status: 'SUCCEEDED' });
    const log = aws.callLog();
    expectBefore(log, `cloudformation:DeleteStack ${STACK}`, `cloudformation:DeleteStack ${AUTO_MODE_STACK}`);
    expect(clusterStackThere).toEqual([false]);
    expect(aws.calls.filter((c) => c.operation === 'DeleteStack' && c.target === AUTO_MODE_STACK).map((c) => c.token)).toEqual([idempotencyToken(DELETE_OPERATION.id, 'delete-automode-stack')]);
    expect(leftInAws(aws)).toEqual(NOTHING_LEFT);
    expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('DELETED');
  });

  it('a DELETE after an earlier one got past the cluster stack deletes the Auto Mode stack that is left', async () => {
    const aws = new FakeAws();
    ownAutoModeStack(aws);

    const run = await runDelete(aws, undefined);

    expect(run.status).toBe('SUCCEEDED');
    expect(run.statesEntered).toContain('Check Cluster Stack Deletion');
    expect(count(aws.callLog(), `cloudformation:DeleteStack ${AUTO_MODE_STACK}`)).toBe(1);
    expect(leftInAws(aws)).toEqual(NOTHING_LEFT);
  });

  it('fails naming the Auto Mode stack when CloudFormation cannot delete it, the cluster stack gone; DELETE again finishes it', async () => {
    const aws = new FakeAws();
    expect((await runProvision(aws, referenceSpec())).status).toBe('SUCCEEDED');
    ownAutoModeStack(aws);
    forgetProvisioning(aws);
    const deleteStack = aws.cloudFormation.deleteStack;
    aws.cloudFormation.deleteStack = async (name, ...rest) => {
      aws.faults.stackDeleteFailure = name === AUTO_MODE_STACK ? { logicalId: 'AutoModeNodeRole', type: 'AWS::IAM::Role', reason: 'Cannot delete entity, must detach all policies first.' } : undefined;
      return deleteStack(name, ...rest);
    };

    const run = await runDelete(aws, specWith(referenceSpec()));

    expect(run).toMatchObject({ status: 'FAILED', error: 'DeleteFailedError' });
    expect(expectDeleteEvents(aws)).toMatchObject({ status: 'FAILED', error: { code: 'DeleteFailedError', resource: `stack ${AUTO_MODE_STACK}` } });
    expect(run.cause).toContain('Cannot delete entity, must detach all policies first.');
    expect(aws.stacks.has(STACK)).toBe(false);

    aws.cloudFormation.deleteStack = deleteStack;
    aws.faults.stackDeleteFailure = undefined;
    const again: Operation = { ...DELETE_OPERATION, id: 'op-delete-2' };
    const second = await runDelete(aws, undefined, { operation: again });

    expect(second.status).toBe('SUCCEEDED');
    expect(leftInAws(aws)).toEqual(NOTHING_LEFT);
  });

  it('leaves a stack of that name another cluster owns', async () => {
    const aws = new FakeAws();
    aws.seedStack(AUTO_MODE_STACK, 'CREATE_COMPLETE', ownershipTags(undefined, { clusterName: 'someone-else', owner: DELETE_OPERATION.requestedBy, operationId: 'op-x' }));

    const run = await runDelete(aws, undefined);

    expect(run.status).toBe('SUCCEEDED');
    expect(aws.stacks.get(AUTO_MODE_STACK)?.status).toBe('CREATE_COMPLETE');
  });
});

describe('a step that crashes after its side effect', () => {
  it.each(['Delete Compute', 'Check Compute Deletion', 'Delete Cluster Stack', 'Check Cluster Stack Deletion', 'Finalize Deletion'])(
    '%s is retried harmlessly: each delete asked for once per resource, one terminal event',
    async (state) => {
      const aws = new FakeAws();
      await runProvision(aws, TWO_PROFILES);
      forgetProvisioning(aws);

      const run = await runDelete(aws, specWith(TWO_PROFILES), { wrapHandler: crashOnceAfter(state) });

      expect(run.status).toBe('SUCCEEDED');
      expect(run.retried).toContain(state);
      expectDeleteEvents(aws);
      expect(leftInAws(aws)).toEqual(NOTHING_LEFT);
      const deletes = aws.callLog((c) => /^Delete(Stack|Nodegroup|FargateProfile)$/.test(c.operation));
      expect(deletes.sort()).toEqual([
        `cloudformation:DeleteStack ${STACK}`,
        'eks:DeleteFargateProfile fp-batch',
        'eks:DeleteFargateProfile fp-default',
        'eks:DeleteNodegroup ng-general',
        'eks:DeleteNodegroup ng-spot',
      ]);
      expect(aws.calls.find((c) => c.operation === 'DeleteStack')!.token).toBe(idempotencyToken(DELETE_OPERATION.id, 'delete-cluster-stack'));
      expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('DELETED');
    },
  );
});

describe('when CloudFormation cannot delete the cluster stack', () => {
  let aws: FakeAws;
  let run: Awaited<ReturnType<typeof runDelete>>;

  beforeAll(async () => {
    aws = new FakeAws();
    await runProvision(aws, referenceSpec());
    forgetProvisioning(aws);
    aws.faults.stackDeleteFailure = VPC_DELETE_FAILURE;
    run = await runDelete(aws, specWith(referenceSpec()));
  });

  it('fails with DeleteFailedError and one FAILED event naming the stack and the resource’s reason', () => {
    expect(run).toMatchObject({ status: 'FAILED', error: 'DeleteFailedError' });
    expect(run.cause).toContain(VPC_DELETE_FAILURE.reason);
    const terminal = expectDeleteEvents(aws);
    expect(terminal).toMatchObject({ status: 'FAILED', phase: 'Teardown', error: { code: 'DeleteFailedError', resource: `stack ${STACK}` } });
    expect(terminal.error!.message).toBe(`stack ${STACK}: DELETE_FAILED: VPC (AWS::EC2::VPC) DELETE_FAILED: ${VPC_DELETE_FAILURE.reason}`);
  });

  it('leaves the cluster FAILED and unlocked, with the stack in DELETE_FAILED for a person to look at', () => {
    expect(aws.clusterRecords.get(CLUSTER)).toMatchObject({ status: 'FAILED' });
    expect(aws.clusterRecords.get(CLUSTER)!.lockedBy).toBeUndefined();
    expect(aws.stacks.get(STACK)!.status).toBe('DELETE_FAILED');
    expect(run.statesEntered.slice(-2)).toEqual(['Report Operation Failure', 'Deletion Failed']);
  });

  it('deletes the stack when DELETE is asked for again once the dependency is gone', async () => {
    aws.faults.stackDeleteFailure = undefined;
    forgetProvisioning(aws);
    const again: Operation = { ...DELETE_OPERATION, id: 'op-delete-2' };

    const second = await runDelete(aws, specWith(referenceSpec()), { operation: again });

    expect(second.status).toBe('SUCCEEDED');
    expect(expectDeleteEvents(aws, again.id)).toMatchObject({ status: 'SUCCEEDED' });
    expect(aws.calls.filter((c) => c.operation === 'DeleteStack').map((c) => c.token)).toEqual([idempotencyToken(again.id, 'delete-cluster-stack')]);
    expect(leftInAws(aws)).toEqual(NOTHING_LEFT);
    expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('DELETED');
  });
});

describe('deleting a cluster whose load balancer controller and VPC CNI left resources in its VPC', () => {
  const vpcOf = (aws: FakeAws) => aws.stacks.get(STACK)!.outputs.VPC!;
  const leftoversIn = (aws: FakeAws) => aws.controllerLeftovers();

  it('deletes the load balancer (waiting until it is gone), then its target group and security group, and the CNI interface, all before the cluster stack; each as a step', async () => {
    const aws = new FakeAws();
    expect((await runProvision(aws, referenceSpec())).status).toBe('SUCCEEDED');
    aws.addControllerLeftovers(CLUSTER, vpcOf(aws));
    // Another cluster's load balancer in the same VPC (a VPC brought by the spec): never touched.
    aws.addControllerLeftovers('other', vpcOf(aws), 'k8s-other-web-9876543210');
    forgetProvisioning(aws);

    const run = await runDelete(aws, specWith(referenceSpec()));

    expect(run.status).toBe('SUCCEEDED');
    expect(leftoversIn(aws)).toEqual({ loadBalancers: 1, targetGroups: 1, securityGroups: 1, interfaces: 1 });
    expect([...aws.loadBalancers.values()][0]!.tags['elbv2.k8s.aws/cluster']).toBe('other');
    const log = aws.callLog();
    expectBefore(log, 'eks:DeleteNodegroup', 'elasticloadbalancing:DeleteLoadBalancer');
    expectBefore(log, 'elasticloadbalancing:DeleteLoadBalancer', 'elasticloadbalancing:DeleteTargetGroup');
    expectBefore(log, 'elasticloadbalancing:DeleteTargetGroup', 'ec2:DeleteSecurityGroup');
    // The rule the controller put in EKS's cluster security group names the load balancer's group: revoked first.
    expectBefore(log, `ec2:RevokeSecurityGroupIngress sg-0eks${CLUSTER}`, 'ec2:DeleteSecurityGroup');
    expectBefore(log, 'ec2:DeleteSecurityGroup', `cloudformation:DeleteStack ${STACK}`);
    expectBefore(log, 'ec2:DeleteNetworkInterface', `cloudformation:DeleteStack ${STACK}`);
    expect(run.statesEntered.filter((s) => s === 'Wait For Controller Resources').length).toBeGreaterThanOrEqual(2);
    expectDeleteEvents(aws);
    const steps = aws.events.filter((e) => e.step && e.step.name !== 'Delete Cluster Stack').map((e) => `${e.phase} ${e.step!.name} ${e.step!.status} ${e.step!.resource}`);
    expect(steps).toEqual([
      'Teardown Delete Load Balancer STARTED load balancer k8s-default-web-0123456789',
      'Teardown Delete Network Interface SUCCEEDED network interface eni-0cni000000000001',
      'Teardown Delete Load Balancer SUCCEEDED load balancer k8s-default-web-0123456789',
      'Teardown Delete Target Group SUCCEEDED target group k8s-default-web-0123456789',
      'Teardown Delete Security Group SUCCEEDED security group sg-0lbc000000000001 (k8s-default-web-0123456789)',
    ]);
  });

  it('fails naming a security group EC2 keeps refusing, with EC2’s reason, and the stack is not deleted; a new DELETE finishes once the dependency is gone', async () => {
    const aws = new FakeAws();
    expect((await runProvision(aws, referenceSpec())).status).toBe('SUCCEEDED');
    const { securityGroupId } = aws.addControllerLeftovers(CLUSTER, vpcOf(aws));
    const reason = `DependencyViolation: resource ${securityGroupId} has a dependent object`;
    aws.pinnedSecurityGroups.set(securityGroupId, reason);
    forgetProvisioning(aws);

    const run = await runDelete(aws, specWith(referenceSpec()));

    expect(run).toMatchObject({ status: 'FAILED', error: 'DeleteFailedError' });
    const terminal = expectDeleteEvents(aws);
    expect(terminal).toMatchObject({ status: 'FAILED', phase: 'Teardown', error: { code: 'DeleteFailedError', resource: `cluster ${CLUSTER}` } });
    expect(terminal.error!.message).toMatch(new RegExp(`^security group ${securityGroupId} \\(k8s-default-web-0123456789\\): still there after 20 minutes, so the VPC cannot be deleted: .*${reason}`));
    expect(count(aws.callLog(), 'cloudformation:DeleteStack')).toBe(0);
    expect(aws.stacks.get(STACK)!.status).toBe('CREATE_COMPLETE');

    aws.pinnedSecurityGroups.clear();
    const again = await runDelete(aws, specWith(referenceSpec()), { operation: { ...DELETE_OPERATION, id: 'op-delete-2' } });
    expect(again.status).toBe('SUCCEEDED');
    expect(leftoversIn(aws)).toEqual({ loadBalancers: 0, targetGroups: 0, securityGroups: 0, interfaces: 0 });
    expect(leftInAws(aws)).toMatchObject({ stacks: 0, clusters: 0 });
  });
});

describe('a stack the service did not make', () => {
  it('is never deleted: FAILED naming the stack, nothing deleted', async () => {
    const aws = new FakeAws();
    aws.seedStack(STACK, 'CREATE_COMPLETE', { team: 'someone-else' });

    const run = await runDelete(aws, undefined);

    expect(run).toMatchObject({ status: 'FAILED', error: 'DeleteFailedError' });
    expect(expectDeleteEvents(aws)).toMatchObject({ status: 'FAILED', error: { code: 'DeleteFailedError', resource: `stack ${STACK}` } });
    expect(count(aws.callLog(), 'cloudformation:DeleteStack') + count(aws.callLog(), 'cloudformation:UpdateTerminationProtection')).toBe(0);
    expect(aws.stacks.get(STACK)).toMatchObject({ status: 'CREATE_COMPLETE', terminationProtection: true });
    expect(aws.clusterRecords.get(CLUSTER)?.status).toBe('FAILED');
  });
});

describe('deleting a cluster with deletion protection', () => {
  const PROTECTED = { ...referenceSpec(), deletionProtection: true };

  it('with disableDeletionProtection turns it off (followed to Successful) before deleting anything, and leaves nothing', async () => {
    const aws = new FakeAws();
    expect((await runProvision(aws, PROTECTED)).status).toBe('SUCCEEDED');
    aws.clusters.get(CLUSTER)!.deletionProtection = true;
    forgetProvisioning(aws);
    const operation = DELETE_OPERATION;
    aws.seedOperation(operation);

    const run = await runWorkflow(aws, 'delete-cluster', { operation, spec: specWith(PROTECTED), disableDeletionProtection: true });

    expect(run.status).toBe('SUCCEEDED');
    const log = aws.callLog();
    expectBefore(log, 'eks:UpdateClusterConfig', 'eks:DeleteNodegroup');
    expectBefore(log, 'eks:DescribeUpdate', 'cloudformation:DeleteStack');
    expect(count(log, 'eks:UpdateClusterConfig')).toBe(1);
    expect(leftInAws(aws)).toEqual(NOTHING_LEFT);
    expect(aws.events.filter((e) => e.step?.name === 'Disable Deletion Protection').map((e) => e.step!.status)).toEqual(['STARTED', 'SUCCEEDED']);
    expectDeleteEvents(aws);
  });

  it('without it, the cluster stack’s delete fails at ControlPlane, as in AWS (the API refuses such a DELETE first)', async () => {
    const aws = new FakeAws();
    expect((await runProvision(aws, PROTECTED)).status).toBe('SUCCEEDED');
    aws.clusters.get(CLUSTER)!.deletionProtection = true;
    forgetProvisioning(aws);

    const run = await runDelete(aws, specWith(PROTECTED));

    expect(run.status).toBe('FAILED');
    expect(aws.callLog((c) => c.operation === 'UpdateClusterConfig')).toEqual([]);
    expect(aws.events.at(-1)?.error?.message).toContain('deletion protection');
  });
});
