import { nodegroupStackName } from '../../../functions/domain/naming';
import { eksOptimizedAmiParameter, SELF_MANAGED_NODEGROUP_LABEL } from '../../../functions/domain/self-managed-nodegroup-template';
import { AwsUnavailableError } from '../../../functions/shared/errors';
import { nodegroupNodes } from '../../../functions/domain/node-readiness';
import { waitForReadyNodes } from '../../../functions/step-support/node-readiness';
import type { SelfManagedNodegroupItem } from '../../../functions/generated/types';
import { createSelfManagedNodegroup } from '../../../functions/steps/create-self-managed-nodegroup';
import { upgradeSelfManagedNodegroup } from '../../../functions/steps/upgrade-self-managed-nodegroup';
import { CLUSTER } from './step-inputs';
import { stepEvents } from './update-inputs';
import { runningAws, specAt, UPGRADE_OPERATION, upgradeItem } from './upgrade-fixtures';

const spec = specAt('1.33', { selfManagedNodeGroups: [{ name: 'batch', minSize: 1, desiredSize: 1 }, { name: 'pinned', ami: 'ami-0123456789abcdef0' }] });
const item = (name: string, extra: Record<string, unknown> = {}) => ({ ...upgradeItem({ name, from: '1.32', to: '1.33', ...extra }), spec });

