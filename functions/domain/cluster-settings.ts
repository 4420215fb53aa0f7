/**
 * PATCH /clusters/{name}: the running cluster's settings (logging, tags, deletion protection,
 * upgrade policy, zonal shift, authentication mode, secrets encryption, maintenance) and the rules
 * EKS puts on changing them, then update-cluster's "Change Settings" decisions against the live
 * cluster. `maintenance` is the service's own (when it may upgrade the cluster): nothing in AWS
 * holds it, so it takes no call and lands in the registry with the rest of the spec.
 *
 * EKS takes one kind of change per UpdateClusterConfig and one update at a time, and refuses an
 * update that changes nothing: the planner sends the first setting that differs, follows its
 * update to Successful, then looks again. Tags are not an update: the service's stacks are
 * re-tagged (UpdateStack with the new stack tags and the stack's current template with the
 * user's tags rewritten in its resources' own Tags, template-tags.ts: a resource's own tags win
 * over stack tags), then the cluster itself (TagResource/UntagResource), last because a stack
 * update puts the template's own resource tags back on the cluster.
 *
 * iam.withOIDC (the IAM OIDC provider IRSA needs) is not EKS's either: switched on, the provider
 * gets a stack of its own (`eksp-<cluster>-oidc`, the cluster's issuer from DescribeCluster);
 * switched off, that stack is deleted, or, for a provider made with the cluster, the cluster stack
 * is updated without it (CloudFormation deletes a resource an update removes).
 */
import { apply, failed, IN_SYNC, refused, wait, type NextStep, type Stage } from './cluster-change';
import { OIDC_PROVIDER, RESOURCE_TAGS, withAutoModeClusterPolicies, withoutOidcProvider } from './cluster-template';
import { SERVICE_TAG_PREFIX } from './naming';
import type { ClusterSettings, Spec } from './spec';
import { stackCreateProgress, updateProgress } from './status';
import { retagTemplate } from './template-tags';
import type { SpecProblem } from '../shared/errors';

type AuthenticationMode = Spec['authenticationMode'];
type SupportType = NonNullable<Spec['upgradePolicy']>['supportType'];

/** EKS moves authentication forward only, one step at a time: CONFIG_MAP → API_AND_CONFIG_MAP → API. */
export const AUTHENTICATION_MODE_ORDER: readonly AuthenticationMode[] = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'];

/**
 * What a PATCH may not do whatever the rest of the spec says (EKS's rules): move authentication
 * back, or change or remove secrets encryption once it is on. Values the schema refuses anyway
 * are left to it.
 */
export function settingsTransitionProblems(current: Spec, asked: Record<string, unknown>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const mode = asked.authenticationMode;
  if (typeof mode === 'string' && AUTHENTICATION_MODE_ORDER.includes(mode as AuthenticationMode)) {
    if (AUTHENTICATION_MODE_ORDER.indexOf(mode as AuthenticationMode) < AUTHENTICATION_MODE_ORDER.indexOf(current.authenticationMode)) {
      problems.push({ pointer: '/authenticationMode', message: `can only move forward (CONFIG_MAP → API_AND_CONFIG_MAP → API), not from ${current.authenticationMode} back to ${mode} (EKS rule)` });
    }
  }
  if ('secretsEncryption' in asked && current.secretsEncryption) {
    const key = (asked.secretsEncryption as { kmsKeyArn?: unknown } | null)?.kmsKeyArn;
    if (key !== current.secretsEncryption.kmsKeyArn) {
      problems.push({ pointer: '/secretsEncryption', message: `secrets encryption is on with ${current.secretsEncryption.kmsKeyArn}: once enabled it cannot be changed or removed (EKS rule)` });
    }
  }
  return problems;
}

// ── Live state ───────────────────────────────────────────────────────────────────────────────

