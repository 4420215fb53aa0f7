import { applyChange, pointerInBody } from '../../../functions/domain/spec-change';
import { normaliseSpec, type Spec } from '../../../functions/domain/spec';
import { referenceSpec } from '../../support/provision-run';

const GUARDRAILS = { kubernetesVersions: ['1.32', '1.33'], defaultKubernetesVersion: '1.33' };
const spec = (): Spec => normaliseSpec(referenceSpec(), GUARDRAILS);

describe('applyChange', () => {
  it('appends an added nodegroup and says where the body sits in the spec', () => {
    const { spec: changed, bodyPointer } = applyChange(spec(), { action: 'ADD_NODEGROUP', body: { name: 'ng-new' } });

    expect((changed as Spec).managedNodeGroups.map((n) => n.name)).toEqual(['ng-general', 'ng-spot', 'ng-new']);
    expect(bodyPointer).toBe('/managedNodeGroups/2');
  });

  it('changes only the sizes given when scaling', () => {
    const { spec: changed } = applyChange(spec(), { action: 'UPDATE_NODEGROUP', target: 'ng-spot', body: { maxSize: 6 } });

    expect((changed as Spec).managedNodeGroups[1]).toMatchObject({ name: 'ng-spot', minSize: 1, desiredSize: 1, maxSize: 6 });
  });

  it('keeps an unasked desired size within the new bounds', () => {
    const { spec: changed } = applyChange(spec(), { action: 'UPDATE_NODEGROUP', target: 'ng-general', body: { minSize: 3, maxSize: 5 } });

    expect((changed as Spec).managedNodeGroups[0]).toMatchObject({ minSize: 3, desiredSize: 3, maxSize: 5 });
  });

  it('replaces labels and taints with the whole set given, and sets updateConfig and releaseVersion; the change carries only what was asked', () => {
    const body = { labels: { team: 'b' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }], updateConfig: { maxUnavailablePercentage: 50 }, releaseVersion: '1.33.5-20251101' };
    const applied = applyChange(spec(), { action: 'UPDATE_NODEGROUP', target: 'ng-spot', body });
    const desired = normaliseSpec(applied.spec, GUARDRAILS);

    expect(desired.managedNodeGroups[1]).toMatchObject({ name: 'ng-spot', ...body, minSize: 1, maxSize: 3 });
    expect(applied.changed).toEqual(['/managedNodeGroups/1/labels', '/managedNodeGroups/1/taints', '/managedNodeGroups/1/updateConfig', '/managedNodeGroups/1/releaseVersion']);
    expect(applied.change(desired)).toEqual({ action: 'UPDATE_NODEGROUP', target: 'ng-spot', update: body });
  });

  it('mixes sizes and settings in one change', () => {
    const applied = applyChange(spec(), { action: 'UPDATE_NODEGROUP', target: 'ng-spot', body: { desiredSize: 2, labels: {} } });

    expect(applied.change(normaliseSpec(applied.spec, GUARDRAILS))).toEqual({ action: 'UPDATE_NODEGROUP', target: 'ng-spot', update: { scaling: { desiredSize: 2 }, labels: {} } });
  });

  it('removes an access entry or an identity mapping by principal ARN', () => {
    const entry = applyChange(spec(), { action: 'REMOVE_ACCESS_ENTRY', target: 'arn:aws:iam::111122223333:role/deployer' }).spec as Spec;
    const mapping = applyChange(spec(), { action: 'REMOVE_ACCESS_ENTRY', target: 'arn:aws:iam::111122223333:role/legacy-ops' }).spec as Spec;

    expect(entry.accessEntries.map((e) => e.principalArn)).not.toContain('arn:aws:iam::111122223333:role/deployer');
    expect(mapping.identityMappings).toEqual([]);
  });

  it('turns the fargate shorthand off when its profile is removed, so normalisation does not bring it back', () => {
    const changed = applyChange(spec(), { action: 'REMOVE_FARGATE_PROFILE', target: 'fp-default' }).spec;

    expect(normaliseSpec(changed, GUARDRAILS).fargateProfiles).toEqual([]);
  });

  it('appends an added add-on; its change carries it as normalised', () => {
    const applied = applyChange(spec(), { action: 'ADD_ADDON', body: { name: 'metrics-server', configurationValues: '{"replicas":1}' } });
    const desired = normaliseSpec(applied.spec, GUARDRAILS);

    expect(desired.addons.map((a) => a.name)).toEqual(['vpc-cni', 'coredns', 'kube-proxy', 'metrics-server']);
    expect(applied.bodyPointer).toBe('/addons/3');
    expect(applied.change(desired)).toEqual({ action: 'ADD_ADDON', target: 'metrics-server', item: { name: 'metrics-server', configurationValues: '{"replicas":1}' } });
  });

  it('refuses an add-on the spec already has, at the body’s name', () => {
    const applied = applyChange(spec(), { action: 'ADD_ADDON', body: { name: 'coredns' } });

    expect(() => normaliseSpec(applied.spec, GUARDRAILS)).toThrow(expect.objectContaining({ name: 'InvalidSpecError', problems: [expect.objectContaining({ pointer: '/addons/3/name' })] }));
  });

  it.each([
    ['the version only', { version: 'v1.11.4-eksbuild.14' }, { version: 'v1.11.4-eksbuild.14' }],
    ['the configuration only', { configurationValues: '{"replicaCount":3}' }, { configurationValues: '{"replicaCount":3}' }],
    ['both', { version: 'v1.11.4-eksbuild.14', configurationValues: '' }, { version: 'v1.11.4-eksbuild.14', configurationValues: '' }],
  ])('updates %s of an add-on, and its change holds only those fields', (_what, body, changes) => {
    const applied = applyChange(spec(), { action: 'UPDATE_ADDON', target: 'coredns', body });
    const desired = normaliseSpec(applied.spec, GUARDRAILS);

    expect(desired.addons[1]).toEqual({ name: 'coredns', ...changes });
    expect(applied.changed).toEqual(Object.keys(changes).map((f) => `/addons/1/${f}`));
    expect(applied.change(desired)).toEqual({ action: 'UPDATE_ADDON', target: 'coredns', changes });
  });

  it('removes an add-on, with preserve when asked', () => {
    const applied = applyChange(spec(), { action: 'REMOVE_ADDON', target: 'kube-proxy', preserve: true });

    expect((applied.spec as Spec).addons.map((a) => a.name)).toEqual(['vpc-cni', 'coredns']);
    expect(applied.change(applied.spec as Spec)).toEqual({ action: 'REMOVE_ADDON', target: 'kube-proxy', preserve: true });
    expect(applyChange(spec(), { action: 'REMOVE_ADDON', target: 'kube-proxy' }).change(spec())).toEqual({ action: 'REMOVE_ADDON', target: 'kube-proxy', preserve: false });
  });

  it('names the missing add-on', () => {
    expect(() => applyChange(spec(), { action: 'UPDATE_ADDON', target: 'aws-ebs-csi-driver', body: { version: 'v1.0.0' } })).toThrow('cluster reference has no add-on aws-ebs-csi-driver');
    expect(() => applyChange(spec(), { action: 'REMOVE_ADDON', target: 'aws-ebs-csi-driver' })).toThrow(expect.objectContaining({ name: 'UnknownTargetError', kind: 'add-on' }));
  });

  it('names the missing target', () => {
    expect(() => applyChange(spec(), { action: 'REMOVE_NODEGROUP', target: 'ng-none' })).toThrow('cluster reference has no nodegroup ng-none');
    expect(() => applyChange(spec(), { action: 'UPDATE_NODEGROUP', target: 'ng-none', body: { maxSize: 3 } })).toThrow(expect.objectContaining({ name: 'UnknownTargetError' }));
  });

  it('leaves the registered spec untouched', () => {
    const current = spec();
    const before = structuredClone(current);

    applyChange(current, { action: 'REMOVE_NODEGROUP', target: 'ng-spot' });

    expect(current).toEqual(before);
  });
});

describe('pointerInBody', () => {
  it('maps pointers inside the body to the body, and leaves others whole', () => {
    expect(pointerInBody('/managedNodeGroups/2/instanceTypes/0', '/managedNodeGroups/2')).toBe('/instanceTypes/0');
    expect(pointerInBody('/managedNodeGroups/2', '/managedNodeGroups/2')).toBe('');
    expect(pointerInBody('/managedNodeGroups/20/name', '/managedNodeGroups/2')).toBe('/managedNodeGroups/20/name');
    expect(pointerInBody('/tags', undefined)).toBe('/tags');
  });
});
