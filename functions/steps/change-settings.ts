/**
 * Task "Change Settings" (update-cluster, UPDATE_SETTINGS): the settings PATCH /clusters/{name}
 * asked for, against the live cluster (functions/domain/cluster-settings.ts decides). EKS takes
 * one kind of change per UpdateClusterConfig and one update at a time: each update is followed
 * with DescribeUpdate to Successful before the next is asked for, and a setting already live is
 * never sent (EKS refuses a no-op). Tags: the service's stacks are re-tagged with UpdateStack
 * (the user's new tags and the service's ownership tags as they are, and the stack's current
 * template with the user's tags rewritten in its resources' own Tags), then the cluster with
 * TagResource/UntagResource. iam.withOIDC: the IAM OIDC provider's own stack is made or deleted,
 * or the cluster stack updated without the provider it was made with.
 */
import { validateUpdateInput } from '../generated/validators';
import type { Poll, UpdateInput } from '../generated/types';
import { changeFor } from '../domain/change-actions';
import { isStage } from '../domain/cluster-change';
import { planSettingsChange, SETTINGS_UPDATE_STAGES, type LiveAutoModeRoles, type LiveOidcProvider, type LiveSettings, type LiveSettingsState, type LiveStackTags, type SettingsCall } from '../domain/cluster-settings';
import { AUTO_MODE_NODE_ROLE_OUTPUT, OIDC_PROVIDER_OUTPUT, renderAutoModeTemplate, renderOidcTemplate } from '../domain/cluster-template';
import { podIdentityStackPrefix } from '../domain/pod-identity';
import { autoModeStackName, clusterStackName, fargateStackName, idempotencyToken, nodegroupStackPrefix, oidcStackName, TAG_CLUSTER } from '../domain/naming';
import type { Spec } from '../domain/spec';
import { ownedStackRequest, stackTags } from '../step-support/owned-stack';
import { advanceStackDeletion } from '../step-support/stack-teardown';
import { updateErrorsText } from '../domain/status';
import type { Cluster } from '../ports/eks';
import type { StackDescription } from '../ports/cloudformation';
import type { StepDeps } from '../shared/deps';
import { SettingsUpdateFailedError } from '../shared/errors';
import { step } from '../shared/step';
import { ChangeProgress } from '../step-support/update-change';
import { parsedTemplate } from '../step-support/stack-template';
import { settledCluster } from '../step-support/settled';
import { sdkCloudFormation } from '../ports/cloudformation';
import { sdkEks } from '../ports/eks';
import { eventBridgeStatusEvents } from '../ports/status-events';
import { dynamoRegistry } from '../ports/registry';

type Deps = StepDeps<'eks' | 'cloudFormation' | 'events' | 'registry'>;

export async function changeSettings(input: UpdateInput, deps: Deps): Promise<Poll> {
  const { settings } = changeFor(input.change, 'Change Settings');
  const progress = new ChangeProgress(input, deps, 'Change Settings');
  const { cluster } = progress;
  const stage = isStage(input.progress?.stage) ? input.progress.stage : undefined;
  const updateId = stage && SETTINGS_UPDATE_STAGES.includes(stage) ? progress.trackedUpdateId(stage) : undefined;

  const live: Partial<LiveSettingsState> = stage ? { stage } : {};
  // The update first, the cluster after: an update that finished in between is then seen in the cluster too.
  if (updateId) {
    const update = await deps.eks.describeUpdate(cluster, updateId);
    live.update = { status: update?.status ?? 'Unknown', errors: updateErrorsText(update?.errors) };
  }
  // Following our own update, only its status matters; otherwise updates of any origin are waited out first.
  const described = updateId ? await deps.eks.describeCluster(cluster) : (await settledCluster(deps, cluster))?.cluster;
  if (!described) throw new SettingsUpdateFailedError('the cluster no longer exists', { resource: `cluster ${cluster}` });
  live.settings = liveSettings(described);
  live.stacks = settings.tags !== undefined ? await serviceStacks(cluster, deps) : [];
  // Switching Auto Mode on needs its roles first; only then are the stacks read.
  const switchingAutoModeOn = settings.autoMode?.enabled === true && !live.settings.autoMode?.enabled;
  const settingOidc = settings.iam?.withOIDC !== undefined;
  // Both read the cluster stack (its template, outputs and parameters): once for the two.
  const read = switchingAutoModeOn || settingOidc ? await clusterStackOf(cluster, deps) : undefined;
  if (switchingAutoModeOn && read) live.autoModeRoles = await autoModeRoles(cluster, read, deps);
  if (settingOidc && read) live.oidc = await oidcProvider(cluster, read, described, deps);

  return progress.follow(planSettingsChange(settings, live as LiveSettingsState), (call) => make(call, described, input, deps));
}

