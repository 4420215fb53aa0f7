/**
 * EKS over restJson1: the REST paths the SDK v3 serializers use (checked against
 * @aws-sdk/client-eks), JSON bodies with epoch-second timestamps, errors as status +
 * x-amzn-errortype. Routing and rendering only; every rule lives in the state (state.ts and the
 * parts it composes).
 */
import type { ServerResponse } from 'node:http';
import type { RequestContext } from '../../server';
import { EmulatorError, sendJson, sendRestJsonError } from '../../protocol';
import { stsIdentities } from '../sts';
import { describeAddonConfiguration as addonConfiguration } from './addon-configuration';
import { describeAutoMode } from './auto-mode';
import { ACCESS_POLICIES, ACCESS_POLICY_PREFIX, ADDONS } from './catalog';
import { LOG_TYPES } from './catalog';
import { describeClusterVersions } from './versions';
import type { AccessEntry, Addon, Cluster, EksState, FargateProfile, Nodegroup, PodIdentityAssociation, PolicyAssociation, Update } from './state';

type Body = Record<string, unknown>;
interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Body;
  callerArn: () => string;
}
interface Route {
  method: string;
  segments: string[];
  operation: string;
  run: (call: Call) => unknown;
}

const seconds = (date: Date) => date.getTime() / 1000;

// ── Rendering (the SDK's output shapes) ──────────────────────────────────────────────────────

export function renderCluster(c: Cluster) {
  const disabled = LOG_TYPES.filter((t) => !c.enabledLogTypes.includes(t));
  return {
    name: c.name,
    arn: c.arn,
    createdAt: seconds(c.createdAt),
    version: c.version,
    ...(c.endpoint ? { endpoint: c.endpoint } : {}),
    roleArn: c.roleArn,
    resourcesVpcConfig: { ...c.vpc, subnetIds: [...c.vpc.subnetIds], securityGroupIds: [...c.vpc.securityGroupIds], publicAccessCidrs: [...c.vpc.publicAccessCidrs] },
    kubernetesNetworkConfig: { serviceIpv4Cidr: c.serviceIpv4Cidr, ipFamily: c.ipFamily, elasticLoadBalancing: { enabled: c.autoMode?.enabled === true } },
    ...describeAutoMode(c),
    logging: {
      clusterLogging: [
        ...(c.enabledLogTypes.length ? [{ types: [...c.enabledLogTypes], enabled: true }] : []),
        ...(disabled.length ? [{ types: disabled, enabled: false }] : []),
      ],
    },
    identity: { oidc: { issuer: c.oidcIssuer } },
    status: c.status,
    certificateAuthority: c.endpoint ? { data: c.certificateAuthorityData } : {},
    platformVersion: c.platformVersion,
    tags: { ...c.tags },
    ...(c.encryptionConfig ? { encryptionConfig: c.encryptionConfig } : {}),
    health: { issues: [] },
    accessConfig: { bootstrapClusterCreatorAdminPermissions: c.bootstrapClusterCreatorAdminPermissions, authenticationMode: c.authenticationMode },
    upgradePolicy: { supportType: c.supportType ?? 'EXTENDED' },
    zonalShiftConfig: { enabled: c.zonalShiftEnabled === true },
    deletionProtection: c.deletionProtection === true,
  };
}

export function renderNodegroup(n: Nodegroup) {
  return {
    nodegroupName: n.name,
    nodegroupArn: n.arn,
    clusterName: n.clusterName,
    version: n.version,
    releaseVersion: n.releaseVersion,
    createdAt: seconds(n.createdAt),
    modifiedAt: seconds(n.modifiedAt),
    status: n.status,
    capacityType: n.capacityType,
    scalingConfig: { ...n.scalingConfig },
    // A type the launch template carries is not reported here (EKS reports only CreateNodegroup's).
    ...(n.instanceTypes.length > 0 ? { instanceTypes: [...n.instanceTypes] } : {}),
    subnets: [...n.subnets],
    ...(n.remoteAccess ? { remoteAccess: n.remoteAccess } : {}),
    amiType: n.amiType,
    nodeRole: n.nodeRole,
    labels: { ...n.labels },
    taints: n.taints.map((t) => ({ ...t })),
    resources: { autoScalingGroups: [{ name: n.autoScalingGroupName }], ...(n.remoteAccessSecurityGroup ? { remoteAccessSecurityGroup: n.remoteAccessSecurityGroup } : {}) },
    ...(n.diskSize !== undefined ? { diskSize: n.diskSize } : {}),
    health: { issues: n.healthIssues.map((i) => ({ ...i })) },
    updateConfig: { ...n.updateConfig },
    ...(n.launchTemplate ? { launchTemplate: { ...n.launchTemplate } } : {}),
    tags: { ...n.tags },
  };
}

