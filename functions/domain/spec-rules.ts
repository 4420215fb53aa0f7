/**
 * EKS rules a JSON Schema cannot express. Each returns problems as JSON pointers into the request
 * and a sentence naming the rule, so a caller can fix every one in one go.
 */
import type { NormalisedFargateProfile } from '../generated/types';
import type { SpecProblem } from '../shared/errors';
import { cidrProblem, parseCidr } from './cidr';
import { DEFAULT_OWNER_POLICY } from './eksctl-defaults';
import { needsKubernetesApi, publicEndpointNeedsNodeEgress } from './endpoint-access';
import { accessPolicyArn, SERVICE_TAG_PREFIX } from './naming';
import { natGatewayCount, type Spec } from './spec';
import { podIdentityProblems } from './pod-identity';
import { parseMaintenanceWindow } from './upgrade/maintenance-window';
import { getsVpcEndpoints } from './vpc-endpoints';

type Rule = (spec: Spec) => SpecProblem[];

/** Kubernetes reserves these label and taint domains for itself; EKS rejects them on nodegroups. */
const RESERVED_LABEL_DOMAIN = /^([a-z0-9.-]*\.)?(kubernetes\.io|k8s\.io)\//;
const MAX_FARGATE_SELECTORS = 5;
const RESERVED_USERNAME = /^(system|eks|aws|amazon|iam):/;

/** Graviton families carry a "g" after the generation digit: m6g, c7gn, t4g, r8gd (but not g5 or p4d). */
function isGravitonType(instanceType: string): boolean {
  return /^[a-z]+\d+g[a-z]*\./.test(instanceType);
}

/** What the `fargate: true` shorthand expands to (eksctl's fp-default). */
export const DEFAULT_FARGATE_PROFILE: NormalisedFargateProfile = {
  name: 'fp-default',
  selectors: [{ namespace: 'default' }, { namespace: 'kube-system' }],
};

function isShorthandProfile(profile: NormalisedFargateProfile | undefined): boolean {
  return profile?.name === DEFAULT_FARGATE_PROFILE.name && profile.subnets === undefined && JSON.stringify(profile.selectors) === JSON.stringify(DEFAULT_FARGATE_PROFILE.selectors);
}

const network: Rule = (spec) => {
  const problems: SpecProblem[] = [];
  if (spec.network.vpc) {
    const cidr = parseCidr(spec.network.vpc.cidr);
    const problem = cidrProblem(spec.network.vpc.cidr);
    if (problem) problems.push({ pointer: '/network/vpc/cidr', message: problem });
    else if (cidr && (cidr.prefix < 16 || cidr.prefix > 24)) {
      problems.push({ pointer: '/network/vpc/cidr', message: 'the VPC prefix must be between /16 and /24 (VPC limits, and room for a subnet per AZ)' });
    }
  } else {
    const privateSubnets = new Set(spec.network.subnets.private);
    spec.network.subnets.public.forEach((id, i) => {
      if (privateSubnets.has(id)) problems.push({ pointer: `/network/subnets/public/${i}`, message: `${id} is listed as both private and public` });
    });
  }
  return problems;
};

const endpointAccess: Rule = (spec) => {
  const access = spec.endpointAccess;
  const problems: SpecProblem[] = [];
  if (!access.public && !access.private) {
    problems.push({ pointer: '/endpointAccess', message: 'public and private cannot both be false: the API server would be unreachable' });
  }
  if (!access.public && access.publicAccessCidrs.length > 0) {
    problems.push({ pointer: '/endpointAccess/publicAccessCidrs', message: 'publicAccessCidrs apply only when public is true' });
  }
  access.publicAccessCidrs.forEach((cidr, i) => {
    const problem = cidrProblem(cidr);
    if (problem) problems.push({ pointer: `/endpointAccess/publicAccessCidrs/${i}`, message: problem });
  });
  return [...problems, ...unreachableFromNodes(spec), ...unreachableFromKubeAgent(spec)];
};

/**
 * Nodes and Fargate pods reach a public-only endpoint from their egress addresses, which its
 * CIDRs must admit (EKS: without private access, the public CIDRs must include the VPC's egress
 * sources), or they never join. Refused where the service cannot know those addresses: existing
 * subnets (their NAT, proxy or firewall are not the service's) and nodes in public subnets (each
 * egresses from its own public IP). A new VPC's NAT gateways are known addresses: not refused here.
 */
