/**
 * The version support check, run daily on a schedule (an EventBridge rule in AWS; every emulated
 * day in local mode): for each ACTIVE cluster of the registry, the support of its Kubernetes
 * version (functions/domain/version-support.ts, from one DescribeClusterVersions per run) and the
 * 90-, 30- or 7-day notice now due, put on the service bus as "EKS Cluster Version Support Ending";
 * and, for a cluster with unattended upgrades, the next one scheduled in its maintenance window
 * (unattended-upgrades.ts).
 *
 * A notice is claimed in the registry before it goes on the bus and marked sent after; a notice
 * the bus refuses is given back for the next run. So a second run the same day, or two runs at
 * once, send nothing twice. A run that dies between its claim and its send leaves the notice to a
 * run after NOTICE_CLAIM_STALE_SECONDS (the next day's).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { EventBridgeEvent } from 'aws-lambda';
import { supportEndingNotices, supportTypeOf, versionSupport, versionSupportEndingEvent, type KubernetesVersionInfo, type NoticeThreshold } from '../domain/version-support';
import { sdkEks } from '../ports/eks';
import type { ClusterRecord } from '../ports/registry';
import { dynamoRegistry } from '../ports/registry';
import { sdkSchedules } from '../ports/schedules';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { wire, type StepDeps } from '../shared/deps';
import { logger } from '../shared/logger';
import type { Where } from './settle';
import { planUnattendedUpgrade, type UnattendedVerdict } from './unattended-upgrades';

/** A claim this old without its notice sent is a run that died in between: another run may send it. */
export const NOTICE_CLAIM_STALE_SECONDS = 60 * 60;
/** Clusters read per registry page. */
const PAGE = 50;

export type NoticeVerdict =
  | { verdict: 'sent'; version: string; threshold: NoticeThreshold }
  | { verdict: 'not-due' | 'already-sent' | 'unknown-version' | 'error'; version?: string };

export interface VersionCheckReport {
  /** ACTIVE cluster name → what this run found or did about its notices. */
  clusters: Record<string, NoticeVerdict>;
  /** ACTIVE cluster name → the unattended upgrade this run scheduled, or why none. */
  upgrades: Record<string, UnattendedVerdict | { none: 'error' }>;
}

type CheckDeps = StepDeps<'eks' | 'events' | 'registry' | 'schedules'>;

export async function checkVersionSupport(deps: CheckDeps, where: Where): Promise<VersionCheckReport> {
  // Without the catalogue nothing can be said: the run fails, and the schedule's retry or the next day's run tries again.
  const versions = await deps.eks.clusterVersions();
  const report: VersionCheckReport = { clusters: {}, upgrades: {} };
  let cursor: string | undefined;
  do {
    const page = await deps.registry.listClusters({ limit: PAGE, ...(cursor ? { cursor } : {}) });
    for (const cluster of page.items.filter((c) => c.status === 'ACTIVE')) {
      try {
        report.clusters[cluster.name] = await checkCluster(deps, cluster, versions, where);
      } catch (error) {
        // One cluster's trouble must not cost the others their notice; the next run tries again.
        logger.warn('could not check a cluster\'s version support', { cluster: cluster.name, errorName: (error as Error).name, errorMessage: (error as Error).message });
        report.clusters[cluster.name] = { verdict: 'error' };
      }
      try {
        report.upgrades[cluster.name] = await planUnattendedUpgrade(deps, cluster, versions);
      } catch (error) {
        logger.warn('could not schedule a cluster\'s unattended upgrade', { cluster: cluster.name, errorName: (error as Error).name, errorMessage: (error as Error).message });
        report.upgrades[cluster.name] = { none: 'error' };
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return report;
}

async function checkCluster(deps: CheckDeps, cluster: ClusterRecord, versions: KubernetesVersionInfo[], where: Where): Promise<NoticeVerdict> {
  const now = deps.clock();
  const version = (cluster.spec as { version?: string } | undefined)?.version;
  const support = version ? versionSupport(now, version, supportTypeOf(cluster.spec), versions) : undefined;
  if (!version || !support) return { verdict: 'unknown-version', ...(version ? { version } : {}) };
  const about = { cluster: cluster.name, clusterCreatedAt: cluster.createdAt, version, ending: support.ending };
  const [threshold] = supportEndingNotices(now, support.supportEnds, await deps.registry.versionNoticesSent(about));
  if (threshold === undefined) return { verdict: 'not-due', version };
  const notice = { ...about, threshold };
  const staleBefore = new Date(now.getTime() - NOTICE_CLAIM_STALE_SECONDS * 1000).toISOString();
  if (!(await deps.registry.claimVersionNotice(notice, now.toISOString(), staleBefore))) return { verdict: 'already-sent', version };
  try {
    await deps.events.publishVersionSupportEnding(versionSupportEndingEvent({ name: cluster.name, region: where.region, account: where.account }, cluster.createdAt, support, threshold, now));
  } catch (error) {
    await deps.registry.releaseVersionNotice(notice);
    throw error;
  }
  await deps.registry.markVersionNoticeSent(notice, deps.clock().toISOString());
  logger.info('version support notice sent', { cluster: cluster.name, version, ending: support.ending, threshold });
  return { verdict: 'sent', version, threshold };
}

const deps = wire({ eks: sdkEks, events: eventBridgeStatusEvents, registry: dynamoRegistry, schedules: sdkSchedules });

/** Invoked by an EventBridge schedule rule: its event names the account and region. */
export const handler = middy((event: EventBridgeEvent<string, unknown>) => checkVersionSupport(deps(), { region: event.region, account: event.account })).use(injectLambdaContext(logger, { resetKeys: true }));