/** The settings as DescribeCluster reports them. */
export interface LiveSettings {
  /** The control-plane log types enabled. */
  logging: string[];
  tags: Record<string, string>;
  deletionProtection: boolean;
  supportType?: string;
  zonalShift: boolean;
  authenticationMode?: string;
  /** The KMS key secrets are encrypted with, when they are. */
  encryptionKeyArn?: string;
  /** EKS Auto Mode's compute as DescribeCluster reports it (absent: never had it, off). */
  autoMode?: AutoModeSetting;
}

/** Auto Mode as UpdateClusterConfig sets it: compute, with block storage and load balancing following. */
export interface AutoModeSetting {
  enabled: boolean;
  nodePools: string[];
  nodeRoleArn?: string;
}

/**
 * What switching Auto Mode on needs before the EKS update: the cluster stack (its cluster role
 * gets the Auto Mode policies) and the node role, which is the cluster stack's when the cluster
 * was made with Auto Mode, else the Auto Mode stack's.
 */
export interface LiveAutoModeRoles {
  clusterStack: LiveStackTags & { parameterKeys: string[] };
  /** The node role ARN from either stack's AutoModeNodeRoleArn output, once there is one. */
  nodeRoleArn?: string;
  /** The Auto Mode stack, when it exists. */
  autoModeStack?: { stackName: string; status: string };
}

/** One of the service's stacks of the cluster (the cluster stack, nodegroup and Fargate stacks). */
export interface LiveStackTags {
  stackName: string;
  status: string;
  tags: Record<string, string>;
  /** The stack's current template (GetTemplate), parsed; absent when it is not JSON (not one the service rendered), then only the stack tags change. */
  template?: Record<string, unknown>;
}

/**
 * Where the cluster's IAM OIDC provider is: the cluster stack (made with iam.withOIDC), whose
 * template is changed to remove it, or the OIDC stack (switched on later).
 */
export interface LiveOidcProvider {
  clusterStack: LiveStackTags & { parameterKeys: string[] };
  /** The cluster stack has the provider's output: the provider was made with the cluster. */
  inClusterStack: boolean;
  /** The OIDC stack, when it exists (DELETE_IN_PROGRESS included: it is waited out). */
  oidcStack?: { stackName: string; status: string };
  /** The cluster's OIDC issuer (DescribeCluster identity.oidc.issuer), the provider's URL. */
  issuerUrl?: string;
}

export interface LiveSettingsState {
  settings: LiveSettings;
  stacks: LiveStackTags[];
  /** The EKS update this change started last (Poll.updateId), as DescribeUpdate reports it. */
  update?: { status: string; errors?: string };
  /** The stage the change was waiting for at the last look. */
  stage?: Stage;
  /** Read only when the change switches Auto Mode on. */
  autoModeRoles?: LiveAutoModeRoles;
  /** Read only when the change sets iam.withOIDC; absent then when the cluster stack is gone or not this cluster's. */
  oidc?: LiveOidcProvider;
}

// ── Decisions ────────────────────────────────────────────────────────────────────────────────

/** One UpdateClusterConfig holds one of these (EKS refuses two kinds in one call). */
export type ClusterConfigChange =
  | { logging: { enable: string[]; disable: string[] } }
  | { deletionProtection: boolean }
  | { supportType: SupportType }
  | { zonalShift: boolean }
  | { authenticationMode: AuthenticationMode }
  | { autoMode: AutoModeSetting };

export type SettingsCall =
  | { call: 'updateClusterConfig'; config: ClusterConfigChange }
  | { call: 'associateEncryptionConfig'; kmsKeyArn: string }
  /** The Auto Mode stack (the node role of a cluster made without Auto Mode). */
  | { call: 'createAutoModeStack' }
  /** The OIDC stack: the cluster's IAM OIDC provider for `issuerUrl`. */
  | { call: 'createOidcStack'; issuerUrl: string }
  | { call: 'deleteOidcStack' }
  /** New stack tags; with `template`, also that template (the current one, its resources' user tags rewritten). */
  | { call: 'updateStackTags'; stackName: string; tags: Record<string, string>; template?: StackTemplateChange }
  | { call: 'untagCluster'; keys: string[] }
  | { call: 'tagCluster'; tags: Record<string, string> };

