import { compareVersions, supportEndingNotices, supportTypeOf, versionSupport } from '../../../functions/domain/version-support';
import { CLUSTER_VERSIONS } from '../../support/cluster-versions';

const NOW = new Date('2026-11-21T10:00:00Z');
const day = (n: number) => new Date(NOW.getTime() + n * 24 * 60 * 60 * 1000);

describe('a cluster version\'s support', () => {
  it('is standard support until its end, counted in whole days, with the newer default to move to', () => {
    expect(versionSupport(new Date('2026-06-01T00:00:00Z'), '1.33', 'EXTENDED', CLUSTER_VERSIONS)).toEqual({
      version: '1.33',
      status: 'STANDARD_SUPPORT',
      supportType: 'EXTENDED',
      endOfStandardSupport: '2026-07-29T00:00:00.000Z',
      endOfExtendedSupport: '2027-07-29T00:00:00.000Z',
      ending: 'STANDARD_SUPPORT',
      supportEnds: '2026-07-29T00:00:00.000Z',
      daysLeft: 58,
      newerDefault: '1.34',
      recommendedVersion: '1.34',
    });
  });

  it('goes on into extended support for an EXTENDED cluster: what ends next is extended support', () => {
    const support = versionSupport(NOW, '1.33', 'EXTENDED', CLUSTER_VERSIONS)!;

    expect(support).toMatchObject({ status: 'EXTENDED_SUPPORT', ending: 'EXTENDED_SUPPORT', supportEnds: '2027-07-29T00:00:00.000Z', daysLeft: 250 });
  });

  it('ends with standard support for a STANDARD cluster (EKS upgrades it then), whatever the version\'s status', () => {
    const support = versionSupport(NOW, '1.33', 'STANDARD', CLUSTER_VERSIONS)!;

    expect(support).toMatchObject({ status: 'EXTENDED_SUPPORT', ending: 'STANDARD_SUPPORT', supportEnds: '2026-07-29T00:00:00.000Z', daysLeft: 0 });
  });

  it('is unsupported after extended support, with no days left', () => {
    expect(versionSupport(new Date('2026-12-01T00:00:00Z'), '1.31', 'EXTENDED', CLUSTER_VERSIONS)).toMatchObject({ status: 'UNSUPPORTED', daysLeft: 0 });
  });

  it('recommends the next newer version when the default is not newer, and nothing on the newest', () => {
    const onDefault = versionSupport(NOW, '1.34', 'EXTENDED', CLUSTER_VERSIONS)!;
    const newest = versionSupport(NOW, '1.35', 'EXTENDED', CLUSTER_VERSIONS)!;

    expect(onDefault.newerDefault).toBeUndefined();
    expect(onDefault.recommendedVersion).toBe('1.35');
    expect(newest.recommendedVersion).toBeUndefined();
  });

  it('is unknown for a version EKS does not list', () => {
    expect(versionSupport(NOW, '1.21', 'EXTENDED', CLUSTER_VERSIONS)).toBeUndefined();
  });

  it('orders minors by number, not as text', () => {
    expect(['1.10', '1.9', '1.33'].sort(compareVersions)).toEqual(['1.9', '1.10', '1.33']);
  });

  it('reads the upgrade policy from the spec, EXTENDED (EKS\'s default) when it names none', () => {
    expect([supportTypeOf({ upgradePolicy: { supportType: 'STANDARD' } }), supportTypeOf({}), supportTypeOf(undefined), supportTypeOf({ upgradePolicy: { supportType: 'OTHER' } })]).toEqual(['STANDARD', 'EXTENDED', 'EXTENDED', 'EXTENDED']);
  });
});

describe('support ending notices', () => {
  it('sends nothing more than 90 days before the end', () => {
    expect(supportEndingNotices(NOW, day(91), [])).toEqual([]);
  });

  it('sends each threshold once, on the day it is reached', () => {
    expect(supportEndingNotices(NOW, day(90), [])).toEqual([90]);
    expect(supportEndingNotices(NOW, day(60), [90])).toEqual([]);
    expect(supportEndingNotices(NOW, day(30), [90])).toEqual([30]);
    expect(supportEndingNotices(NOW, day(7), [90, 30])).toEqual([7]);
    expect(supportEndingNotices(NOW, day(1), [90, 30, 7])).toEqual([]);
  });

  it('counts a started day as a day: 6 days and 14 hours left is the 7-day notice', () => {
    expect(supportEndingNotices(NOW, new Date(day(6).getTime() + 14 * 60 * 60 * 1000), [90, 30])).toEqual([7]);
  });

  it('after missed days sends only the nearest threshold, not every one passed', () => {
    expect(supportEndingNotices(NOW, day(5), [])).toEqual([7]);
    expect(supportEndingNotices(NOW, day(20), [])).toEqual([30]);
  });

  it('never sends a farther notice after a nearer one', () => {
    expect(supportEndingNotices(NOW, day(20), [7])).toEqual([]);
  });

  it('sends nothing once support has ended', () => {
    expect(supportEndingNotices(NOW, NOW, [])).toEqual([]);
    expect(supportEndingNotices(NOW, day(-3), [])).toEqual([]);
  });
});
