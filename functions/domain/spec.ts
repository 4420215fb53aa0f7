/**
 * Turns a caller's cluster spec into the normalised spec every step works from: eksctl's default
 * nodegroup and add-ons where the spec is silent, schema checks with the schema's defaults applied
 * (eksctl's defaults), derived defaults, then the EKS rules JSON Schema cannot express. Bad input
 * fails here with every problem named, before any AWS call.
 */
import type { ErrorObject } from 'ajv';
import { validateClusterSpec } from '../generated/validators';
import type { ClusterSpec, NormalisedAccessPolicy, NormalisedAddon, NormalisedClusterSpec, NormalisedFargateProfile, NormalisedManagedNodeGroup } from '../generated/types';
import { InvalidSpecError, type SpecProblem } from '../shared/errors';
import { guardrailProblems, type ResolvedGuardrails } from './guardrails';
import { COMPUTE_KEYS, defaultAddonNames, defaultNodegroupName } from './eksctl-defaults';
import { withPodIdentityAgent } from './pod-identity';
import { DEFAULT_FARGATE_PROFILE, specRuleProblems } from './spec-rules';

export { DEFAULT_FARGATE_PROFILE };

export interface NewVpcNetwork {
  vpc: { cidr: string; azCount: number; natGateway: 'Single' | 'HighlyAvailable' | 'Disable'; endpoints: boolean };
  subnets?: undefined;
}
/** How many NAT gateways a new VPC gets: one per zone (HighlyAvailable), one (Single) or none. */
export function natGatewayCount(vpc: NewVpcNetwork['vpc'] | undefined): number {
  if (!vpc) return 0;
  return vpc.natGateway === 'HighlyAvailable' ? vpc.azCount : vpc.natGateway === 'Single' ? 1 : 0;
}

export interface ExistingSubnetsNetwork {
  vpc?: undefined;
  subnets: { private: string[]; public: string[] };
}
export interface ResolvedEndpointAccess {
  public: boolean;
  private: boolean;
  publicAccessCidrs: string[];
}

/** The owner's access after normalisation: "none", or one access policy with its scope. */
export type OwnerAccess = 'none' | (NormalisedAccessPolicy & { scope: 'cluster' | 'namespace' });

/**
 * The spec after normalisation: every default applied, the `fargate` shorthand expanded. The
 * nodegroup and add-on lists have no schema default (absent and empty mean different things), so
 * their normalised type is stated here.
 */
export type Spec = Omit<NormalisedClusterSpec, 'network' | 'endpointAccess' | 'version' | 'tags' | 'fargateProfiles' | 'managedNodeGroups' | 'addons' | 'ownerAccess'> & {
  version: string;
  tags: Record<string, string>;
  network: NewVpcNetwork | ExistingSubnetsNetwork;
  endpointAccess: ResolvedEndpointAccess;
  fargateProfiles: NormalisedFargateProfile[];
  managedNodeGroups: NormalisedManagedNodeGroup[];
  addons: NormalisedAddon[];
  ownerAccess: OwnerAccess;
};

export type NodegroupSpec = Spec['managedNodeGroups'][number];
export type SelfManagedNodegroupSpec = Spec['selfManagedNodeGroups'][number];
export type FargateProfileSpec = Spec['fargateProfiles'][number];
export type AddonSpec = Spec['addons'][number];
export type AccessEntrySpec = Spec['accessEntries'][number];
export type IdentityMappingSpec = Spec['identityMappings'][number];
export type PodIdentityAssociationSpec = Spec['podIdentityAssociations'][number];

/** The running cluster's settings PATCH /clusters/{name} changes, each independently of the others. */
export const CLUSTER_SETTING_FIELDS = ['logging', 'tags', 'deletionProtection', 'upgradePolicy', 'zonalShift', 'authenticationMode', 'secretsEncryption', 'maintenance', 'autoMode', 'iam'] as const;
export type ClusterSettingField = (typeof CLUSTER_SETTING_FIELDS)[number];
/** Some of those settings, as the normalised spec has them. */
export type ClusterSettings = Partial<Pick<Spec, ClusterSettingField>>;

