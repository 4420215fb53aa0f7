/** A nodegroup's instance type read from and written into its stack's current template (domain/template-instance-type.ts). */
import { hasLaunchTemplate, launchTemplateInstanceTypeIn, withLaunchTemplateInstanceType } from '../../../functions/domain/template-instance-type';
import { launchTemplateOutputName, renderNodegroupTemplate } from '../../../functions/domain/cluster-template';
import { normaliseSpec } from '../../../functions/domain/spec';

const ID = launchTemplateOutputName({ name: 'ng-b' });
const GUARDRAILS = { kubernetesVersions: ['1.33'], defaultKubernetesVersion: '1.33' };

function nodegroupTemplate(instanceTypes: string[]): Record<string, unknown> {
  const spec = normaliseSpec({ name: 'demo', network: { vpc: {} }, managedNodeGroups: [{ name: 'ng-b', instanceTypes }] }, GUARDRAILS as never);
  return JSON.parse(JSON.stringify(renderNodegroupTemplate({ clusterName: 'demo', nodegroup: spec.managedNodeGroups[0]!, stackName: 'eksp-demo-nodegroup-ng-b', tags: {}, permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/boundary' })));
}

describe('a nodegroup’s instance type in its template', () => {
  it('is the launch template’s LaunchTemplateData.InstanceType when the nodegroup has one type, absent when it has several', () => {
    expect(launchTemplateInstanceTypeIn(nodegroupTemplate(['m5.large']), ID)).toBe('m5.large');
    expect(hasLaunchTemplate(nodegroupTemplate(['m5.large', 'm5a.large']), ID)).toBe(true);
    expect(launchTemplateInstanceTypeIn(nodegroupTemplate(['m5.large', 'm5a.large']), ID)).toBeUndefined();
  });

  it('is rewritten in a copy, everything else in the template as it was', () => {
    const template = nodegroupTemplate(['m5.large']);
    const before = JSON.stringify(template);

    const rewritten = withLaunchTemplateInstanceType(template, ID, 'm5.xlarge');

    expect(JSON.stringify(template)).toBe(before);
    expect(launchTemplateInstanceTypeIn(rewritten, ID)).toBe('m5.xlarge');
    expect(JSON.stringify(withLaunchTemplateInstanceType(rewritten, ID, 'm5.large'))).toBe(before);
    expect(() => withLaunchTemplateInstanceType(template, 'LaunchTemplateNgX', 'm5.xlarge')).toThrow('the template declares no launch template LaunchTemplateNgX');
  });
});