/** A cluster at 1.33 whose nodegroup `batch` was made with `imageVersion`'s EKS optimized AMI. */
async function withStack(imageVersion: string) {
  const aws = runningAws({ version: '1.33' });
  Object.assign(aws.clusters.get(CLUSTER)!, { endpoint: 'https://demo.eks.example', certificateAuthority: { data: 'Q0E=' }, kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16' } });
  const madeWith = specAt(imageVersion, { selfManagedNodeGroups: spec.selfManagedNodeGroups });
  await createSelfManagedNodegroup({ operation: UPGRADE_OPERATION, spec: madeWith, item: madeWith.selfManagedNodeGroups[0] } as unknown as SelfManagedNodegroupItem, aws.deps());
  aws.stacks.get(nodegroupStackName(CLUSTER, 'batch'))!.describesLeft = 0;
  await aws.cloudFormation.describeStack(nodegroupStackName(CLUSTER, 'batch'));
  aws.calls.length = 0;
  aws.events.length = 0;
  return aws;
}

describe('Upgrade Self-managed Nodegroup', () => {
  it('leaves a nodegroup whose spec pins an AMI alone: SKIPPED, nothing changed, only what its nodes run read and recorded', async () => {
    const aws = await withStack('1.32');
    aws.selfManagedGroups.clear();
    const pinned = { ...spec, selfManagedNodeGroups: [{ ...spec.selfManagedNodeGroups[0]!, name: 'batch', ami: 'ami-0123456789abcdef0' }] };

    const poll = await upgradeSelfManagedNodegroup({ ...item('batch', { skipped: 'its spec pins AMI ami-0123456789abcdef0' }), spec: pinned }, aws.deps());

    expect(poll).toEqual({ ready: true, waitSeconds: 0 });
    expect(aws.callLog((c) => !['dynamodb', 'events', 'sts'].includes(c.service) && !/^(Describe|List|Get)|AccessEntry|AccessPolicy/.test(c.operation))).toEqual([]);
    expect(aws.clusterRecords.get(CLUSTER)?.nodeVersions).toMatchObject({ batch: { version: '1.32' } });
    expect(stepEvents(aws)).toEqual(['Upgrade Self-managed Nodegroup nodegroup batch SKIPPED']);
  });

  it("starts a nodegroup's recorded version from its own nodes when a wait for them ends (a nodegroup made again under an old name included)", async () => {
    const aws = await withStack('1.33');
    await aws.registry.recordNodeVersions(CLUSTER, { batch: { version: '1.31', observedAt: '2026-01-01T00:00:00.000Z' } });

    await waitForReadyNodes(aws.deps(), { operation: UPGRADE_OPERATION, spec, cluster: { name: CLUSTER, endpoint: 'https://demo.eks.example' }, stepName: 'Check Nodes Ready', phase: 'ComputeAndAccess' }, [nodegroupNodes({ name: 'batch', desiredSize: 1 }, false)]);

    expect(aws.clusterRecords.get(CLUSTER)?.nodeVersions?.batch?.version).toBe('1.33');
  });

  describe('on the failure path (release)', () => {
    const ACCESS = { name: CLUSTER, endpoint: 'https://demo.eks.example' };
    async function cordoned() {
      const aws = await withStack('1.33');
      const nodes = (await aws.kubernetes.listNodes(ACCESS, `${SELF_MANAGED_NODEGROUP_LABEL}=batch`)).map((n) => n.name);
      expect(nodes.length).toBeGreaterThan(0);
      await aws.kubernetes.cordonNodes(ACCESS, nodes, true, UPGRADE_OPERATION.id);
      aws.calls.length = 0;
      aws.events.length = 0;
      return { aws, nodes };
    }
    const stillCordoned = async (aws: Awaited<ReturnType<typeof withStack>>) => (await aws.kubernetes.listNodes(ACCESS, `${SELF_MANAGED_NODEGROUP_LABEL}=batch`)).filter((n) => n.unschedulable).map((n) => n.name);

    it("uncordons the nodes this operation cordoned, the step STARTED then SUCCEEDED; the second pass only uncordons", async () => {
      const { aws } = await cordoned();

      await upgradeSelfManagedNodegroup({ ...item('batch'), release: true }, aws.deps());
      await upgradeSelfManagedNodegroup({ ...item('batch'), release: true }, aws.deps());

      expect(await stillCordoned(aws)).toEqual([]);
      expect(stepEvents(aws)).toEqual(['Uncordon Self-managed Nodes nodegroup batch STARTED', 'Uncordon Self-managed Nodes nodegroup batch SUCCEEDED']);
    });

    it('ends the step when the first pass is retried after the uncordon failed: no STARTED step is left open', async () => {
      const { aws, nodes } = await cordoned();
      const uncordon = jest.spyOn(aws.kubernetes, 'cordonNodes').mockRejectedValueOnce(new AwsUnavailableError('cannot reach the Kubernetes API of demo'));

      await expect(upgradeSelfManagedNodegroup({ ...item('batch'), release: true }, aws.deps())).rejects.toThrow(AwsUnavailableError);
      expect(await stillCordoned(aws)).toEqual(nodes);
      uncordon.mockRestore();
      await upgradeSelfManagedNodegroup({ ...item('batch'), release: true }, aws.deps());

      expect(await stillCordoned(aws)).toEqual([]);
      expect(stepEvents(aws)).toEqual(['Uncordon Self-managed Nodes nodegroup batch STARTED', 'Uncordon Self-managed Nodes nodegroup batch SUCCEEDED']);
    });
  });

  it('is SKIPPED for a pinned AMI even when its nodes cannot be read', async () => {
    const aws = runningAws({ version: '1.33' });

    const poll = await upgradeSelfManagedNodegroup(item('pinned', { skipped: 'its spec pins AMI ami-0123456789abcdef0' }), aws.deps());

    expect(poll).toEqual({ ready: true, waitSeconds: 0 });
    expect(stepEvents(aws)).toEqual(['Upgrade Self-managed Nodegroup nodegroup pinned SKIPPED']);
  });

  it("puts the target's EKS optimized AMI in the stack's launch template, keeping the rest of the template", async () => {
    const aws = await withStack('1.32');
    const before = aws.stacks.get(nodegroupStackName(CLUSTER, 'batch'))!.template;

    const poll = await upgradeSelfManagedNodegroup(item('batch'), aws.deps());

    expect(poll).toMatchObject({ ready: false, stage: 'selfManagedStackUpdate' });
    expect(aws.callLog((c) => c.operation === 'GetParameter' || c.operation === 'UpdateStack')).toEqual([`ssm:GetParameter ${eksOptimizedAmiParameter('1.33', 'x86_64')}`, `cloudformation:UpdateStack ${nodegroupStackName(CLUSTER, 'batch')}`]);
    const after = aws.stacks.get(nodegroupStackName(CLUSTER, 'batch'))!.template;
    const imageOf = (t: typeof after) => (t.Resources.NodeGroupLaunchTemplate!.Properties!.LaunchTemplateData as { ImageId: string }).ImageId;
    expect(imageOf(after)).toBe(aws.ssmParameters.get(eksOptimizedAmiParameter('1.33', 'x86_64')));
    (before.Resources.NodeGroupLaunchTemplate!.Properties!.LaunchTemplateData as { ImageId: string }).ImageId = imageOf(after);
    expect(after).toEqual(before);
    expect(stepEvents(aws)).toEqual(['Upgrade Self-managed Nodegroup nodegroup batch STARTED', `Update Self-managed Nodegroup Stack stack ${nodegroupStackName(CLUSTER, 'batch')} STARTED`]);
    expect(aws.events.every((e) => e.phase === 'DataPlane')).toBe(true);
  });

  it("reports a nodegroup already on the target's AMI SKIPPED, without updating its stack", async () => {
    const aws = await withStack('1.33');

    const poll = await upgradeSelfManagedNodegroup(item('batch'), aws.deps());

    expect(poll).toMatchObject({ ready: true });
    expect(aws.callLog((c) => c.operation === 'UpdateStack' || c.operation === 'TerminateInstanceInAutoScalingGroup')).toEqual([]);
    expect(stepEvents(aws)).toEqual(['Upgrade Self-managed Nodegroup nodegroup batch SKIPPED']);
  });

  it('fails naming the nodegroup when it left the spec while the cluster was upgraded', async () => {
    const aws = runningAws({ version: '1.33' });

    await expect(upgradeSelfManagedNodegroup(item('gone'), aws.deps())).rejects.toMatchObject({ name: 'NodegroupUpgradeFailedError', message: expect.stringContaining('nodegroup gone') });
  });
});
