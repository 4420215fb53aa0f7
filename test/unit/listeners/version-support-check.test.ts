/** The daily version support check: each ACTIVE cluster's owner hears once per threshold that its version's support ends. */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkVersionSupport, NOTICE_CLAIM_STALE_SECONDS } from '../../../functions/listeners/version-support-check';
import type { ClusterStatus } from '../../../functions/ports/registry';
import { FakeAws } from '../../support/fake-aws';

const WHERE = { region: 'us-east-1', account: '111122223333' };
const DAY_MS = 24 * 60 * 60 * 1000;
const CREATED = '2026-01-05T09:00:00.000Z';
const validNotice = new Ajv({ strict: false }).compile(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'schemas', 'events', 'version-support-ending.schema.json'), 'utf8')));

/** A cluster the registry holds (FakeAws's clock: 2026-11-21; see test/support/cluster-versions.ts). */
function cluster(aws: FakeAws, name: string, version: string, status: ClusterStatus = 'ACTIVE', spec: Record<string, unknown> = {}): void {
  aws.clusterRecords.set(name, { name, owner: 'arn:aws:iam::111122223333:role/portal', status, spec: { name, version, ...spec }, createdAt: CREATED, updatedAt: CREATED, version: 2 });
}

describe('the version support check', () => {
  it('sends the nearest notice due, with the dates, the days left and where to upgrade, in the published schema', async () => {
    const aws = new FakeAws();
    cluster(aws, 'demo', '1.34');

    const report = await checkVersionSupport(aws.deps(), WHERE);

    expect(report.clusters.demo).toEqual({ verdict: 'sent', version: '1.34', threshold: 30 });
    expect(aws.versionNotices).toEqual([
      {
        schemaVersion: '1.0',
        eventId: expect.stringMatching(/^[0-9a-f]{32}$/),
        cluster: { name: 'demo', region: 'us-east-1', account: '111122223333' },
        version: '1.34',
        supportType: 'EXTENDED',
        ending: 'STANDARD_SUPPORT',
        endOfStandardSupport: '2026-12-02T00:00:00.000Z',
        endOfExtendedSupport: '2027-12-02T00:00:00.000Z',
        daysLeft: 11,
        threshold: 30,
        recommendedVersion: '1.35',
        time: '2026-11-21T10:00:00.000Z',
      },
    ]);
    expect(validNotice(aws.versionNotices[0])).toBe(true);
  });

  it('sends nothing twice: a second run the same day finds the notice sent', async () => {
    const aws = new FakeAws();
    cluster(aws, 'demo', '1.34');

    await checkVersionSupport(aws.deps(), WHERE);
    const again = await checkVersionSupport(aws.deps(), WHERE);

    expect(again.clusters.demo).toEqual({ verdict: 'not-due', version: '1.34' });
    expect(aws.versionNotices).toHaveLength(1);
  });

  it('sends each threshold on its day, day after day, and nothing once support has ended', async () => {
    const aws = new FakeAws();
    cluster(aws, 'demo', '1.34');
    const sentOn: Array<[string, number]> = [];

    for (let day = 0; day < 14; day++) {
      const report = await checkVersionSupport(aws.deps(), WHERE);
      const verdict = report.clusters.demo!;
      if (verdict.verdict === 'sent') sentOn.push([aws.clock().toISOString().slice(0, 10), verdict.threshold]);
      aws.advanceClock(DAY_MS);
    }

    // 1.34's standard support ends 2026-12-02: 30 days or fewer on 11-21, 7 or fewer on 11-25 (6 days 14 hours).
    expect(sentOn).toEqual([['2026-11-21', 30], ['2026-11-25', 7]]);
  });

  it('warns an EXTENDED cluster again before extended support ends, and a STANDARD one only before standard support ends', async () => {
    const aws = new FakeAws();
    cluster(aws, 'extended', '1.31');
    cluster(aws, 'standard', '1.31', 'ACTIVE', { upgradePolicy: { supportType: 'STANDARD' } });

    const report = await checkVersionSupport(aws.deps(), WHERE);

    expect(report.clusters).toEqual({ extended: { verdict: 'sent', version: '1.31', threshold: 7 }, standard: { verdict: 'not-due', version: '1.31' } });
    expect(aws.versionNotices[0]).toMatchObject({ supportType: 'EXTENDED', ending: 'EXTENDED_SUPPORT', daysLeft: 5, recommendedVersion: '1.34' });
  });

  it('checks only ACTIVE clusters, and says which version EKS does not list', async () => {
    const aws = new FakeAws();
    cluster(aws, 'creating', '1.34', 'CREATING');
    cluster(aws, 'failed', '1.34', 'FAILED');
    cluster(aws, 'ancient', '1.21');

    const report = await checkVersionSupport(aws.deps(), WHERE);

    expect(report.clusters).toEqual({ ancient: { verdict: 'unknown-version', version: '1.21' } });
    expect(aws.versionNotices).toEqual([]);
  });

  it('gives a notice the bus refused back, so the next run sends it', async () => {
    const aws = new FakeAws({ noticeRefusals: 1 });
    cluster(aws, 'demo', '1.34');
    cluster(aws, 'other', '1.31');

    const first = await checkVersionSupport(aws.deps(), WHERE);
    const second = await checkVersionSupport(aws.deps(), WHERE);

    expect(first.clusters).toEqual({ demo: { verdict: 'error' }, other: { verdict: 'sent', version: '1.31', threshold: 7 } });
    expect(second.clusters.demo).toEqual({ verdict: 'sent', version: '1.34', threshold: 30 });
    expect(aws.versionNotices.map((n) => n.cluster.name)).toEqual(['other', 'demo']);
  });

  it('leaves a notice another run has claimed to it, and takes it over once that claim is stale', async () => {
    const aws = new FakeAws();
    cluster(aws, 'demo', '1.34');
    const notice = { cluster: 'demo', clusterCreatedAt: CREATED, version: '1.34', ending: 'STANDARD_SUPPORT', threshold: 30 };
    await aws.registry.claimVersionNotice(notice, aws.clock().toISOString(), '2026-11-21T00:00:00.000Z');

    const whileClaimed = await checkVersionSupport(aws.deps(), WHERE);
    aws.advanceClock(NOTICE_CLAIM_STALE_SECONDS * 1000 + 1);
    const afterStale = await checkVersionSupport(aws.deps(), WHERE);

    expect(whileClaimed.clusters.demo).toEqual({ verdict: 'already-sent', version: '1.34' });
    expect(afterStale.clusters.demo).toEqual({ verdict: 'sent', version: '1.34', threshold: 30 });
    expect(aws.versionNotices).toHaveLength(1);
  });

  it('warns a new cluster that took a deleted one\'s name afresh', async () => {
    const aws = new FakeAws();
    cluster(aws, 'demo', '1.34');
    await checkVersionSupport(aws.deps(), WHERE);
    aws.clusterRecords.get('demo')!.createdAt = '2026-11-21T09:00:00.000Z';

    await checkVersionSupport(aws.deps(), WHERE);

    expect(aws.versionNotices.map((n) => n.threshold)).toEqual([30, 30]);
    expect(new Set(aws.versionNotices.map((n) => n.eventId)).size).toBe(2);
  });

  it('fails the run when EKS cannot give the versions, sending nothing', async () => {
    const aws = new FakeAws({ clusterVersionsUnavailable: true });
    cluster(aws, 'demo', '1.34');

    await expect(checkVersionSupport(aws.deps(), WHERE)).rejects.toThrow('ServiceUnavailableException');
    expect(aws.versionNotices).toEqual([]);
  });
});