function unreachableFromNodes(spec: Spec): SpecProblem[] {
  const access = spec.endpointAccess;
  if (!publicEndpointNeedsNodeEgress(access)) return [];
  const fix = 'turn private access on ("private": true) so they reach it inside the VPC, or admit 0.0.0.0/0';
  if (spec.network.subnets) {
    return [{ pointer: '/endpointAccess/publicAccessCidrs', message: `a public-only endpoint restricted to CIDRs must admit the egress addresses of the nodes in the existing subnets, which the service cannot know: ${fix}` }];
  }
  const problems: SpecProblem[] = [];
  spec.managedNodeGroups.forEach((ng, i) => {
    if (!ng.privateNetworking) problems.push({ pointer: `/managedNodeGroups/${i}/privateNetworking`, message: `nodes in public subnets reach a public-only endpoint from their own public IPs, which its CIDRs cannot list in advance: keep them private ("privateNetworking": true) or ${fix}` });
  });
  // Private nodes and Fargate pods without a NAT gateway are refused here, the endpoint being public (nodegroups, fargateProfiles).
  const natCount = natGatewayCount(spec.network.vpc);
  if (access.publicAccessCidrs.length + natCount > MAX_PUBLIC_ACCESS_CIDRS) {
    problems.push({ pointer: '/endpointAccess/publicAccessCidrs', message: `the VPC's ${natCount} NAT address(es) are added to these CIDRs so nodes can reach the endpoint, and EKS takes at most ${MAX_PUBLIC_ACCESS_CIDRS}: list at most ${MAX_PUBLIC_ACCESS_CIDRS - natCount}` });
  }
  return problems;
}

/** EKS's limit on publicAccessCidrs. */
const MAX_PUBLIC_ACCESS_CIDRS = 40;

/**
 * The service edits aws-auth from inside the VPC, through the kube agent in the private subnets:
 * it reaches a private endpoint directly and a public one only through a NAT gateway.
 */
function unreachableFromKubeAgent(spec: Spec): SpecProblem[] {
  if (!needsKubernetesApi(spec) || spec.endpointAccess.private || spec.network.vpc?.natGateway !== 'Disable') return [];
  return [{ pointer: '/endpointAccess/private', message: 'aws-auth is written from inside the VPC (its private subnets), which without a NAT gateway reach only a private endpoint: turn private access on ("private": true), or set network.vpc.natGateway to Single or HighlyAvailable' }];
}

/**
 * Nodes and Fargate pods in a new VPC's private subnets reach EKS, EC2, ECR and STS through a NAT
 * gateway, or through the VPC endpoints its stack makes (vpc-endpoints.ts; by default in a fully
 * private cluster). With neither they never join. Existing subnets' egress is the caller's.
 */
function privateSubnetsCannotReachAws(spec: Spec): boolean {
  return spec.network.vpc?.natGateway === 'Disable' && !getsVpcEndpoints(spec);
}

const REACH_AWS_FIX =
  'set network.vpc.natGateway to Single or HighlyAvailable, or network.vpc.endpoints to true (its default with a private-only endpoint, "endpointAccess": {"public": false, "private": true}), both fixed once the cluster is made';