/** A stack's template with the user's tags rewritten; its parameters keep their values (UsePreviousValue). */
export interface StackTemplateChange {
  template: Record<string, unknown>;
  parameterKeys: string[];
  /** The resources whose tags change (or whose declaration changes or goes), for the reader of a plan. */
  resources: string[];
}

/** The stage an EKS update of each kind is followed in. */
const UPDATE_STAGES = {
  logging: 'loggingUpdate',
  deletionProtection: 'deletionProtectionUpdate',
  supportType: 'upgradePolicyUpdate',
  zonalShift: 'zonalShiftUpdate',
  authenticationMode: 'authenticationModeUpdate',
  autoMode: 'autoModeUpdate',
} as const satisfies Record<string, Stage>;

export const SETTINGS_UPDATE_STAGES: Stage[] = [...Object.values(UPDATE_STAGES), 'encryptionUpdate'];

/**
 * The next thing Change Settings does: follow the update it started, or start the next one EKS
 * needs, or re-tag the stacks, or the cluster; IN_SYNC once everything asked for is live.
 */
export function planSettingsChange(settings: ClusterSettings, live: LiveSettingsState): NextStep<SettingsCall> {
  if (live.update && live.stage) {
    const progress = updateProgress(live.update.status);
    if (progress === 'pending') return wait(live.stage, live.update.status);
    if (progress === 'failed') return failed(live.stage, `update ${live.update.status}: ${live.update.errors || 'EKS gave no reason'}`);
  }
  const update = nextClusterUpdate(settings, live.settings) ?? nextAutoModeStep(settings.autoMode, live) ?? nextOidcStep(settings.iam, live);
  if (update) return update;
  if (settings.tags === undefined) return IN_SYNC;
  const stacks = nextStackTags(settings.tags, live);
  if (stacks) return stacks;
  return clusterTags(settings.tags, live.settings.tags);
}

/** The first setting EKS must change, in a fixed order; undefined when all are live. */
function nextClusterUpdate(settings: ClusterSettings, live: LiveSettings): NextStep<SettingsCall> | undefined {
  const config = (change: ClusterConfigChange, stage: Stage) => apply(stage, { call: 'updateClusterConfig', config: change });
  if (settings.logging) {
    const wanted = new Set<string>(settings.logging);
    const enabled = new Set(live.logging);
    const enable = [...wanted].filter((type) => !enabled.has(type)).sort();
    const disable = [...enabled].filter((type) => !wanted.has(type)).sort();
    if (enable.length > 0 || disable.length > 0) return config({ logging: { enable, disable } }, UPDATE_STAGES.logging);
  }
  if (settings.deletionProtection !== undefined && settings.deletionProtection !== live.deletionProtection) {
    return config({ deletionProtection: settings.deletionProtection }, UPDATE_STAGES.deletionProtection);
  }
  // EKS's default is EXTENDED: a cluster that never set a policy reports none on older answers.
  if (settings.upgradePolicy && settings.upgradePolicy.supportType !== (live.supportType ?? 'EXTENDED')) {
    return config({ supportType: settings.upgradePolicy.supportType }, UPDATE_STAGES.supportType);
  }
  if (settings.zonalShift && settings.zonalShift.enabled !== live.zonalShift) return config({ zonalShift: settings.zonalShift.enabled }, UPDATE_STAGES.zonalShift);
  if (settings.authenticationMode) {
    const next = nextAuthenticationMode(live.authenticationMode, settings.authenticationMode);
    if (next === 'backward') return refused(`is in authenticationMode ${live.authenticationMode}, which cannot move back to ${settings.authenticationMode} (EKS rule)`);
    if (next) return config({ authenticationMode: next }, UPDATE_STAGES.authenticationMode);
  }
  if (settings.secretsEncryption) {
    const key = settings.secretsEncryption.kmsKeyArn;
    if (live.encryptionKeyArn === undefined) return apply('encryptionUpdate', { call: 'associateEncryptionConfig', kmsKeyArn: key });
    if (live.encryptionKeyArn !== key) return refused(`encrypts secrets with ${live.encryptionKeyArn}, which cannot be changed to ${key} (EKS rule)`);
  }
  return undefined;
}