describe('the version check, for clusters with unattended upgrades', () => {
  const onSundays = { maintenance: { autoUpgrade: true, window: 'sun 02:00-06:00 UTC' } };

  it('schedules the next minor for the window\'s next start, again each day, and nothing for the others', async () => {
    const aws = new FakeAws();
    cluster(aws, 'auto', '1.32', 'ACTIVE', onSundays);
    cluster(aws, 'manual', '1.32');
    cluster(aws, 'current', '1.34', 'ACTIVE', onSundays);
    cluster(aws, 'busy', '1.32', 'UPDATING', onSundays);

    const report = await checkVersionSupport(aws.deps(), WHERE);
    const again = await checkVersionSupport(aws.deps(), WHERE);

    expect(report.upgrades).toEqual({ auto: { scheduled: { version: '1.33', at: '2026-11-22T02:00:00.000Z' } }, manual: { none: 'not-enabled' }, current: { none: 'current' } });
    expect(again.upgrades).toEqual(report.upgrades);
    expect([...aws.upgradeSchedules]).toEqual([['auto', { version: '1.33', at: new Date('2026-11-22T02:00:00.000Z') }]]);
  });

  it('keeps sending notices when Scheduler fails, and says which cluster it could not schedule', async () => {
    const aws = new FakeAws();
    cluster(aws, 'auto', '1.34', 'ACTIVE', onSundays);
    cluster(aws, 'behind', '1.31', 'ACTIVE', onSundays);
    aws.schedules.scheduleUpgrade = async () => {
      throw new Error('ThrottlingException: Rate exceeded');
    };

    const report = await checkVersionSupport(aws.deps(), WHERE);

    expect(report.upgrades).toEqual({ auto: { none: 'current' }, behind: { none: 'error' } });
    expect(report.clusters.behind).toEqual({ verdict: 'sent', version: '1.31', threshold: 7 });
  });
});