const nodegroups: Rule = (spec) => {
  const problems: SpecProblem[] = [];
  const existingSubnets = new Set([...(spec.network.subnets?.private ?? []), ...(spec.network.subnets?.public ?? [])]);
  spec.managedNodeGroups.forEach((ng, i) => {
    const at = `/managedNodeGroups/${i}`;
    if (!(ng.minSize <= ng.desiredSize && ng.desiredSize <= ng.maxSize)) {
      problems.push({ pointer: `${at}/desiredSize`, message: `sizes must satisfy minSize ≤ desiredSize ≤ maxSize (got ${ng.minSize} ≤ ${ng.desiredSize} ≤ ${ng.maxSize})` });
    }
    const armAmi = /ARM_64/.test(ng.amiType);
    ng.instanceTypes.forEach((type, t) => {
      if (isGravitonType(type) !== armAmi) {
        problems.push({ pointer: `${at}/instanceTypes/${t}`, message: `${type} is ${isGravitonType(type) ? 'an Arm (Graviton)' : 'an x86_64'} instance type but amiType ${ng.amiType} is for ${armAmi ? 'Arm' : 'x86_64'}` });
      }
    });
    for (const key of Object.keys(ng.labels)) {
      if (RESERVED_LABEL_DOMAIN.test(key)) problems.push({ pointer: `${at}/labels/${escapePointer(key)}`, message: 'labels must not use the kubernetes.io/ or k8s.io/ prefixes (reserved by Kubernetes)' });
    }
    ng.taints.forEach((taint, t) => {
      if (RESERVED_LABEL_DOMAIN.test(taint.key)) problems.push({ pointer: `${at}/taints/${t}/key`, message: 'taint keys must not use the kubernetes.io/ or k8s.io/ prefixes (reserved by Kubernetes)' });
    });
    // An EKS optimized Amazon Linux release is numbered after its Kubernetes version (1.33.5-20251001); Bottlerocket's are its own.
    if (ng.releaseVersion !== undefined && !ng.amiType.startsWith('BOTTLEROCKET') && !ng.releaseVersion.startsWith(`${spec.version}.`)) {
      problems.push({ pointer: `${at}/releaseVersion`, message: `must be an AMI release of the cluster's Kubernetes version ${spec.version} (${spec.version}.<patch>-<date>), got ${ng.releaseVersion}` });
    }
    if (ng.privateNetworking && privateSubnetsCannotReachAws(spec)) {
      problems.push({ pointer: `${at}/privateNetworking`, message: `nodes in private subnets need a NAT gateway or VPC endpoints to join the cluster: ${REACH_AWS_FIX}, or set privateNetworking to false` });
    }
    if (!ng.privateNetworking && spec.network.subnets && spec.network.subnets.public.length === 0 && !ng.subnets) {
      problems.push({ pointer: `${at}/privateNetworking`, message: 'privateNetworking false places nodes in public subnets, but network.subnets.public is empty' });
    }
    ng.subnets?.forEach((id, s) => {
      if (spec.network.vpc) problems.push({ pointer: `${at}/subnets/${s}`, message: 'nodegroup subnets can only be chosen when the cluster uses existing subnets (network.subnets)' });
      else if (!existingSubnets.has(id)) problems.push({ pointer: `${at}/subnets/${s}`, message: `${id} is not one of the cluster's subnets (network.subnets)` });
    });
  });
  return problems.concat(duplicates(spec.managedNodeGroups.map((ng) => ng.name), '/managedNodeGroups', 'name', 'nodegroup name'));
};

const fargateProfiles: Rule = (spec) => {
  const problems: SpecProblem[] = [];
  // The shorthand's profile sits at index 0 but has no index in the request: point at /fargate.
  // Only an exact copy of the expansion counts as the shorthand's (so normalising twice is stable);
  // any other fp-default came from the caller and clashes with the shorthand.
  const offset = spec.fargate && isShorthandProfile(spec.fargateProfiles[0]) && !spec.fargateProfiles.slice(1).some((p) => p.name === DEFAULT_FARGATE_PROFILE.name) ? 1 : 0;
  spec.fargateProfiles.forEach((profile, i) => {
    const at = i < offset ? '/fargate' : `/fargateProfiles/${i - offset}`;
    const count = profile.selectors.length;
    if (count < 1 || count > MAX_FARGATE_SELECTORS) {
      problems.push({ pointer: `${at}/selectors`, message: `a Fargate profile takes 1 to ${MAX_FARGATE_SELECTORS} selectors (got ${count})` });
    }
    profile.subnets?.forEach((id, s) => {
      if (spec.network.vpc) problems.push({ pointer: `${at}/subnets/${s}`, message: 'Fargate profile subnets can only be chosen when the cluster uses existing subnets (network.subnets)' });
      else if (!spec.network.subnets.private.includes(id)) problems.push({ pointer: `${at}/subnets/${s}`, message: `${id} must be one of the cluster's private subnets: Fargate pods run only in private subnets` });
    });
  });
  if (spec.fargateProfiles.length > 0 && privateSubnetsCannotReachAws(spec)) {
    problems.push({ pointer: '/network/vpc/natGateway', message: `Fargate pods run in private subnets and need a NAT gateway or VPC endpoints to pull images and reach EKS: ${REACH_AWS_FIX}` });
  }
  const names = spec.fargateProfiles.slice(offset).map((p) => p.name);
  return problems.concat(
    duplicates(names, '/fargateProfiles', 'name', 'Fargate profile name'),
    spec.fargate && names.includes(DEFAULT_FARGATE_PROFILE.name) ? [{ pointer: '/fargate', message: 'fargate: true adds profile fp-default, which fargateProfiles already defines' }] : [],
  );
};

