/**
 * Version support end to end in local mode: GET /clusters/{name} shows an ACTIVE cluster's
 * version support as the emulated EKS's DescribeClusterVersions gives it, and the version support
 * check (invoked as its schedule rule invokes it) puts each notice due on the bus once.
 */
import { DescribeClusterVersionsCommand } from '@aws-sdk/client-eks';
import { supportEndingNotices, versionSupport, type KubernetesVersionInfo, type VersionSupport } from '../../functions/domain/version-support';
import type { VersionSupportEndingEvent } from '../../functions/generated/types';
import type { VersionCheckReport } from '../../functions/listeners/version-support-check';
import { VERSION_SUPPORT_CHECK_FUNCTION } from '../../local/runtime/service-roles';
import { startLocal, type LocalMode } from '../../local/start';
import { LocalCloud, expectOneTerminalLast } from '../support/local-cloud';

const TIME_SCALE = 0.003;
const NAME = 'versions';
const OWNER = 'arn:aws:iam::111122223333:role/platform-portal';

let local: LocalMode;
let cloud: LocalCloud;

describe('version support in local mode', () => {
  beforeAll(async () => {
    // The check runs when the test invokes it, not on its daily schedule.
    local = await startLocal({ apiPort: 0, awsPort: 0, timeScale: TIME_SCALE, seed: 77, quiet: true, versionSupportCheck: false });
    cloud = new LocalCloud(local);
    // The oldest version the default guardrails allow: the nearest to its end of support, so a notice is likely due.
    const accepted = await cloud.call('POST', '/clusters', { caller: OWNER, body: { name: NAME, version: '1.31', managedNodeGroups: [], addons: [] } });
    expect(accepted).toMatchObject({ status: 202 });
    expectOneTerminalLast(await cloud.eventsUntilTerminal(String(accepted.body.operationId)), 'SUCCEEDED');
  }, 60_000);

  afterAll(async () => {
    cloud?.destroy();
    await local?.stop();
  });

  /** The emulated EKS's catalogue, read the way the port reads it. */
  async function catalogue(): Promise<KubernetesVersionInfo[]> {
    const { clusterVersions = [] } = await cloud.eks.send(new DescribeClusterVersionsCommand({ includeAll: true }));
    return clusterVersions.map((v) => ({
      version: v.clusterVersion!,
      ...(v.endOfStandardSupportDate ? { endOfStandardSupport: v.endOfStandardSupportDate.toISOString() } : {}),
      ...(v.endOfExtendedSupportDate ? { endOfExtendedSupport: v.endOfExtendedSupportDate.toISOString() } : {}),
      defaultVersion: v.defaultVersion ?? false,
    }));
  }

  it('shows the ACTIVE cluster\'s version support with the dates EKS gives', async () => {
    const cluster = await cloud.call('GET', `/clusters/${NAME}`, { caller: OWNER });
    const version = (cluster.body.live as { kubernetesVersion: string }).kubernetesVersion;
    const listed = (await catalogue()).find((v) => v.version === version);

    expect(cluster.body).not.toHaveProperty('versionSupportUnavailable');
    expect(cluster.body.versionSupport).toMatchObject({ version, supportType: 'EXTENDED', endOfStandardSupport: listed?.endOfStandardSupport, endOfExtendedSupport: listed?.endOfExtendedSupport });
  });

  it('puts the notice due (if any) on the bus once, however often the check runs', async () => {
    const support = (await cloud.call('GET', `/clusters/${NAME}`, { caller: OWNER })).body.versionSupport as VersionSupport;
    const now = local.world.clock.now();
    const expected = supportEndingNotices(now, support.supportEnds, []);
    const run = async () => {
      const event = { version: '0', id: `check-${Date.now()}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: local.world.account, time: now.toISOString(), region: local.world.region, resources: [], detail: {} };
      const result = await local.world.functions.invoke(VERSION_SUPPORT_CHECK_FUNCTION, event, { source: 'events' });
      expect(result.error).toBeUndefined();
      return result.payload as VersionCheckReport;
    };

    const first = await run();
    const second = await run();
    const notices = (await cloud.busEvents<VersionSupportEndingEvent>('EKS Cluster Version Support Ending')).filter((n) => n.cluster.name === NAME);

    expect(first.clusters[NAME]).toEqual(expected.length ? { verdict: 'sent', version: support.version, threshold: expected[0] } : { verdict: 'not-due', version: support.version });
    expect(second.clusters[NAME]).toEqual({ verdict: 'not-due', version: support.version });
    expect(notices.map((n) => n.threshold)).toEqual(expected);
    // The same figures as the API's, worked out from the same catalogue.
    expect(versionSupport(now, support.version, 'EXTENDED', await catalogue())).toMatchObject({ supportEnds: support.supportEnds });
  });
});
