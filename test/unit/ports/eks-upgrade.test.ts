/** The EKS calls of the upgrade workflow (functions/ports/eks.ts) against a mocked SDK client. */
import {
  DeleteAddonCommand,
  DescribeAddonVersionsCommand,
  DescribeInsightCommand,
  DescribeInsightsRefreshCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListInsightsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  StartInsightsRefreshCommand,
  UpdateAddonCommand,
  UpdateClusterVersionCommand,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { SdkEks } from '../../../functions/ports/eks';
import { metadata, rejectionOf } from './port-helpers';

const CLUSTER = 'demo';

function setup() {
  const client = new EKSClient({ region: 'us-east-1' });
  return { mock: mockClient(client), port: new SdkEks(() => client) };
}

describe('SdkEks upgrade calls', () => {
  it('UpdateClusterVersion sends the version with its token and returns the update id', async () => {
    const { mock, port } = setup();
    mock.on(UpdateClusterVersionCommand).resolves({ update: { id: 'u-1', type: 'VersionUpdate', status: 'InProgress' } });

    await expect(port.updateClusterVersion(CLUSTER, '1.33', 'eksp-token')).resolves.toBe('u-1');
    expect(mock).toHaveReceivedCommandWith(UpdateClusterVersionCommand, { name: CLUSTER, version: '1.33', clientRequestToken: 'eksp-token' });
  });

  it.each([
    ['updateClusterVersion', UpdateClusterVersionCommand, (port: SdkEks) => port.updateClusterVersion(CLUSTER, '1.33', 't'), 'cluster demo'],
    ['updateNodegroupVersion', UpdateNodegroupVersionCommand, (port: SdkEks) => port.updateNodegroupVersion(CLUSTER, 'ng-1', { version: '1.33', force: false }, 't'), 'nodegroup ng-1'],
    ['updateAddon', UpdateAddonCommand, (port: SdkEks) => port.updateAddon(CLUSTER, 'coredns', { version: 'v1.12.1-eksbuild.2' }, 't'), 'add-on coredns'],
  ] as const)('%s turns the 409 "update in progress" into the retryable UpdateInProgressError, naming the resource', async (_name, command, call, resource) => {
    const { mock, port } = setup();
    mock.on(command as never).rejects(new ResourceInUseException({ $metadata: { ...metadata, httpStatusCode: 409 }, message: 'update 8ea4c9a2 in progress' }));

    const error = await rejectionOf(call(port));

    expect(error.name).toBe('UpdateInProgressError');
    expect(error.message).toBe(`${resource}: update 8ea4c9a2 in progress`);
  });

  it('UpdateNodegroupVersion passes force; UpdateAddon keeps the cluster’s configuration changes (PRESERVE)', async () => {
    const { mock, port } = setup();
    mock.on(UpdateNodegroupVersionCommand).resolves({ update: { id: 'u-ng' } }).on(UpdateAddonCommand).resolves({ update: { id: 'u-addon' } });

    await port.updateNodegroupVersion(CLUSTER, 'ng-1', { version: '1.33', force: true }, 'eksp-ng');
    await port.updateAddon(CLUSTER, 'coredns', { version: 'v1.12.1-eksbuild.2' }, 'eksp-addon');

    expect(mock).toHaveReceivedCommandWith(UpdateNodegroupVersionCommand, { clusterName: CLUSTER, nodegroupName: 'ng-1', version: '1.33', force: true, clientRequestToken: 'eksp-ng' });
    expect(mock).toHaveReceivedCommandWith(UpdateAddonCommand, { clusterName: CLUSTER, addonName: 'coredns', addonVersion: 'v1.12.1-eksbuild.2', resolveConflicts: 'PRESERVE', clientRequestToken: 'eksp-addon' });
  });

  it('UpdateAddon sends only the fields asked for; DescribeUpdate of an add-on names it; DeleteAddon passes preserve', async () => {
    const { mock, port } = setup();
    mock.on(UpdateAddonCommand).resolves({ update: { id: 'u-addon' } }).on(DescribeUpdateCommand).resolves({ update: { id: 'u-addon', status: 'Successful' } }).on(DeleteAddonCommand).resolves({});

    await port.updateAddon(CLUSTER, 'coredns', { configurationValues: '{"replicaCount":3}' }, 'eksp-config');
    const update = await port.describeAddonUpdate(CLUSTER, 'coredns', 'u-addon');
    await port.deleteAddon(CLUSTER, 'coredns', { preserve: true });

    expect(mock.commandCalls(UpdateAddonCommand)[0]!.args[0].input).toEqual({ clusterName: CLUSTER, addonName: 'coredns', configurationValues: '{"replicaCount":3}', resolveConflicts: 'PRESERVE', clientRequestToken: 'eksp-config' });
    expect(mock).toHaveReceivedCommandWith(DescribeUpdateCommand, { name: CLUSTER, updateId: 'u-addon', addonName: 'coredns' });
    expect(update?.status).toBe('Successful');
    expect(mock).toHaveReceivedCommandWith(DeleteAddonCommand, { clusterName: CLUSTER, addonName: 'coredns', preserve: true });
  });

  it('starts and describes an insights refresh', async () => {
    const { mock, port } = setup();
    mock.on(StartInsightsRefreshCommand).resolves({ status: 'IN_PROGRESS', message: 'Insights refresh started' }).on(DescribeInsightsRefreshCommand).resolves({ status: 'COMPLETED', startedAt: new Date('2026-11-21T10:00:00Z') });

    await expect(port.startInsightsRefresh(CLUSTER)).resolves.toEqual({ status: 'IN_PROGRESS', message: 'Insights refresh started' });
    await expect(port.describeInsightsRefresh(CLUSTER)).resolves.toEqual({ status: 'COMPLETED', startedAt: '2026-11-21T10:00:00.000Z' });
  });

  it('lists insights of the asked categories and versions across pages, and describes a missing one as undefined', async () => {
    const { mock, port } = setup();
    mock
      .on(ListInsightsCommand, { clusterName: CLUSTER, nextToken: undefined })
      .resolves({ insights: [{ id: 'i-1' }], nextToken: 't2' })
      .on(ListInsightsCommand, { clusterName: CLUSTER, nextToken: 't2' })
      .resolves({ insights: [{ id: 'i-2' }] })
      .on(DescribeInsightCommand)
      .rejects(new ResourceNotFoundException({ $metadata: { ...metadata, httpStatusCode: 404 }, message: 'No insight' }));

    await expect(port.listInsights(CLUSTER, { categories: ['UPGRADE_READINESS'], kubernetesVersions: ['1.32', '1.33'] })).resolves.toEqual([{ id: 'i-1' }, { id: 'i-2' }]);
    expect(mock).toHaveReceivedCommandWith(ListInsightsCommand, { clusterName: CLUSTER, filter: { categories: ['UPGRADE_READINESS'], kubernetesVersions: ['1.32', '1.33'] } });
    await expect(port.describeInsight(CLUSTER, 'i-9')).resolves.toBeUndefined();
  });

  it('reads every version of an add-on for every Kubernetes version, across pages', async () => {
    const { mock, port } = setup();
    mock
      .on(DescribeAddonVersionsCommand, { addonName: 'coredns', nextToken: undefined })
      .resolves({ addons: [{ addonName: 'coredns', addonVersions: [{ addonVersion: 'v1.11.4-eksbuild.2', compatibilities: [{ clusterVersion: '1.32', defaultVersion: true }] }] }], nextToken: 't2' })
      .on(DescribeAddonVersionsCommand, { addonName: 'coredns', nextToken: 't2' })
      .resolves({ addons: [{ addonName: 'coredns', addonVersions: [{ addonVersion: 'v1.12.1-eksbuild.2', compatibilities: [{ clusterVersion: '1.33', defaultVersion: true }] }] }] });

    const info = await port.addonVersions('coredns');

    expect(info?.addonVersions?.map((v) => v.addonVersion)).toEqual(['v1.11.4-eksbuild.2', 'v1.12.1-eksbuild.2']);
  });
});
