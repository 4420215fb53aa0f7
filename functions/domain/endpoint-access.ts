/**
 * Endpoint access: the CIDRs a cluster's own nodes need, and the update a switch asks for. Every
 * cluster is created with the access its spec asks for (the service reaches the Kubernetes API
 * from inside the VPC, through the kube agent); EKS rejects an update that changes nothing, so
 * the live config is diffed first.
 */
import { parseCidr, sameCidrSet } from './cidr';
import type { ResolvedEndpointAccess, Spec } from './spec';

/**
 * Whether a cluster's own nodes need the endpoint's CIDRs to admit their egress addresses: a
 * public-only endpoint restricted to CIDRs (with private access, nodes in the VPC use the private
 * endpoint; 0.0.0.0/0 admits everyone). EKS documents it: otherwise nodes never join.
 */
export function publicEndpointNeedsNodeEgress(access: ResolvedEndpointAccess): boolean {
  return access.public && !access.private && !access.publicAccessCidrs.some((cidr) => parseCidr(cidr)?.prefix === 0);
}

/** The endpoint access to ask EKS for: the spec's, plus the VPC's NAT addresses when its nodes need them. */
export function endpointAccessWithNodeEgress(access: ResolvedEndpointAccess, natPublicIps: string[]): ResolvedEndpointAccess {
  if (!publicEndpointNeedsNodeEgress(access)) return access;
  const natCidrs = natPublicIps.map((ip) => `${ip}/32`).filter((cidr) => !access.publicAccessCidrs.includes(cidr));
  return { ...access, publicAccessCidrs: [...access.publicAccessCidrs, ...natCidrs] };
}

/** The spec's Kubernetes API work: aws-auth mappings, or in CONFIG_MAP mode the owner's (owner-access.ts). */
export function needsKubernetesApi(spec: Spec): boolean {
  if (spec.authenticationMode === 'API') return false;
  const ownerMapped = spec.authenticationMode === 'CONFIG_MAP' && (spec.ownerAccess ?? 'none') !== 'none';
  // CONFIG_MAP admits a self-managed nodegroup's role with an aws-auth mapping (no access entries there).
  const nodesMapped = spec.authenticationMode === 'CONFIG_MAP' && (spec.selfManagedNodeGroups ?? []).length > 0;
  return spec.identityMappings.length > 0 || ownerMapped || nodesMapped;
}

export interface LiveEndpointAccess {
  endpointPublicAccess?: boolean;
  endpointPrivateAccess?: boolean;
  publicAccessCidrs?: string[];
}

/** The UpdateClusterConfig resourcesVpcConfig to send, or undefined when the live config already matches. */
export function endpointAccessChange(live: LiveEndpointAccess, wanted: ResolvedEndpointAccess) {
  const liveCidrs = live.endpointPublicAccess ? (live.publicAccessCidrs ?? ['0.0.0.0/0']) : [];
  const wantedCidrs = wanted.public ? wanted.publicAccessCidrs : [];
  const same =
    Boolean(live.endpointPublicAccess) === wanted.public &&
    Boolean(live.endpointPrivateAccess) === wanted.private &&
    sameCidrSet(liveCidrs, wantedCidrs);
  if (same) return undefined;
  return {
    endpointPublicAccess: wanted.public,
    endpointPrivateAccess: wanted.private,
    ...(wanted.public ? { publicAccessCidrs: wanted.publicAccessCidrs } : {}),
  };
}

/**
 * The endpoint access an EndpointAccessUpdate leaves once it applies, from its params (EKS lists
 * EndpointPublicAccess, EndpointPrivateAccess and PublicAccessCidrs, the CIDRs as a JSON array);
 * what it does not list stays as it is live.
 */
export function endpointAccessAfter(live: LiveEndpointAccess, params: ReadonlyArray<{ type?: string; value?: string }> | undefined): LiveEndpointAccess {
  const after = { ...live };
  for (const { type, value } of params ?? []) {
    if (value === undefined) continue;
    if (type === 'EndpointPublicAccess') after.endpointPublicAccess = value === 'true';
    if (type === 'EndpointPrivateAccess') after.endpointPrivateAccess = value === 'true';
    if (type === 'PublicAccessCidrs') {
      try {
        after.publicAccessCidrs = JSON.parse(value) as string[];
      } catch {
        // Not the JSON array EKS sends: keep the live CIDRs, so the update is not taken for the asked one.
      }
    }
  }
  return after;
}
