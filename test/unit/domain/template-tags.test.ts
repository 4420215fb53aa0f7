import { isUserTemplateTag } from '../../../functions/domain/cluster-settings';
import { renderClusterTemplate } from '../../../functions/domain/cluster-template';
import { normaliseSpec } from '../../../functions/domain/spec';
import { retagTemplate } from '../../../functions/domain/template-tags';
import { KUBE_AGENT_CODE } from '../../support/fake-aws';

const GUARDRAILS = { kubernetesVersions: ['1.32', '1.33'], defaultKubernetesVersion: '1.33' };
const OWNERSHIP = { 'eks-provisioner:cluster': 'demo', 'eks-provisioner:operation-id': 'op-1', 'eks-provisioner:managed-by': 'eks-provisioner' };
const list = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const asMap = (tags: unknown) => Object.fromEntries((tags as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]));

/** The cluster stack as the service renders it, with team/env user tags. */
function clusterTemplate(): Record<string, unknown> {
  const spec = normaliseSpec({ name: 'demo', tags: { team: 'blue', env: 'test' }, managedNodeGroups: [{ name: 'ng-1' }] }, GUARDRAILS as never);
  const template = renderClusterTemplate({
    spec,
    stackName: 'eksp-demo-cluster',
    tags: { ...spec.tags, ...OWNERSHIP },
    kubeAgentCode: KUBE_AGENT_CODE,
    permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/boundary',
    podRoleBoundaryArn: 'arn:aws:iam::111122223333:policy/pod-role-boundary',
  });
  return JSON.parse(JSON.stringify(template)) as Record<string, unknown>;
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resourcesOf = (template: Record<string, unknown>) => template.Resources as Resources;

describe('retagTemplate', () => {
  it("sets the wanted user tags and drops the removed ones in every resource's Tags, keeping Name, ownership and load-balancer tags", () => {
    const { template, changed } = retagTemplate(clusterTemplate(), { team: 'green', cost: 'x1' }, isUserTemplateTag);
    const resources = resourcesOf(template);

    expect(asMap(resources.VPC?.Properties.Tags)).toEqual({ Name: 'eksp-demo-cluster/VPC', ...OWNERSHIP, team: 'green', cost: 'x1' });
    expect(asMap(resources.SubnetPublic1?.Properties.Tags)).toEqual({ Name: 'eksp-demo-cluster/SubnetPublic1', ...OWNERSHIP, 'kubernetes.io/role/elb': '1', team: 'green', cost: 'x1' });
    expect(asMap(resources.SubnetPrivate1?.Properties.Tags)).toMatchObject({ 'kubernetes.io/role/internal-elb': '1', team: 'green' });
    expect(asMap(resources.NodeInstanceRole?.Properties.Tags)).not.toHaveProperty('env');
    expect(asMap(resources.ControlPlane?.Properties.Tags)).toMatchObject({ team: 'green', cost: 'x1' });
    expect(changed).toEqual(expect.arrayContaining(['VPC', 'SubnetPublic1', 'ServiceRole', 'NodeInstanceRole', 'ControlPlane', 'ControlPlaneSecurityGroup']));
    // Resources without tags are not touched.
    expect(changed).not.toContain('VPCGatewayAttachment');
  });

  it("rewrites a launch template's own TagSpecifications and its LaunchTemplateData's (instances, volumes, interfaces), keeping the nodegroup tag", () => {
    const { template, changed } = retagTemplate(clusterTemplate(), { team: 'green' }, isUserTemplateTag);
    const [id, launchTemplate] = Object.entries(resourcesOf(template)).find(([, r]) => r.Type === 'AWS::EC2::LaunchTemplate') ?? [];
    const data = launchTemplate?.Properties.LaunchTemplateData as { TagSpecifications: Array<{ ResourceType: string; Tags: unknown }> };
    const own = launchTemplate?.Properties.TagSpecifications as Array<{ Tags: unknown }>;

    expect(changed).toContain(id);
    expect(data.TagSpecifications.map((s) => s.ResourceType)).toEqual(['instance', 'volume', 'network-interface']);
    for (const specification of [...data.TagSpecifications, ...own]) {
      expect(asMap(specification.Tags)).toEqual(expect.objectContaining({ team: 'green', 'eks-provisioner:nodegroup': 'ng-1' }));
      expect(asMap(specification.Tags)).not.toHaveProperty('env');
    }
  });

  it('changes nothing but tags, and nothing at all when the tags are already as wanted', () => {
    const before = clusterTemplate();
    const { template } = retagTemplate(before, { team: 'green' }, isUserTemplateTag);
    const withoutTags = (t: Record<string, unknown>) => JSON.stringify(t, (key, value: unknown) => (key === 'Tags' ? undefined : value));

    expect(withoutTags(template)).toEqual(withoutTags(before));
    expect(before).toEqual(clusterTemplate()); // the input is not modified
    expect(retagTemplate(before, { team: 'blue', env: 'test' }, isUserTemplateTag)).toEqual({ template: before, changed: [] });
  });

  it('keeps entries whose key is not the user’s (service, AWS, intrinsic) and the order of those kept; new keys follow in key order', () => {
    const template = {
      Resources: {
        Topic: { Type: 'AWS::SNS::Topic', Properties: { Tags: [{ Key: 'b', Value: 'old' }, { Key: { Ref: 'KeyParam' }, Value: 'v' }, { Key: 'aws:x', Value: '1' }, { Key: 'gone', Value: '1' }, ...list({ 'eks-provisioner:owner': 'me' })] } },
      },
    };
    const { template: next } = retagTemplate(template, { z: '1', b: 'new', a: '2' }, isUserTemplateTag);

    expect((next.Resources as Resources).Topic?.Properties.Tags).toEqual([{ Key: 'b', Value: 'new' }, { Key: { Ref: 'KeyParam' }, Value: 'v' }, { Key: 'aws:x', Value: '1' }, { Key: 'eks-provisioner:owner', Value: 'me' }, { Key: 'a', Value: '2' }, { Key: 'z', Value: '1' }]);
  });

  it('rewrites tags kept as a key → value map (the form some resource types take)', () => {
    const template = { Resources: { Param: { Type: 'AWS::SSM::Parameter', Properties: { Type: 'String', Value: 'v', Tags: { team: 'blue', env: 'test', 'eks-provisioner:cluster': 'demo' } } } } };
    const { template: next, changed } = retagTemplate(template, { team: 'green' }, isUserTemplateTag);

    expect((next.Resources as Resources).Param?.Properties.Tags).toEqual({ team: 'green', 'eks-provisioner:cluster': 'demo' });
    expect(changed).toEqual(['Param']);
  });
});
