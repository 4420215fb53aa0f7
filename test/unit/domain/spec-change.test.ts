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