/**
 * Validates and normalises; throws InvalidSpecError listing every problem: the EKS rules and the
 * service's guardrails together, so one answer names everything to fix.
 */
export function normaliseSpec(input: unknown, guardrails: ResolvedGuardrails): Spec {
  const candidate = structuredClone(input ?? {}) as ClusterSpec;
  acceptResolvedPrivateEndpoint(candidate);
  const { nodegroupDefaulted } = applyEksctlDefaults(candidate);
  if (!validateClusterSpec(candidate)) throw new InvalidSpecError(schemaProblems(validateClusterSpec.errors ?? []));
  const spec = applyDerivedDefaults(candidate as NormalisedClusterSpec, guardrails);
  const cidrsDefaulted = candidate.endpointAccess?.publicAccessCidrs === undefined;
  const problems = [
    ...specRuleProblems(spec),
    ...guardrailProblems(spec, guardrails).map((p) => {
      // A defaulted 0.0.0.0/0 has no index in the request: point at the list the caller should add.
      if (cidrsDefaulted && p.pointer.startsWith('/endpointAccess/publicAccessCidrs/')) return { ...p, pointer: '/endpointAccess/publicAccessCidrs' };
      // Nor has the default nodegroup: point at the list whose absence made it, and say so.
      if (nodegroupDefaulted && p.pointer.startsWith('/managedNodeGroups/')) return { pointer: '/managedNodeGroups', message: `the default nodegroup ${spec.managedNodeGroups[0]?.name}: ${p.message}; give managedNodeGroups yourself` };
      return p;
    }),
  ];
  if (problems.length > 0) throw new InvalidSpecError(problems);
  return spec;
}

/**
 * A normalised private-only endpoint carries `publicAccessCidrs: []`, which the schema refuses
 * from callers (an empty list would lock everyone out of a public endpoint). Read it back as
 * "no CIDRs", so a normalised spec normalises again unchanged (the Plan step re-checks it).
 */
function acceptResolvedPrivateEndpoint(candidate: unknown): void {
  const access = (candidate as { endpointAccess?: { public?: unknown; publicAccessCidrs?: unknown } }).endpointAccess;
  if (access?.public === false && Array.isArray(access.publicAccessCidrs) && access.publicAccessCidrs.length === 0) delete access.publicAccessCidrs;
}

/**
 * eksctl's defaults for what the spec does not mention: one managed nodegroup when no compute is
 * asked for (no managedNodeGroups, fargate or fargateProfiles key), and the default add-ons when
 * there is no addons key. Added before the schema check so the schema's own ManagedNodeGroup
 * defaults (2 x m5.large, AL2023) shape the nodegroup and every guardrail sees it like any other.
 * An explicit empty list means none. A normalised spec carries both lists, so it normalises again
 * unchanged. With Auto Mode on, EKS runs the nodes and the networking add-ons itself: eksctl then
 * defaults no nodegroup and only the add-ons Auto Mode does not build in.
 */
function applyEksctlDefaults(candidate: ClusterSpec): { nodegroupDefaulted: boolean } {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) return { nodegroupDefaulted: false };
  const autoMode = autoModeAsked(candidate);
  const nodegroupDefaulted = !autoMode && COMPUTE_KEYS.every((key) => !(key in candidate)) && typeof candidate.name === 'string';
  if (nodegroupDefaulted) candidate.managedNodeGroups = [{ name: defaultNodegroupName(candidate.name) }];
  if (!('addons' in candidate)) candidate.addons = defaultAddonNames(autoMode).map((name) => ({ name }));
  return { nodegroupDefaulted };
}

/** Whether the request turns Auto Mode on (read before the schema check: anything but `enabled: true` is off). */
function autoModeAsked(candidate: ClusterSpec): boolean {
  const autoMode = (candidate as { autoMode?: unknown }).autoMode;
  return typeof autoMode === 'object' && autoMode !== null && (autoMode as { enabled?: unknown }).enabled === true;
}