export function renderFargateProfile(p: FargateProfile) {
  return {
    fargateProfileName: p.name,
    fargateProfileArn: p.arn,
    clusterName: p.clusterName,
    createdAt: seconds(p.createdAt),
    podExecutionRoleArn: p.podExecutionRoleArn,
    subnets: [...p.subnets],
    selectors: p.selectors.map((s) => ({ ...s })),
    status: p.status,
    tags: { ...p.tags },
    health: { issues: [] },
  };
}

export function renderAddon(a: Addon) {
  return {
    addonName: a.name,
    clusterName: a.clusterName,
    status: a.status,
    addonVersion: a.version,
    health: { issues: a.healthIssues.map((i) => ({ ...i })) },
    addonArn: a.arn,
    createdAt: seconds(a.createdAt),
    modifiedAt: seconds(a.modifiedAt),
    ...(a.serviceAccountRoleArn ? { serviceAccountRoleArn: a.serviceAccountRoleArn } : {}),
    tags: { ...a.tags },
    ...(a.configurationValues !== undefined ? { configurationValues: a.configurationValues } : {}),
  };
}

export function renderPodIdentityAssociation(a: PodIdentityAssociation) {
  return {
    clusterName: a.clusterName,
    namespace: a.namespace,
    serviceAccount: a.serviceAccount,
    roleArn: a.roleArn,
    associationArn: a.associationArn,
    associationId: a.associationId,
    tags: { ...a.tags },
    createdAt: seconds(a.createdAt),
    modifiedAt: seconds(a.modifiedAt),
    disableSessionTags: a.disableSessionTags,
  };
}

/** ListPodIdentityAssociations' summaries: no role, tags or dates. */
function podIdentitySummary(a: PodIdentityAssociation) {
  return { clusterName: a.clusterName, namespace: a.namespace, serviceAccount: a.serviceAccount, associationArn: a.associationArn, associationId: a.associationId };
}

export function renderAccessEntry(e: AccessEntry) {
  return {
    clusterName: e.clusterName,
    principalArn: e.principalArn,
    kubernetesGroups: [...e.kubernetesGroups],
    accessEntryArn: e.arn,
    createdAt: seconds(e.createdAt),
    modifiedAt: seconds(e.modifiedAt),
    tags: { ...e.tags },
    username: e.username,
    type: e.type,
  };
}

function renderAssociation(a: PolicyAssociation) {
  return { policyArn: a.policyArn, accessScope: { type: a.accessScope.type, namespaces: [...a.accessScope.namespaces] }, associatedAt: seconds(a.associatedAt), modifiedAt: seconds(a.modifiedAt) };
}

export function renderUpdate(u: Update) {
  return { id: u.id, status: u.status, type: u.type, params: u.params.map((p) => ({ ...p })), createdAt: seconds(u.createdAt), errors: u.errors.map((e) => ({ ...e })) };
}

