/** GET /clusters/{name} tells how long an ACTIVE cluster's Kubernetes version is supported, and still answers when EKS cannot say. */
import { routeRequest } from '../../../functions/api/handler';
import { VERSION_CATALOGUE_TTL_MS } from '../../../functions/api/version-catalogue';
import { apiEvent as event, OWNER, responseBody as body } from '../../support/api-event';
import { FakeAws } from '../../support/fake-aws';

const NAME = 'demo';
const CREATED = '2026-01-05T09:00:00.000Z';

/** A cluster in the registry (and, when ACTIVE, in EKS) on `version`, owned by the test's caller. */
function cluster(aws: FakeAws, version: string, status: 'ACTIVE' | 'CREATING' = 'ACTIVE', spec: Record<string, unknown> = {}): void {
  aws.clusterRecords.set(NAME, { name: NAME, owner: OWNER, status, spec: { name: NAME, version, ...spec }, createdAt: CREATED, updatedAt: CREATED, version: 2 });
  if (status === 'ACTIVE') aws.clusters.set(NAME, { name: NAME, arn: `arn:aws:eks:us-east-1:111122223333:cluster/${NAME}`, status: 'ACTIVE', version });
}

const get = async (aws: FakeAws) => {
  const response = await routeRequest(event('GET', `/clusters/${NAME}`), aws.deps());
  expect(response.statusCode).toBe(200);
  return body(response);
};
const catalogueReads = (aws: FakeAws) => aws.callLog((c) => c.operation === 'DescribeClusterVersions').length;

describe('GET /clusters/{name}: version support', () => {
  it('shows an ACTIVE cluster\'s version support: status, dates, the support that ends next, days left and the newer default', async () => {
    const aws = new FakeAws();
    cluster(aws, '1.33', 'ACTIVE', { upgradePolicy: { supportType: 'STANDARD' } });

    const shown = await get(aws);

    expect(shown.versionSupport).toEqual({
      version: '1.33',
      status: 'EXTENDED_SUPPORT',
      supportType: 'STANDARD',
      endOfStandardSupport: '2026-07-29T00:00:00.000Z',
      endOfExtendedSupport: '2027-07-29T00:00:00.000Z',
      ending: 'STANDARD_SUPPORT',
      supportEnds: '2026-07-29T00:00:00.000Z',
      daysLeft: 0,
      newerDefault: '1.34',
      recommendedVersion: '1.34',
    });
    expect(shown.versionSupportUnavailable).toBeUndefined();
  });

  it('reads the version EKS runs, which may be newer than the spec\'s after EKS upgraded the cluster itself', async () => {
    const aws = new FakeAws();
    cluster(aws, '1.33');
    aws.clusters.get(NAME)!.version = '1.34';

    expect((await get(aws)).versionSupport).toMatchObject({ version: '1.34', status: 'STANDARD_SUPPORT', daysLeft: 11 });
  });

  it('says nothing of version support while the cluster is not ACTIVE, and does not ask EKS', async () => {
    const aws = new FakeAws();
    cluster(aws, '1.34', 'CREATING');

    const shown = await get(aws);

    expect(shown).not.toHaveProperty('versionSupport');
    expect(shown).not.toHaveProperty('versionSupportUnavailable');
    expect(catalogueReads(aws)).toBe(0);
  });

  it('answers without it when EKS cannot give its versions, saying so, and asks again on the next request', async () => {
    const aws = new FakeAws({ clusterVersionsUnavailable: true });
    cluster(aws, '1.34');

    const shown = await get(aws);
    aws.faults.clusterVersionsUnavailable = false;
    const next = await get(aws);

    expect(shown).not.toHaveProperty('versionSupport');
    expect(shown.versionSupportUnavailable).toBe('EKS did not give its Kubernetes versions (DescribeClusterVersions: AwsUnavailableError); try again later');
    expect(shown.live).toMatchObject({ status: 'ACTIVE', kubernetesVersion: '1.34' });
    expect(next.versionSupport).toMatchObject({ version: '1.34' });
  });

  it('says so for a version EKS lists no dates for', async () => {
    const aws = new FakeAws();
    cluster(aws, '1.21');

    expect((await get(aws)).versionSupportUnavailable).toBe('EKS lists no support dates for Kubernetes 1.21');
  });

  it('asks EKS for its versions once an hour, not on every request', async () => {
    const aws = new FakeAws();
    cluster(aws, '1.34');

    await get(aws);
    await get(aws);
    aws.advanceClock(VERSION_CATALOGUE_TTL_MS - 60_000);
    await get(aws);
    const withinTheHour = catalogueReads(aws);
    aws.advanceClock(60_000);
    await get(aws);

    expect([withinTheHour, catalogueReads(aws)]).toEqual([1, 2]);
  });
});