/** The settings as DescribeCluster reports them. */
export function liveSettings(cluster: Cluster): LiveSettings {
  const encryption = cluster.encryptionConfig?.find((config) => config.resources?.includes('secrets'));
  return {
    logging: (cluster.logging?.clusterLogging ?? []).filter((setup) => setup.enabled).flatMap((setup) => setup.types ?? []),
    tags: cluster.tags ?? {},
    deletionProtection: cluster.deletionProtection ?? false,
    ...(cluster.upgradePolicy?.supportType ? { supportType: cluster.upgradePolicy.supportType } : {}),
    zonalShift: cluster.zonalShiftConfig?.enabled ?? false,
    ...(cluster.accessConfig?.authenticationMode ? { authenticationMode: cluster.accessConfig.authenticationMode } : {}),
    ...(encryption?.provider?.keyArn ? { encryptionKeyArn: encryption.provider.keyArn } : {}),
    ...(cluster.computeConfig
      ? { autoMode: { enabled: cluster.computeConfig.enabled ?? false, nodePools: cluster.computeConfig.nodePools ?? [], ...(cluster.computeConfig.nodeRoleArn ? { nodeRoleArn: cluster.computeConfig.nodeRoleArn } : {}) } }
      : {}),
  };
}

/**
 * The cluster stack (its template and tags: the cluster role's policies are changed through it)
 * and the Auto Mode node role, from the cluster stack's output (made with Auto Mode) or the Auto
 * Mode stack's (left unread when the cluster stack is gone or not this cluster's).
 */
async function autoModeRoles(cluster: string, read: ClusterStackRead, deps: Deps): Promise<LiveAutoModeRoles> {
  const { stack, clusterStack } = read;
  const mine = await ownStack(autoModeStackName(cluster), cluster, deps);
  const nodeRoleArn = stack.outputs[AUTO_MODE_NODE_ROLE_OUTPUT] ?? mine?.outputs[AUTO_MODE_NODE_ROLE_OUTPUT];
  return { clusterStack, ...(nodeRoleArn ? { nodeRoleArn } : {}), ...(mine ? { autoModeStack: { stackName: mine.stackName, status: mine.status } } : {}) };
}

/** The cluster stack as its template changes go (its template, tags and parameter keys); undefined when it is gone or not this cluster's. */
interface ClusterStackRead {
  stack: StackDescription;
  clusterStack: LiveAutoModeRoles['clusterStack'];
}

async function clusterStackOf(cluster: string, deps: Deps): Promise<ClusterStackRead | undefined> {
  const stackName = clusterStackName(cluster);
  const stack = await deps.cloudFormation.describeStack(stackName);
  if (!stack || stack.tags[TAG_CLUSTER] !== cluster || stack.status.startsWith('DELETE')) return undefined;
  const template = /_IN_PROGRESS$/.test(stack.status) ? undefined : parsedTemplate(await deps.cloudFormation.getTemplate(stackName));
  const parameters = template?.Parameters;
  return { stack, clusterStack: { stackName, status: stack.status, tags: stack.tags, parameterKeys: parameters && typeof parameters === 'object' ? Object.keys(parameters) : [], ...(template ? { template } : {}) } };
}

/** A stack of the service's for this cluster, deleted ones not counted; a stack of that name another cluster owns is not ours. */
async function ownStack(stackName: string, cluster: string, deps: Deps, { deleting = false } = {}): Promise<StackDescription | undefined> {
  const stack = await deps.cloudFormation.describeStack(stackName);
  if (!stack || stack.tags[TAG_CLUSTER] !== cluster) return undefined;
  const gone = deleting ? stack.status === 'DELETE_COMPLETE' : stack.status.startsWith('DELETE');
  return gone ? undefined : stack;
}

/**
 * Where the cluster's IAM OIDC provider is: the cluster stack's output (made with iam.withOIDC) or
 * the OIDC stack (one being deleted included, to be waited out), and the issuer it is for.
 */
async function oidcProvider(cluster: string, read: ClusterStackRead, described: Cluster, deps: Deps): Promise<LiveOidcProvider> {
  const own = await ownStack(oidcStackName(cluster), cluster, deps, { deleting: true });
  const issuerUrl = described.identity?.oidc?.issuer;
  return {
    clusterStack: read.clusterStack,
    inClusterStack: read.stack.outputs[OIDC_PROVIDER_OUTPUT] !== undefined,
    ...(own ? { oidcStack: { stackName: own.stackName, status: own.status } } : {}),
    ...(issuerUrl ? { issuerUrl } : {}),
  };
}

