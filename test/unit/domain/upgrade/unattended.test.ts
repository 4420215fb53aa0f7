/** Unattended upgrades: one minor per window, only while EKS's default version is newer, asked again when the schedule fires. */
import { START_DELAY_MS, unattendedUpgradeNotWanted, unattendedUpgradePlan } from '../../../../functions/domain/upgrade/unattended';
import { CLUSTER_VERSIONS } from '../../../support/cluster-versions';

// A Saturday, 10:00 UTC; 1.34 is the catalogue's default.
const SATURDAY_10 = new Date('2026-11-21T10:00:00.000Z');
const onSundays = { autoUpgrade: true, window: 'sun 02:00-06:00 UTC' };

describe('unattendedUpgradePlan', () => {
  it('plans the next minor, not the default, for when the window next opens', () => {
    expect(unattendedUpgradePlan({ version: '1.32', maintenance: onSundays }, CLUSTER_VERSIONS, SATURDAY_10)).toEqual({ upgrade: { version: '1.33', at: new Date('2026-11-22T02:00:00.000Z') } });
  });

  it('starts shortly after now when the window is open', () => {
    const plan = unattendedUpgradePlan({ version: '1.33', maintenance: { autoUpgrade: true, window: 'sat 09:00-12:00 UTC' } }, CLUSTER_VERSIONS, SATURDAY_10);
    expect(plan).toEqual({ upgrade: { version: '1.34', at: new Date(SATURDAY_10.getTime() + START_DELAY_MS) } });
  });

  it('plans nothing once the cluster runs the default version or a newer one', () => {
    expect(unattendedUpgradePlan({ version: '1.34', maintenance: onSundays }, CLUSTER_VERSIONS, SATURDAY_10)).toEqual({ none: 'current' });
    expect(unattendedUpgradePlan({ version: '1.35', maintenance: onSundays }, CLUSTER_VERSIONS, SATURDAY_10)).toEqual({ none: 'current' });
  });

  it.each([
    ['off', { autoUpgrade: false, window: 'sun 02:00-06:00 UTC' }],
    ['without a window', { autoUpgrade: true }],
    ['absent', undefined],
  ])('plans nothing when unattended upgrades are %s', (_case, maintenance) => {
    expect(unattendedUpgradePlan({ version: '1.31', ...(maintenance ? { maintenance } : {}) }, CLUSTER_VERSIONS, SATURDAY_10)).toEqual({ none: 'not-enabled' });
  });

  it('plans nothing when EKS names no default version', () => {
    const noDefault = CLUSTER_VERSIONS.map((v) => ({ ...v, defaultVersion: false }));
    expect(unattendedUpgradePlan({ version: '1.31', maintenance: onSundays }, noDefault, SATURDAY_10)).toEqual({ none: 'no-default' });
  });
});

describe('unattendedUpgradeNotWanted, asked when the schedule fires', () => {
  const SUNDAY_2 = new Date('2026-11-22T02:00:00.000Z');

  it('lets the upgrade go ahead inside the window while the cluster is behind', () => {
    expect(unattendedUpgradeNotWanted({ version: '1.32', maintenance: onSundays }, '1.33', SUNDAY_2)).toBeUndefined();
  });

  it.each([
    [{ version: '1.32', maintenance: { ...onSundays, autoUpgrade: false } }, 'no longer enabled'],
    [{ version: '1.32', maintenance: { autoUpgrade: true, window: 'sat 02:00-06:00 UTC' } }, 'is outside the maintenance window sat 02:00-06:00 UTC'],
    [{ version: '1.33', maintenance: onSundays }, 'already runs Kubernetes 1.33'],
  ])('says why not when the spec has moved on: %j', (spec, reason) => {
    expect(unattendedUpgradeNotWanted(spec, '1.33', SUNDAY_2)).toContain(reason);
  });
});