const identities: Rule = (spec) => {
  const problems: SpecProblem[] = [];
  const mode = spec.authenticationMode;
  if (mode === 'CONFIG_MAP' && spec.accessEntries.length > 0) {
    problems.push({ pointer: '/accessEntries', message: 'access entries need authenticationMode API or API_AND_CONFIG_MAP' });
  }
  if (mode === 'API' && spec.identityMappings.length > 0) {
    problems.push({ pointer: '/identityMappings', message: 'aws-auth identity mappings need authenticationMode CONFIG_MAP or API_AND_CONFIG_MAP' });
  }
  spec.accessEntries.forEach((entry, i) => {
    const at = `/accessEntries/${i}`;
    if (entry.type !== 'STANDARD' && (entry.kubernetesGroups.length > 0 || entry.accessPolicies.length > 0 || entry.username)) {
      problems.push({ pointer: `${at}/type`, message: `${entry.type} entries take no username, kubernetesGroups or accessPolicies (EKS sets them)` });
    }
    if (entry.type !== 'STANDARD' && !/:role\//.test(entry.principalArn)) {
      problems.push({ pointer: `${at}/principalArn`, message: `${entry.type} entries must name an IAM role` });
    }
    if (entry.username && RESERVED_USERNAME.test(entry.username)) {
      problems.push({ pointer: `${at}/username`, message: 'usernames starting with system:, eks:, aws:, amazon: or iam: are reserved by EKS' });
    }
    entry.kubernetesGroups.forEach((group, g) => {
      if (group.startsWith('system:')) problems.push({ pointer: `${at}/kubernetesGroups/${g}`, message: 'groups starting with system: are reserved; grant cluster-admin with the AmazonEKSClusterAdminPolicy access policy instead' });
    });
    entry.accessPolicies.forEach((policy, p) => {
      const namespaces = policy.namespaces ?? [];
      if (policy.scope === 'namespace' && namespaces.length === 0) problems.push({ pointer: `${at}/accessPolicies/${p}/namespaces`, message: 'a namespace-scoped access policy needs at least one namespace' });
      if (policy.scope === 'cluster' && namespaces.length > 0) problems.push({ pointer: `${at}/accessPolicies/${p}/namespaces`, message: 'namespaces apply only to scope "namespace"' });
    });
    problems.push(...duplicates(entry.accessPolicies.map((p) => p.policy.replace(/^.*\//, '')), `${at}/accessPolicies`, 'policy', 'access policy'));
  });
  spec.identityMappings.forEach((mapping, i) => {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\//.test(mapping.arn)) {
      problems.push({ pointer: `/identityMappings/${i}/arn`, message: 'aws-auth maps IAM roles (arn:aws:iam::<account>:role/…) or users (…:user/…)' });
    }
  });
  return problems.concat(
    duplicates(spec.accessEntries.map((e) => e.principalArn), '/accessEntries', 'principalArn', 'access entry principal'),
    // eksctl's --no-duplicate-arns: two mappings for one ARN make aws-auth ambiguous.
    duplicates(spec.identityMappings.map((m) => m.arn), '/identityMappings', 'arn', 'identity mapping ARN'),
  );
};

/**
 * The owner's access. CONFIG_MAP mode has no access entries, only aws-auth groups, and the one
 * group that grants anything without the caller's own RBAC is system:masters (cluster-admin): a
 * narrower policy cannot be expressed there, so it is refused rather than widened.
 */
const ownerAccess: Rule = (spec) => {
  const access = spec.ownerAccess;
  if (access === 'none') return [];
  const problems: SpecProblem[] = [];
  const namespaces = access.namespaces ?? [];
  if (access.scope === 'namespace' && namespaces.length === 0) problems.push({ pointer: '/ownerAccess/namespaces', message: 'a namespace-scoped access policy needs at least one namespace' });
  if (access.scope === 'cluster' && namespaces.length > 0) problems.push({ pointer: '/ownerAccess/namespaces', message: 'namespaces apply only to scope "namespace"' });
  const clusterAdmin = accessPolicyArn(access.policy) === accessPolicyArn(DEFAULT_OWNER_POLICY) && access.scope === 'cluster';
  if (spec.authenticationMode === 'CONFIG_MAP' && !clusterAdmin) {
    problems.push({ pointer: '/ownerAccess', message: `authenticationMode CONFIG_MAP can give the owner only cluster-admin (aws-auth's system:masters): use ${DEFAULT_OWNER_POLICY} with scope "cluster", "none", or an API mode` });
  }
  return problems;
};

/** The EKS add-on that gives EC2 nodes their pod networking (its aws-node DaemonSet). */
const VPC_CNI_ADDON = 'vpc-cni';

const addons: Rule = (spec) => [...duplicates(spec.addons.map((a) => a.name), '/addons', 'name', 'add-on name'), ...nodesWithoutCni(spec)];

/**
 * EC2 nodes, managed or self-managed, stay NotReady ("cni plugin not initialized") until the VPC
 * CNI's aws-node pod runs on them. The service gives them one only as the vpc-cni EKS add-on and
 * counts on no self-managed copy EKS may bootstrap (an Auto Mode cluster is created without them,
 * and local mode has none): without the add-on the workflow would wait out Check Nodes Ready's
 * ten minutes and fail. Fargate pods and Auto Mode's own nodes bring their networking, so a
 * cluster with neither kind of nodegroup needs none; Auto Mode's does not reach a nodegroup's nodes.
 */
function nodesWithoutCni(spec: Spec): SpecProblem[] {
  const nodegroupCount = spec.managedNodeGroups.length + (spec.selfManagedNodeGroups?.length ?? 0);
  if (nodegroupCount === 0 || spec.addons.some((addon) => addon.name === VPC_CNI_ADDON)) return [];
  const autoModeNote = spec.autoMode?.enabled ? " (Auto Mode's built-in networking serves only its own nodes)" : '';
  return [{ pointer: '/addons', message: `nodegroups' nodes never become Ready without the VPC CNI${autoModeNote}: add {"name": "${VPC_CNI_ADDON}"} to addons, or remove the nodegroups` }];
}

/** Ownership tags are the service's proof of who owns what: callers may not set them. */
const tags: Rule = (spec) =>
  Object.keys(spec.tags)
    .filter((key) => key.startsWith(SERVICE_TAG_PREFIX))
    .map((key) => ({ pointer: `/tags/${escapePointer(key)}`, message: `tag keys starting with ${SERVICE_TAG_PREFIX} are reserved for ownership tags the service sets` }));

/**
 * The window must parse (its grammar is maintenance-window.ts's), and unattended upgrades need
 * one: a control plane upgraded at whatever hour the service happens to look is what a window
 * exists to prevent.
 */
const maintenance: Rule = (spec) => {
  const problems: SpecProblem[] = [];
  const window = spec.maintenance?.window;
  if (window !== undefined) {
    const parsed = parseMaintenanceWindow(window);
    if (parsed.problem) problems.push({ pointer: '/maintenance/window', message: parsed.problem });
  } else if (spec.maintenance?.autoUpgrade) {
    problems.push({ pointer: '/maintenance/window', message: 'autoUpgrade needs a window saying when upgrades may start, e.g. "sat 02:00-06:00 UTC"' });
  }
  return problems;
};

/**
 * EKS Auto Mode maps its node role (and its own components) into the cluster with access entries,
 * so EKS refuses it on a cluster whose authentication is the aws-auth ConfigMap alone.
 */
const autoMode: Rule = (spec) =>
  spec.autoMode?.enabled && spec.authenticationMode === 'CONFIG_MAP'
    ? [{ pointer: '/autoMode/enabled', message: 'EKS Auto Mode needs access entries: authenticationMode must be API or API_AND_CONFIG_MAP, not CONFIG_MAP (EKS rule)' }]
    : [];

// ── Self-managed nodegroups ─────────────────────────────────────────────────────────────────

/**
 * The managed nodegroups' rules where a self-managed nodegroup has the same field, plus its own:
 * one architecture over its instance types (one AMI serves them all), spot or an
 * instancesDistribution (not both), Spot capacity only with a type to buy it in, and names
 * unique across both kinds (both get a stack eksp-<cluster>-nodegroup-<name>, and EKS names nodes'
 * nodegroups by it).
 */
const selfManagedNodegroups: Rule = (spec) => {
  const problems: SpecProblem[] = [];
  const existingSubnets = new Set([...(spec.network.subnets?.private ?? []), ...(spec.network.subnets?.public ?? [])]);
  const restrictedPublicEndpoint = publicEndpointNeedsNodeEgress(spec.endpointAccess) && !spec.network.subnets;
  const managedNames = new Set(spec.managedNodeGroups.map((ng) => ng.name));
  const list = spec.selfManagedNodeGroups ?? [];
  list.forEach((ng, i) => {
    const at = `/selfManagedNodeGroups/${i}`;
    if (!(ng.minSize <= ng.desiredSize && ng.desiredSize <= ng.maxSize)) {
      problems.push({ pointer: `${at}/desiredSize`, message: `sizes must satisfy minSize ≤ desiredSize ≤ maxSize (got ${ng.minSize} ≤ ${ng.desiredSize} ≤ ${ng.maxSize})` });
    }
    const arm = isGravitonType(ng.instanceTypes[0] ?? '');
    ng.instanceTypes.forEach((type, t) => {
      if (isGravitonType(type) !== arm) problems.push({ pointer: `${at}/instanceTypes/${t}`, message: `${type} is ${isGravitonType(type) ? 'an Arm (Graviton)' : 'an x86_64'} instance type but ${ng.instanceTypes[0]} is not: one AMI serves every type of a nodegroup, so they must share an architecture` });
    });
    if (ng.spot && ng.instancesDistribution) problems.push({ pointer: `${at}/spot`, message: 'give spot or instancesDistribution, not both (spot is instancesDistribution with onDemandPercentageAboveBaseCapacity 0)' });
    const distribution = ng.instancesDistribution;
    if (distribution && distribution.onDemandBaseCapacity > ng.maxSize) {
      problems.push({ pointer: `${at}/instancesDistribution/onDemandBaseCapacity`, message: `the On-Demand base capacity ${distribution.onDemandBaseCapacity} is above maxSize ${ng.maxSize}` });
    }
    for (const key of Object.keys(ng.labels)) {
      if (RESERVED_LABEL_DOMAIN.test(key)) problems.push({ pointer: `${at}/labels/${escapePointer(key)}`, message: 'labels must not use the kubernetes.io/ or k8s.io/ prefixes (reserved by Kubernetes)' });
    }
    ng.taints.forEach((taint, t) => {
      if (RESERVED_LABEL_DOMAIN.test(taint.key)) problems.push({ pointer: `${at}/taints/${t}/key`, message: 'taint keys must not use the kubernetes.io/ or k8s.io/ prefixes (reserved by Kubernetes)' });
    });
    if (ng.privateNetworking && privateSubnetsCannotReachAws(spec)) {
      problems.push({ pointer: `${at}/privateNetworking`, message: `nodes in private subnets need a NAT gateway or VPC endpoints to join the cluster: ${REACH_AWS_FIX}, or set privateNetworking to false` });
    }
    if (!ng.privateNetworking && restrictedPublicEndpoint) {
      problems.push({ pointer: `${at}/privateNetworking`, message: 'nodes in public subnets reach a public-only endpoint from their own public IPs, which its CIDRs cannot list in advance: keep them private ("privateNetworking": true), turn private access on ("private": true), or admit 0.0.0.0/0' });
    }
    if (!ng.privateNetworking && spec.network.subnets && spec.network.subnets.public.length === 0 && !ng.subnets) {
      problems.push({ pointer: `${at}/privateNetworking`, message: 'privateNetworking false places nodes in public subnets, but network.subnets.public is empty' });
    }
    ng.subnets?.forEach((id, s) => {
      if (spec.network.vpc) problems.push({ pointer: `${at}/subnets/${s}`, message: 'nodegroup subnets can only be chosen when the cluster uses existing subnets (network.subnets)' });
      else if (!existingSubnets.has(id)) problems.push({ pointer: `${at}/subnets/${s}`, message: `${id} is not one of the cluster's subnets (network.subnets)` });
    });
    if (managedNames.has(ng.name)) problems.push({ pointer: `${at}/name`, message: `nodegroup name "${ng.name}" is already a managed nodegroup's (names are unique across managedNodeGroups and selfManagedNodeGroups)` });
  });
  return problems.concat(duplicates(list.map((ng) => ng.name), '/selfManagedNodeGroups', 'name', 'nodegroup name'));
};

const RULES: Rule[] = [tags, network, endpointAccess, nodegroups, selfManagedNodegroups, fargateProfiles, identities, ownerAccess, addons, maintenance, autoMode, podIdentityProblems];

/** The EKS rules; the service's own limits are guardrails.ts's. */
export function specRuleProblems(spec: Spec): SpecProblem[] {
  return RULES.flatMap((rule) => rule(spec));
}

function duplicates(values: string[], arrayPointer: string, field: string, what: string): SpecProblem[] {
  const firstIndex = new Map<string, number>();
  const problems: SpecProblem[] = [];
  values.forEach((value, i) => {
    const first = firstIndex.get(value);
    if (first === undefined) firstIndex.set(value, i);
    else problems.push({ pointer: `${arrayPointer}/${i}/${field}`, message: `duplicate ${what} "${value}" (first at ${arrayPointer}/${first})` });
  });
  return problems;
}

/** RFC 6901: "~" → "~0", "/" → "~1". */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