/** The cluster stack, nodegroup stacks, the Fargate stack, the Auto Mode stack, the OIDC stack and Pod Identity role stacks that this cluster owns (a stack of the same name another cluster owns is not ours). */
async function serviceStacks(cluster: string, deps: Deps): Promise<LiveStackTags[]> {
  const nodegroupStacks = (await deps.cloudFormation.listStacks(nodegroupStackPrefix(cluster))).map((s) => s.stackName);
  const podIdentityStacks = (await deps.cloudFormation.listStacks(podIdentityStackPrefix(cluster))).map((s) => s.stackName);
  const names = [clusterStackName(cluster), ...nodegroupStacks, fargateStackName(cluster), autoModeStackName(cluster), oidcStackName(cluster), ...podIdentityStacks];
  const stacks: LiveStackTags[] = [];
  for (const name of names) {
    const stack = await deps.cloudFormation.describeStack(name);
    if (!stack || stack.tags[TAG_CLUSTER] !== cluster || stack.status.startsWith('DELETE')) continue;
    // A stack still updating is waited for before its template matters.
    const template = /_IN_PROGRESS$/.test(stack.status) ? undefined : parsedTemplate(await deps.cloudFormation.getTemplate(name));
    stacks.push({ stackName: name, status: stack.status, tags: stack.tags, ...(template ? { template } : {}) });
  }
  return stacks;
}

/** Makes one call; answers the update id of an EKS update. */
async function make(call: SettingsCall, cluster: Cluster, input: UpdateInput, deps: Deps): Promise<string | undefined> {
  const name = input.operation.cluster.name;
  // Each distinct call its own token: two steps of authentication mode are two updates.
  const token = (what: unknown) => idempotencyToken(input.operation.id, 'update-settings', JSON.stringify(what));
  switch (call.call) {
    case 'updateClusterConfig':
      return deps.eks.updateClusterConfig(name, call.config, token(call.config));
    case 'associateEncryptionConfig':
      return deps.eks.associateEncryptionConfig(name, call.kmsKeyArn, token(call));
    case 'createAutoModeStack': {
      const stackName = autoModeStackName(name);
      const spec = input.spec as Spec;
      const tags = stackTags(input.operation, spec);
      const template = renderAutoModeTemplate({ clusterName: name, stackName, tags, permissionsBoundaryArn: deps.settings.permissionsBoundaryArn() });
      await deps.cloudFormation.createStack(ownedStackRequest(input.operation, spec, { stackName, template, tags, step: 'create-automode-stack', roleArn: deps.settings.cloudFormationRoleArn() }));
      return undefined;
    }
    case 'createOidcStack': {
      const stackName = oidcStackName(name);
      const spec = input.spec as Spec;
      const tags = stackTags(input.operation, spec);
      const template = renderOidcTemplate({ clusterName: name, stackName, issuerUrl: call.issuerUrl, tags, permissionsBoundaryArn: deps.settings.permissionsBoundaryArn() });
      await deps.cloudFormation.createStack(ownedStackRequest(input.operation, spec, { stackName, template, tags, step: 'create-oidc-stack', roleArn: deps.settings.cloudFormationRoleArn() }));
      return undefined;
    }
    case 'deleteOidcStack': {
      // Termination protection off first, as every stack of the service is made with it on.
      const stackName = oidcStackName(name);
      const teardown = await advanceStackDeletion(stackName, token(call), deps, { ownedBy: name, deleteAgainIfFailed: true });
      if (teardown.progress === 'refused' || teardown.progress === 'failed') throw new SettingsUpdateFailedError(teardown.reason, { resource: `stack ${stackName}` });
      return undefined;
    }
    case 'updateStackTags':
      await deps.cloudFormation.updateStackTags({
        stackName: call.stackName,
        tags: call.tags,
        ...(call.template ? { template: { body: JSON.stringify(call.template.template), parameterKeys: call.template.parameterKeys } } : {}),
        clientRequestToken: token(call),
        roleArn: deps.settings.cloudFormationRoleArn(),
      });
      return undefined;
    case 'untagCluster':
      await deps.eks.untagResource(clusterArn(cluster, name), call.keys);
      return undefined;
    case 'tagCluster':
      await deps.eks.tagResource(clusterArn(cluster, name), call.tags);
      return undefined;
  }
}

function clusterArn(cluster: Cluster, name: string): string {
  if (!cluster.arn) throw new SettingsUpdateFailedError('DescribeCluster gave no ARN to tag', { resource: `cluster ${name}` });
  return cluster.arn;
}

export const handler = step(validateUpdateInput, { eks: sdkEks, cloudFormation: sdkCloudFormation, events: eventBridgeStatusEvents, registry: dynamoRegistry }, changeSettings);