function applyDerivedDefaults(input: NormalisedClusterSpec, guardrails: ResolvedGuardrails): Spec {
  const endpoint: Partial<ResolvedEndpointAccess> = input.endpointAccess ?? {};
  const isPublic = endpoint.public ?? true;
  const network = input.network?.subnets ? { subnets: { private: input.network.subnets.private, public: input.network.subnets.public ?? [] } } : { vpc: newVpc(input.network?.vpc, isPublic, endpoint.private ?? false) };
  const fargateProfiles = [...input.fargateProfiles];
  if (input.fargate && !fargateProfiles.some((p) => p.name === DEFAULT_FARGATE_PROFILE.name)) fargateProfiles.unshift(structuredClone(DEFAULT_FARGATE_PROFILE));
  return {
    ...input,
    version: input.version ?? guardrails.defaultKubernetesVersion,
    tags: (input.tags as Record<string, string> | undefined) ?? {},
    network,
    endpointAccess: {
      public: isPublic,
      private: endpoint.private ?? false,
      // EKS's own default when the public endpoint is on and no CIDRs are given.
      publicAccessCidrs: endpoint.publicAccessCidrs ?? (isPublic ? ['0.0.0.0/0'] : []),
    },
    fargateProfiles,
    // Absent only when the spec asked for Fargate instead (no nodegroup is defaulted then).
    managedNodeGroups: input.managedNodeGroups ?? [],
    addons: withPodIdentityAgent(input.addons ?? [], input.podIdentityAssociations),
    ownerAccess: input.ownerAccess === 'none' ? 'none' : { ...input.ownerAccess, scope: input.ownerAccess.scope ?? 'cluster' },
  };
}

/**
 * A new VPC with eksctl's defaults; its endpoints default on for a fully private cluster (no NAT
 * gateway, private-only endpoint: eksctl's privateCluster), whose private subnets reach AWS only
 * through them. Recorded with the spec, so a later endpointAccess change does not move them.
 */
function newVpc(vpc: NonNullable<NormalisedClusterSpec['network']>['vpc'], isPublic: boolean, isPrivate: boolean): NewVpcNetwork['vpc'] {
  const natGateway = vpc?.natGateway ?? 'Single';
  return { cidr: '192.168.0.0/16', azCount: 2, ...vpc, natGateway, endpoints: vpc?.endpoints ?? (natGateway === 'Disable' && !isPublic && isPrivate) };
}

/** Ajv's errors as JSON pointers and rules a person can act on. */
export function schemaProblems(errors: ErrorObject[]): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const error of errors) {
    // A oneOf reports each branch's failure; one clear message replaces them. But an ownerAccess
    // object is an access policy: what is wrong inside it is worth naming.
    if (error.instancePath.startsWith('/ownerAccess') ? isOwnerAccessBranchNoise(error) : error.schemaPath.includes('/oneOf/')) continue;
    let pointer = error.instancePath;
    let message = error.message ?? 'is invalid';
    switch (error.keyword) {
      case 'required':
        pointer = `${pointer}/${(error.params as { missingProperty: string }).missingProperty}`;
        message = 'is required';
        break;
      case 'additionalProperties':
        pointer = `${pointer}/${(error.params as { additionalProperty: string }).additionalProperty}`;
        message = 'is not a known field';
        break;
      case 'propertyNames':
        message = `has an invalid key ${JSON.stringify((error.params as { propertyName: string }).propertyName)}`;
        break;
      case 'oneOf':
        message = pointer === '/ownerAccess' ? 'must be "none" or an access policy ({"policy": …, "scope": "cluster" | "namespace", "namespaces": […]})' : 'must give exactly one of "vpc" (a new VPC) or "subnets" (an existing VPC)';
        break;
      case 'pattern':
        message = `must match ${(error.params as { pattern: string }).pattern}`;
        break;
      case 'enum':
        message = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
        break;
    }
    if (error.keyword === 'propertyNames' && problems.some((p) => p.pointer === pointer && p.message === message)) continue;
    problems.push({ pointer, message });
  }
  return dedupe(problems);
}

/** "not a string", "not an object": each branch's view of an ownerAccess that matches neither, said once by the oneOf message. */
function isOwnerAccessBranchNoise(error: ErrorObject): boolean {
  return error.instancePath === '/ownerAccess' && !['oneOf', 'required', 'additionalProperties'].includes(error.keyword);
}

function dedupe(problems: SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.pointer}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