/**
 * Auto Mode, after the authentication mode (it needs an API mode). Switching on: the cluster stack
 * update that gives the cluster role its Auto Mode policies (CloudFormation attaches AWS managed
 * policies only through the role's own declaration), the node role (the Auto Mode stack, unless
 * the cluster stack has one), then one UpdateClusterConfig with compute, storage and load
 * balancing together. Switching off, or changing the node pools: that update alone; the roles
 * stay, unused, so switching on again needs no stack.
 */
function nextAutoModeStep(wanted: ClusterSettings['autoMode'], live: LiveSettingsState): NextStep<SettingsCall> | undefined {
  if (!wanted) return undefined;
  const current = live.settings.autoMode;
  const config = (autoMode: AutoModeSetting) => apply(UPDATE_STAGES.autoMode, { call: 'updateClusterConfig', config: { autoMode } });
  if (!wanted.enabled) return current?.enabled ? config({ enabled: false, nodePools: [] }) : undefined;
  if (current?.enabled) {
    const same = [...current.nodePools].sort().join() === [...wanted.nodePools].sort().join();
    return same ? undefined : config({ enabled: true, nodePools: [...wanted.nodePools], ...(current.nodeRoleArn ? { nodeRoleArn: current.nodeRoleArn } : {}) });
  }
  const roles = live.autoModeRoles;
  if (!roles) return refused('has no cluster stack the service can read, so the roles Auto Mode needs cannot be made');
  const stack = roles.clusterStack;
  if (/_IN_PROGRESS$/.test(stack.status)) return wait('autoModeRoles', `${stack.stackName} ${stack.status}`);
  if (live.stage === 'autoModeRoles' && stack.status.startsWith('UPDATE_ROLLBACK')) return failed('autoModeRoles', `${stack.stackName} ${stack.status}`);
  if (!stack.template) return refused(`has cluster stack ${stack.stackName} whose template is not one the service rendered, so its cluster role cannot be given the Auto Mode policies`);
  const template = withAutoModeClusterPolicies(stack.template);
  if (template) {
    const usable = stackCreateProgress(stack.status) === 'ready' || ['UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'].includes(stack.status);
    if (!usable) return refused(`has stack ${stack.stackName} in ${stack.status}, which CloudFormation cannot update`);
    return apply('autoModeRoles', { call: 'updateStackTags', stackName: stack.stackName, tags: stack.tags, template: { template, parameterKeys: stack.parameterKeys, resources: ['ServiceRole'] } });
  }
  if (!roles.nodeRoleArn) {
    const own = roles.autoModeStack;
    if (!own) return apply('autoModeRoles', { call: 'createAutoModeStack' });
    if (/_IN_PROGRESS$/.test(own.status)) return wait('autoModeRoles', `${own.stackName} ${own.status}`);
    return failed('autoModeRoles', `${own.stackName} ${own.status} without a node role`);
  }
  return config({ enabled: true, nodePools: [...wanted.nodePools], nodeRoleArn: roles.nodeRoleArn });
}

/**
 * The IAM OIDC provider, after EKS's own settings. On: in sync when the cluster stack holds it or
 * the OIDC stack is complete; otherwise the OIDC stack is made (one left rolled back by an earlier
 * attempt is deleted first: CloudFormation does not create over it). Off: the OIDC stack is
 * deleted, and a provider the cluster stack holds goes with an update of that stack.
 */
