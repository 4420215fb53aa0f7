/**
 * provision-cluster.asl.json with self-managed nodegroups, executed end to end over the in-memory
 * AWS (as provision-cluster.test.ts): each gets its own stack once the cluster stack is complete,
 * its node role admitted as EC2_LINUX, a step of its own in the events; a failed nodegroup stack
 * rolls everything back, the nodegroups' stacks before the cluster stack whose exports they import.
 */
import { expectWellFormedEvents } from '../support/status-events';
import { FakeAws } from '../support/fake-aws';
import { referenceSpec, runProvision } from '../support/provision-run';

const CLUSTER = 'reference';
const STACK = 'eksp-reference-cluster';
const SELF_MANAGED = [
  { name: 'self', instanceTypes: ['t3.large'], minSize: 1, desiredSize: 1, maxSize: 2 },
  { name: 'spot', instanceTypes: ['m5.large', 'm5a.large'], spot: true, minSize: 0, desiredSize: 2, maxSize: 4 },
];

const specWithSelfManaged = () => ({ ...referenceSpec(), selfManagedNodeGroups: SELF_MANAGED });
const stepEvents = (aws: FakeAws) => aws.events.filter((e) => e.step?.name === 'Create Self-managed Nodegroup').map((e) => `${e.step!.resource} ${e.step!.status}`);

function expectBefore(log: string[], earlier: string, later: string): void {
  const first = log.findIndex((line) => line.startsWith(earlier));
  const then = log.findIndex((line) => line.startsWith(later));
  expect({ earlier, first: first >= 0, before: first >= 0 && then >= 0 && first < then }).toEqual({ earlier, first: true, before: true });
}

describe('provisioning a cluster with self-managed nodegroups', () => {
  let aws: FakeAws;
  let run: Awaited<ReturnType<typeof runProvision>>;

  beforeAll(async () => {
    aws = new FakeAws();
    run = await runProvision(aws, specWithSelfManaged());
  });

  it('succeeds with one STARTED and one SUCCEEDED event per self-managed nodegroup', () => {
    expect(run.status).toBe('SUCCEEDED');
    expect(expectWellFormedEvents(aws)).toMatchObject({ status: 'SUCCEEDED' });
    expect(stepEvents(aws).sort()).toEqual(['nodegroup self STARTED', 'nodegroup self SUCCEEDED', 'nodegroup spot STARTED', 'nodegroup spot SUCCEEDED']);
  });

  it('creates each stack only after the cluster stack, with a token from the operation', () => {
    const log = aws.callLog();
    expectBefore(log, `cloudformation:CreateStack ${STACK}`, `cloudformation:CreateStack eksp-${CLUSTER}-nodegroup-self`);
    expectBefore(log, `cloudformation:CreateStack ${STACK}`, `cloudformation:CreateStack eksp-${CLUSTER}-nodegroup-spot`);
    const tokens = aws.calls.filter((c) => c.operation === 'CreateStack' && c.target?.includes('-nodegroup-')).map((c) => c.token);
    expect(new Set(tokens).size).toBe(2);
  });

  it("admits each nodegroup's role with an EC2_LINUX access entry, after its stack is complete", () => {
    for (const name of ['self', 'spot']) {
      const roleArn = aws.stacks.get(`eksp-${CLUSTER}-nodegroup-${name}`)!.outputs.NodeInstanceRoleArn!;
      expect(aws.accessEntries.get(`${CLUSTER}/${roleArn}`)).toMatchObject({ type: 'EC2_LINUX' });
    }
  });

  it('leaves the stacks in place, created with the spot nodegroup on a MixedInstancesPolicy', () => {
    const spot = aws.stacks.get(`eksp-${CLUSTER}-nodegroup-spot`)!;
    expect(spot.status).toBe('CREATE_COMPLETE');
    expect(spot.template.Resources.NodeGroup!.Properties!.MixedInstancesPolicy).toBeDefined();
  });
});

describe('when a self-managed nodegroup stack fails', () => {
  it("reports ROLLED_BACK with the stack's first failed resource and reason, deleting the nodegroup stacks before the cluster stack", async () => {
    const reason = 'Resource handler returned message: "You have requested more vCPU capacity than your current vCPU limit of 32 allows"';
    const aws = new FakeAws({ stackResourceFailure: { logicalId: 'NodeGroup', type: 'AWS::AutoScaling::AutoScalingGroup', reason, stackName: `eksp-${CLUSTER}-nodegroup-spot` } });

    const run = await runProvision(aws, specWithSelfManaged());

    expect(run).toMatchObject({ status: 'FAILED', error: 'StackFailedError' });
    const terminal = expectWellFormedEvents(aws);
    expect(terminal).toMatchObject({ status: 'ROLLED_BACK', phase: 'ComputeAndAccess', error: { code: 'StackFailedError', resource: 'nodegroup spot' } });
    expect(terminal.error!.message).toContain('You have requested more vCPU capacity');
    const log = aws.callLog();
    expectBefore(log, `cloudformation:DeleteStack eksp-${CLUSTER}-nodegroup-self`, `cloudformation:DeleteStack ${STACK}`);
    expectBefore(log, `cloudformation:DeleteStack eksp-${CLUSTER}-nodegroup-spot`, `cloudformation:DeleteStack ${STACK}`);
    expect(aws.stacks.size).toBe(0);
  });
});