/** maxResults (1–100) and an opaque nextToken over a stable list. */
function paginate<T>(items: T[], query: URLSearchParams): { items: T[]; nextToken?: string } {
  const max = query.has('maxResults') ? Number(query.get('maxResults')) : 100;
  if (!Number.isInteger(max) || max < 1 || max > 100) throw new EmulatorError(400, 'InvalidParameterException', 'maxResults must be between 1 and 100');
  const token = query.get('nextToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw new EmulatorError(400, 'InvalidParameterException', 'The nextToken is invalid');
  const page = items.slice(start, start + max);
  return start + max < items.length ? { items: page, nextToken: Buffer.from(String(start + max)).toString('base64url') } : { items: page };
}

function describeAddonVersions(query: URLSearchParams) {
  const name = query.get('addonName');
  const kubernetesVersion = query.get('kubernetesVersion');
  const types = query.getAll('types');
  const addons = ADDONS.filter((a) => (!name || a.name === name) && (types.length === 0 || types.includes(a.type))).map((a) => ({
    addonName: a.name,
    type: a.type,
    addonVersions: a.versions
      .filter((v) => !kubernetesVersion || v.clusters.includes(kubernetesVersion))
      .map((v) => ({
        addonVersion: v.version,
        architecture: ['amd64', 'arm64'],
        computeTypes: ['ec2', 'auto', 'hybrid'],
        compatibilities: v.clusters.filter((c) => !kubernetesVersion || c === kubernetesVersion).map((c) => ({ clusterVersion: c, platformVersions: ['*'], defaultVersion: v.defaultFor.includes(c) })),
        requiresConfiguration: false,
        requiresIamPermissions: a.name === 'aws-ebs-csi-driver',
      })),
    publisher: 'eks',
    owner: 'aws',
  }));
  const page = paginate(addons, query);
  return { addons: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

/** DescribeAddonConfiguration: both query parameters are required, the version one EKS lists for the add-on. */
function describeAddonConfiguration(query: URLSearchParams) {
  const name = query.get('addonName') ?? '';
  const version = query.get('addonVersion') ?? '';
  const entry = ADDONS.find((a) => a.name === name);
  if (!entry || !entry.versions.some((v) => v.version === version)) throw new EmulatorError(400, 'InvalidParameterException', `Addon version specified is not supported: ${name} ${version}`);
  return addonConfiguration(name, version);
}

/** ListInsights pages through its JSON body (maxResults, nextToken), not the query string. */
function bodyPaging(body: Body): URLSearchParams {
  const query = new URLSearchParams();
  if (body.maxResults !== undefined) query.set('maxResults', String(body.maxResults));
  if (typeof body.nextToken === 'string') query.set('nextToken', body.nextToken);
  return query;
}

function listed<T>(key: string, items: T[], query: URLSearchParams) {
  const page = paginate(items, query);
  return { [key]: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

// ── Routes ───────────────────────────────────────────────────────────────────────────────────

function routes(state: EksState): Route[] {
  const r = (method: string, path: string, operation: string, run: (call: Call) => unknown): Route => ({ method, segments: path.split('/').filter(Boolean), operation, run });
  const target = (q: URLSearchParams) => ({ ...(q.get('nodegroupName') ? { nodegroupName: q.get('nodegroupName')! } : {}), ...(q.get('addonName') ? { addonName: q.get('addonName')! } : {}) });
  const withCluster = (call: Call) => ({ ...call.body, clusterName: call.params.clusterName }) as never;
  return [
    r('POST', '/clusters', 'CreateCluster', (c) => ({ cluster: renderCluster(state.createCluster(c.body as never, c.callerArn())) })),
    r('GET', '/clusters', 'ListClusters', (c) => listed('clusters', [...state.clusters.keys()], c.query)),
    r('GET', '/clusters/{name}', 'DescribeCluster', (c) => ({ cluster: renderCluster(state.cluster(c.params.name!)) })),
    r('DELETE', '/clusters/{name}', 'DeleteCluster', (c) => ({ cluster: renderCluster(state.deleteCluster(c.params.name!)) })),
    r('POST', '/clusters/{name}/update-config', 'UpdateClusterConfig', (c) => ({ update: renderUpdate(state.updateClusterConfig(c.params.name!, c.body as never)) })),
    r('POST', '/clusters/{name}/encryption-config/associate', 'AssociateEncryptionConfig', (c) => ({ update: renderUpdate(state.associateEncryptionConfig(c.params.name!, c.body as never)) })),
    r('POST', '/clusters/{name}/updates', 'UpdateClusterVersion', (c) => ({ update: renderUpdate(state.updateClusterVersion(c.params.name!, c.body as never)) })),
    r('GET', '/clusters/{name}/updates', 'ListUpdates', (c) => listed('updateIds', state.listUpdates(c.params.name!, target(c.query)), c.query)),
    r('GET', '/clusters/{name}/updates/{updateId}', 'DescribeUpdate', (c) => ({ update: renderUpdate(state.describeUpdate(c.params.name!, c.params.updateId!, target(c.query))) })),

    r('POST', '/clusters/{clusterName}/node-groups', 'CreateNodegroup', (c) => ({ nodegroup: renderNodegroup(state.createNodegroup(c.params.clusterName!, withCluster(c))) })),
    r('GET', '/clusters/{clusterName}/node-groups', 'ListNodegroups', (c) => listed('nodegroups', [...state.cluster(c.params.clusterName!).nodegroups.keys()], c.query)),
    r('GET', '/clusters/{clusterName}/node-groups/{nodegroupName}', 'DescribeNodegroup', (c) => ({ nodegroup: renderNodegroup(state.nodegroup(c.params.clusterName!, c.params.nodegroupName!)) })),
    r('DELETE', '/clusters/{clusterName}/node-groups/{nodegroupName}', 'DeleteNodegroup', (c) => ({ nodegroup: renderNodegroup(state.deleteNodegroup(c.params.clusterName!, c.params.nodegroupName!)) })),
    r('POST', '/clusters/{clusterName}/node-groups/{nodegroupName}/update-config', 'UpdateNodegroupConfig', (c) => ({
      update: renderUpdate(state.updateNodegroupConfig(c.params.clusterName!, c.params.nodegroupName!, c.body as never)),
    })),

    r('POST', '/clusters/{clusterName}/node-groups/{nodegroupName}/update-version', 'UpdateNodegroupVersion', (c) => ({
      update: renderUpdate(state.updateNodegroupVersion(c.params.clusterName!, c.params.nodegroupName!, c.body as never)),
    })),
    r('POST', '/clusters/{clusterName}/insights-refresh', 'StartInsightsRefresh', (c) => state.insights.startInsightsRefresh(c.params.clusterName!)),
    r('GET', '/clusters/{clusterName}/insights-refresh', 'DescribeInsightsRefresh', (c) => state.insights.describeInsightsRefresh(c.params.clusterName!)),
    r('POST', '/clusters/{clusterName}/insights', 'ListInsights', (c) => listed('insights', state.insights.listInsights(c.params.clusterName!, c.body.filter as never), bodyPaging(c.body))),
    r('GET', '/clusters/{clusterName}/insights/{id}', 'DescribeInsight', (c) => ({ insight: state.insights.describeInsight(c.params.clusterName!, c.params.id!) })),

    r('POST', '/clusters/{clusterName}/fargate-profiles', 'CreateFargateProfile', (c) => ({ fargateProfile: renderFargateProfile(state.createFargateProfile(c.params.clusterName!, withCluster(c))) })),
    r('GET', '/clusters/{clusterName}/fargate-profiles', 'ListFargateProfiles', (c) => listed('fargateProfileNames', [...state.cluster(c.params.clusterName!).fargateProfiles.keys()], c.query)),
    r('GET', '/clusters/{clusterName}/fargate-profiles/{fargateProfileName}', 'DescribeFargateProfile', (c) => ({
      fargateProfile: renderFargateProfile(state.fargateProfile(c.params.clusterName!, c.params.fargateProfileName!)),
    })),
    r('DELETE', '/clusters/{clusterName}/fargate-profiles/{fargateProfileName}', 'DeleteFargateProfile', (c) => ({
      fargateProfile: renderFargateProfile(state.deleteFargateProfile(c.params.clusterName!, c.params.fargateProfileName!)),
    })),

    r('POST', '/clusters/{clusterName}/addons', 'CreateAddon', (c) => ({ addon: renderAddon(state.createAddon(c.params.clusterName!, withCluster(c))) })),
    r('GET', '/clusters/{clusterName}/addons', 'ListAddons', (c) => listed('addons', [...state.cluster(c.params.clusterName!).addons.keys()], c.query)),
    r('GET', '/clusters/{clusterName}/addons/{addonName}', 'DescribeAddon', (c) => ({ addon: renderAddon(state.addon(c.params.clusterName!, c.params.addonName!)) })),
    r('POST', '/clusters/{clusterName}/addons/{addonName}/update', 'UpdateAddon', (c) => ({ update: renderUpdate(state.updateAddon(c.params.clusterName!, c.params.addonName!, c.body as never)) })),
    r('DELETE', '/clusters/{clusterName}/addons/{addonName}', 'DeleteAddon', (c) => ({ addon: renderAddon(state.deleteAddon(c.params.clusterName!, c.params.addonName!, c.query.get('preserve') === 'true')) })),
    r('GET', '/addons/configuration-schemas', 'DescribeAddonConfiguration', (c) => describeAddonConfiguration(c.query)),
    r('GET', '/addons/supported-versions', 'DescribeAddonVersions', (c) => describeAddonVersions(c.query)),
    r('GET', '/cluster-versions', 'DescribeClusterVersions', (c) => listed('clusterVersions', describeClusterVersions(state.world, c.query), c.query)),

    r('POST', '/clusters/{clusterName}/access-entries', 'CreateAccessEntry', (c) => ({ accessEntry: renderAccessEntry(state.createAccessEntry(c.params.clusterName!, withCluster(c))) })),
    r('GET', '/clusters/{clusterName}/access-entries', 'ListAccessEntries', (c) => listed('accessEntries', state.listAccessEntries(c.params.clusterName!, c.query.get('associatedPolicyArn') ?? undefined), c.query)),
    r('GET', '/clusters/{clusterName}/access-entries/{principalArn}', 'DescribeAccessEntry', (c) => ({ accessEntry: renderAccessEntry(state.accessEntry(c.params.clusterName!, c.params.principalArn!)) })),
    r('POST', '/clusters/{clusterName}/access-entries/{principalArn}', 'UpdateAccessEntry', (c) => ({
      accessEntry: renderAccessEntry(state.updateAccessEntry(c.params.clusterName!, c.params.principalArn!, c.body as never)),
    })),
    r('DELETE', '/clusters/{clusterName}/access-entries/{principalArn}', 'DeleteAccessEntry', (c) => {
      state.deleteAccessEntry(c.params.clusterName!, c.params.principalArn!);
      return {};
    }),
    r('POST', '/clusters/{clusterName}/access-entries/{principalArn}/access-policies', 'AssociateAccessPolicy', (c) => ({
      clusterName: c.params.clusterName,
      principalArn: c.params.principalArn,
      associatedAccessPolicy: renderAssociation(state.associateAccessPolicy(c.params.clusterName!, c.params.principalArn!, c.body as never)),
    })),
    r('GET', '/clusters/{clusterName}/access-entries/{principalArn}/access-policies', 'ListAssociatedAccessPolicies', (c) => ({
      clusterName: c.params.clusterName,
      principalArn: c.params.principalArn,
      ...(() => {
        const page = paginate([...state.accessEntry(c.params.clusterName!, c.params.principalArn!).policies.values()].map(renderAssociation), c.query);
        return { associatedAccessPolicies: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
      })(),
    })),
    r('DELETE', '/clusters/{clusterName}/access-entries/{principalArn}/access-policies/{policyArn}', 'DisassociateAccessPolicy', (c) => {
      state.disassociateAccessPolicy(c.params.clusterName!, c.params.principalArn!, c.params.policyArn!);
      return {};
    }),
    r('POST', '/clusters/{clusterName}/pod-identity-associations', 'CreatePodIdentityAssociation', (c) => ({
      association: renderPodIdentityAssociation(state.createPodIdentityAssociation(c.params.clusterName!, withCluster(c))),
    })),
    r('GET', '/clusters/{clusterName}/pod-identity-associations', 'ListPodIdentityAssociations', (c) =>
      listed('associations', state.listPodIdentityAssociations(c.params.clusterName!, { namespace: c.query.get('namespace') ?? undefined, serviceAccount: c.query.get('serviceAccount') ?? undefined }).map(podIdentitySummary), c.query),
    ),
    r('GET', '/clusters/{clusterName}/pod-identity-associations/{associationId}', 'DescribePodIdentityAssociation', (c) => ({
      association: renderPodIdentityAssociation(state.podIdentityAssociation(c.params.clusterName!, c.params.associationId!)),
    })),
    r('POST', '/clusters/{clusterName}/pod-identity-associations/{associationId}', 'UpdatePodIdentityAssociation', (c) => ({
      association: renderPodIdentityAssociation(state.updatePodIdentityAssociation(c.params.clusterName!, c.params.associationId!, c.body as never)),
    })),
    r('DELETE', '/clusters/{clusterName}/pod-identity-associations/{associationId}', 'DeletePodIdentityAssociation', (c) => ({
      association: renderPodIdentityAssociation(state.deletePodIdentityAssociation(c.params.clusterName!, c.params.associationId!)),
    })),
    r('GET', '/access-policies', 'ListAccessPolicies', (c) => listed('accessPolicies', ACCESS_POLICIES.map((name) => ({ name, arn: `${ACCESS_POLICY_PREFIX}${name}` })), c.query)),

    r('POST', '/tags/{resourceArn}', 'TagResource', (c) => {
      state.tagResource(c.params.resourceArn!, (c.body.tags ?? {}) as Record<string, string>);
      return {};
    }),
    r('GET', '/tags/{resourceArn}', 'ListTagsForResource', (c) => ({ tags: { ...state.taggable(c.params.resourceArn!).tags } })),
    r('DELETE', '/tags/{resourceArn}', 'UntagResource', (c) => {
      state.untagResource(c.params.resourceArn!, c.query.getAll('tagKeys'));
      return {};
    }),
  ];
}

function match(route: Route, method: string, segments: string[]): Record<string, string> | undefined {
  if (route.method !== method || route.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const pattern = route.segments[i]!;
    if (pattern.startsWith('{')) params[pattern.slice(1, -1)] = segments[i]!;
    else if (pattern !== segments[i]) return undefined;
  }
  return params;
}

/** Runs one request: route, count, fault check, rule, reply. */
export function eksRequestHandler(state: EksState) {
  const table = routes(state);
  const world = state.world;
  return async (ctx: RequestContext): Promise<void> => {
    const method = ctx.req.method ?? 'GET';
    let segments: string[];
    try {
      segments = ctx.url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new EmulatorError(400, 'BadRequestException', `Malformed path ${ctx.url.pathname}`);
    }
    let found: { route: Route; params: Record<string, string> } | undefined;
    for (const route of table) {
      const params = match(route, method, segments);
      if (params) {
        found = { route, params };
        break;
      }
    }
    if (!found) throw new EmulatorError(404, 'UnknownOperationException', `The local EKS emulator does not implement ${method} ${ctx.url.pathname}`);

    world.calls.push(`eks:${found.route.operation}`);
    try {
      world.faults.checkCall('eks', found.route.operation, 'ThrottlingException');
    } catch (error) {
      if (error instanceof EmulatorError && error.code === 'ThrottlingException') throw new EmulatorError(429, 'ThrottlingException', error.message);
      if (error instanceof EmulatorError && error.status >= 500) throw new EmulatorError(500, 'ServerException', error.message);
      throw error;
    }

    let body: Body = {};
    if (ctx.body.trim()) {
      try {
        body = JSON.parse(ctx.body) as Body;
      } catch {
        throw new EmulatorError(400, 'BadRequestException', 'The request body is not valid JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new EmulatorError(400, 'BadRequestException', 'The request body must be a JSON object');
    }
    const result = found.route.run({
      params: found.params,
      query: ctx.url.searchParams,
      body,
      callerArn: () => stsIdentities(world).identify(ctx.signing.accessKeyId).arn,
    });
    sendJson(ctx.res, 200, result);
  };
}

export function renderEksError(res: ServerResponse, error: EmulatorError): void {
  const code = error.code === 'InternalFailure' ? 'ServerException' : error.code;
  sendRestJsonError(res, error.status, code, error.message);
}
