/**
 * Endpoint access: what the cluster is created with, and whether a switch is needed at the end.
 * EKS rejects an update that changes nothing, so the live config is diffed first.
 */
import { sameCidrSet } from './cidr';
import type { ResolvedEndpointAccess, Spec } from './spec';

/**
 * Steps that talk to the Kubernetes API (aws-auth edits) must reach it from outside the VPC, so
 * such clusters start with an unrestricted public endpoint and switch at the end. Clusters that
 * need no Kubernetes API call are created with their final access: no 5–7 minute update.
 */
export function initialEndpointAccess(spec: Spec): ResolvedEndpointAccess {
  if (!needsKubernetesApi(spec)) return spec.endpointAccess;
  return { public: true, private: spec.endpointAccess.private, publicAccessCidrs: ['0.0.0.0/0'] };
}

/** aws-auth is written: the spec's mappings, or in CONFIG_MAP mode the owner's (owner-access.ts). */
export function needsKubernetesApi(spec: Spec): boolean {
  if (spec.authenticationMode === 'API') return false;
  const ownerMapped = spec.authenticationMode === 'CONFIG_MAP' && (spec.ownerAccess ?? 'none') !== 'none';
  return spec.identityMappings.length > 0 || ownerMapped;
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
