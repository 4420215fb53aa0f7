/**
 * Version support end to end in local mode: GET /clusters/{name} shows an ACTIVE cluster's
 * version support as the emulated EKS's DescribeClusterVersions gives it, and the version support
 * check (invoked as its schedule rule invokes it) puts each notice due on the bus once, and
 * schedules the unattended upgrade of a cluster behind EKS's default version, which the emulated
 * Scheduler starts in the cluster's window.
 */
import { DescribeClusterCommand, DescribeClusterVersionsCommand } from '@aws-sdk/client-eks';
import { supportEndingNotices, versionSupport, type KubernetesVersionInfo, type VersionSupport } from '../../functions/domain/version-support';
import type { OperationStatusEvent, VersionSupportEndingEvent } from '../../functions/generated/types';
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

  /** One run of the check, invoked as its schedule rule invokes it. */
  async function runCheck(): Promise<VersionCheckReport> {
    const now = local.world.clock.now();
    const event = { version: '0', id: `check-${Date.now()}`, 'detail-type': 'Scheduled Event', source: 'aws.events', account: local.world.account, time: now.toISOString(), region: local.world.region, resources: [], detail: {} };
    const result = await local.world.functions.invoke(VERSION_SUPPORT_CHECK_FUNCTION, event, { source: 'events' });
    expect(result.error).toBeUndefined();
    return result.payload as VersionCheckReport;
  }

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

    const first = await runCheck();
    const second = await runCheck();
    const notices = (await cloud.busEvents<VersionSupportEndingEvent>('EKS Cluster Version Support Ending')).filter((n) => n.cluster.name === NAME);

    expect(first.clusters[NAME]).toEqual(expected.length ? { verdict: 'sent', version: support.version, threshold: expected[0] } : { verdict: 'not-due', version: support.version });
    expect(second.clusters[NAME]).toEqual({ verdict: 'not-due', version: support.version });
    expect(notices.map((n) => n.threshold)).toEqual(expected);
    // The same figures as the API's, worked out from the same catalogue.
    expect(versionSupport(now, support.version, 'EXTENDED', await catalogue())).toMatchObject({ supportEnds: support.supportEnds });
  });

  it('upgrades a cluster behind EKS\'s default version on its own, one minor, in its window', async () => {
    const name = 'unattended';
    // A window that is always open: the schedule starts the upgrade a minute after the check.
    const created = await cloud.call('POST', '/clusters', { caller: OWNER, body: { name, version: '1.32', managedNodeGroups: [], addons: [], maintenance: { autoUpgrade: true, window: 'mon-sun 00:00-24:00 UTC' } } });
    expectOneTerminalLast(await cloud.eventsUntilTerminal(String(created.body.operationId)), 'SUCCEEDED');

    const report = await runCheck();
    expect(report.upgrades[name]).toEqual({ scheduled: { version: '1.33', at: expect.any(String) } });
    expect(report.upgrades[NAME]).toEqual({ none: 'not-enabled' });

    const accepted = await waitFor(async () => (await cloud.busEvents<OperationStatusEvent>()).find((e) => e.cluster.name === name && e.operation === 'UPGRADE'));
    expect(accepted.requestedBy).toBe(`arn:aws:iam::${local.world.account}:role/eks-provisioner-maintenance`);
    expectOneTerminalLast(await cloud.eventsUntilTerminal(accepted.operationId, 40_000), 'SUCCEEDED');
    const { cluster } = await cloud.eks.send(new DescribeClusterCommand({ name }));
    expect(cluster?.version).toBe('1.33');
    // At EKS's default now: nothing more to plan.
    expect((await runCheck()).upgrades[name]).toEqual({ none: 'current' });
  }, 60_000);
});

async function waitFor<T>(find: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting for the unattended upgrade to start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