function nextOidcStep(wanted: ClusterSettings['iam'], live: LiveSettingsState): NextStep<SettingsCall> | undefined {
  if (wanted?.withOIDC === undefined) return undefined;
  const oidc = live.oidc;
  if (!oidc) return refused('has no cluster stack the service can read, so where its IAM OIDC provider is cannot be known');
  const own = oidc.oidcStack;
  const busy = (stack: { stackName: string; status: string }) => /_IN_PROGRESS$/.test(stack.status);
  if (own && live.stage === 'oidcProviderDelete' && own.status === 'DELETE_FAILED') return failed('oidcProviderDelete', `${own.stackName} ${own.status}`);
  if (wanted.withOIDC) {
    if (oidc.inClusterStack) return undefined;
    if (own && busy(own)) return wait(own.status.startsWith('DELETE') ? 'oidcProviderDelete' : 'oidcProvider', `${own.stackName} ${own.status}`);
    // A stack whose last update rolled back still holds its provider: nothing to do.
    if (own && (stackCreateProgress(own.status) === 'ready' || own.status === 'UPDATE_ROLLBACK_COMPLETE')) return undefined;
    if (own && live.stage === 'oidcProvider') return failed('oidcProvider', `${own.stackName} ${own.status}`);
    if (own) return apply('oidcProviderDelete', { call: 'deleteOidcStack' });
    if (!oidc.issuerUrl) return refused('reports no OIDC issuer, which its IAM OIDC provider would be for');
    return apply('oidcProvider', { call: 'createOidcStack', issuerUrl: oidc.issuerUrl });
  }
  if (own) {
    if (busy(own)) return wait('oidcProviderDelete', `${own.stackName} ${own.status}`);
    return apply('oidcProviderDelete', { call: 'deleteOidcStack' });
  }
  if (!oidc.inClusterStack) return undefined;
  const stack = oidc.clusterStack;
  if (busy(stack)) return wait('oidcProviderDelete', `${stack.stackName} ${stack.status}`);
  if (live.stage === 'oidcProviderDelete' && stack.status.startsWith('UPDATE_ROLLBACK')) return failed('oidcProviderDelete', `${stack.stackName} ${stack.status}`);
  const template = stack.template ? withoutOidcProvider(stack.template) : undefined;
  if (!template) return refused(`has cluster stack ${stack.stackName} whose template is not one the service rendered, so its IAM OIDC provider cannot be removed from it`);
  const usable = stackCreateProgress(stack.status) === 'ready' || stack.status === 'UPDATE_ROLLBACK_COMPLETE';
  if (!usable) return refused(`has stack ${stack.stackName} in ${stack.status}, which CloudFormation cannot update`);
  return apply('oidcProviderDelete', { call: 'updateStackTags', stackName: stack.stackName, tags: stack.tags, template: { template, parameterKeys: stack.parameterKeys, resources: [OIDC_PROVIDER] } });
}

/** One step toward `wanted` (EKS moves one step at a time), undefined when there, 'backward' when past it. */
export function nextAuthenticationMode(live: string | undefined, wanted: AuthenticationMode): AuthenticationMode | 'backward' | undefined {
  // A cluster that reports no accessConfig predates access entries: it is CONFIG_MAP.
  const at = AUTHENTICATION_MODE_ORDER.indexOf((live ?? 'CONFIG_MAP') as AuthenticationMode);
  const to = AUTHENTICATION_MODE_ORDER.indexOf(wanted);
  if (at === to) return undefined;
  if (at > to) return 'backward';
  return AUTHENTICATION_MODE_ORDER[at + 1];
}

/**
 * A tag the service or AWS owns, never the user's: the ownership tags (`eks-provisioner:*`),
 * AWS's (`aws:*`, e.g. aws:cloudformation:stack-name) and the template's Name tag.
 */
export function isServiceTag(key: string): boolean {
  return key.startsWith(SERVICE_TAG_PREFIX) || key.startsWith('aws:') || key === 'Name';
}

/**
 * A tag key in a template resource's own tags that is the user's: not the service's or AWS's, and
 * not one the template puts on a resource for its own sake (cluster-template.ts RESOURCE_TAGS).
 * A user tag with such a key is therefore never changed on resources, only on the stacks and cluster.
 */
export function isUserTemplateTag(key: string): boolean {
  // kubernetes.io/cluster/<name>: how the cloud provider and the autoscaler find a cluster's nodes and groups (self-managed nodegroups' stacks).
  return !isServiceTag(key) && !(Object.values(RESOURCE_TAGS) as string[]).includes(key) && !key.startsWith('kubernetes.io/cluster/');
}

/** A stack's tags with the user's replaced by `userTags`; the service's ownership tags stay as they are. */
export function retaggedStack(current: Record<string, string>, userTags: Record<string, string>): Record<string, string> {
  const kept = Object.fromEntries(Object.entries(current).filter(([key]) => isServiceTag(key)));
  return { ...userTags, ...kept };
}

const sameTags = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/** What updates a stack to `userTags`: its stack tags, and its template when a resource's own tags differ; undefined when it is up to date. */
export function stackRetag(stack: LiveStackTags, userTags: Record<string, string>): Extract<SettingsCall, { call: 'updateStackTags' }> | undefined {
  const tags = retaggedStack(stack.tags, userTags);
  const retagged = stack.template ? retagTemplate(stack.template, userTags, isUserTemplateTag) : undefined;
  const template: StackTemplateChange | undefined =
    retagged && retagged.changed.length > 0 ? { template: retagged.template, parameterKeys: Object.keys(isRecord(stack.template?.Parameters) ? stack.template.Parameters : {}), resources: retagged.changed } : undefined;
  if (!template && sameTags(stack.tags, tags)) return undefined;
  return { call: 'updateStackTags', stackName: stack.stackName, tags, ...(template ? { template } : {}) };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every stack whose stack tags or resources' own tags differ is updated at once (CloudFormation
 * updates stacks independently); any still updating is waited for.
 */
function nextStackTags(userTags: Record<string, string>, live: LiveSettingsState): NextStep<SettingsCall> | undefined {
  const busy = live.stacks.find((s) => /_IN_PROGRESS$/.test(s.status));
  if (busy) return wait('stackTags', `${busy.stackName} ${busy.status}`);
  const calls = live.stacks.map((s) => stackRetag(s, userTags)).filter((call) => call !== undefined);
  const stale = live.stacks.filter((s) => calls.some((call) => call.stackName === s.stackName));
  if (stale.length === 0) return undefined;
  // Our own update rolled back: CloudFormation put the old tags back.
  const rolledBack = live.stage === 'stackTags' ? stale.find((s) => s.status.startsWith('UPDATE_ROLLBACK')) : undefined;
  if (rolledBack) return failed('stackTags', `${rolledBack.stackName} ${rolledBack.status}`);
  const unusable = stale.find((s) => stackCreateProgress(s.status) !== 'ready' && !['UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE'].includes(s.status));
  if (unusable) return refused(`has stack ${unusable.stackName} in ${unusable.status}, which CloudFormation cannot update`);
  return apply('stackTags', ...calls);
}

/** The cluster's own tags: the user's that are no longer wanted come off, the wanted ones go on; both take effect at once. */
function clusterTags(userTags: Record<string, string>, live: Record<string, string>): NextStep<SettingsCall> {
  const keys = Object.keys(live).filter((key) => !isServiceTag(key) && !(key in userTags)).sort();
  const tags = Object.fromEntries(Object.entries(userTags).filter(([key, value]) => live[key] !== value));
  const calls: SettingsCall[] = [...(keys.length > 0 ? [{ call: 'untagCluster' as const, keys }] : []), ...(Object.keys(tags).length > 0 ? [{ call: 'tagCluster' as const, tags }] : [])];
  return calls.length > 0 ? apply(undefined, ...calls) : IN_SYNC;
}
