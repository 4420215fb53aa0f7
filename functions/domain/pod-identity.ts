/**
 * EKS Pod Identity, as the spec's podIdentityAssociations ask for it (docs/api.md, Workload
 * identities): which service account gets which role, the add-on that hands pods their
 * credentials, the rules a JSON Schema cannot say, and the names the template, the stacks and the
 * routes share. An association is keyed by namespace and service account: EKS allows one per pair.
 */
import { createHash } from 'node:crypto';
import type { SpecProblem } from '../shared/errors';
import type { AddonSpec, PodIdentityAssociationSpec, Spec } from './spec';

/** The add-on whose DaemonSet serves pods the role's credentials; without it an association does nothing. */
export const POD_IDENTITY_AGENT_ADDON = 'eks-pod-identity-agent';

/** The service principal a Pod Identity role trusts (sts:AssumeRole and sts:TagSession). */
export const POD_IDENTITY_PRINCIPAL = 'pods.eks.amazonaws.com';

/** `<namespace>/<serviceAccountName>`: the association's key, its change target and its DELETE route's two path segments. */
export function associationKey(association: Pick<PodIdentityAssociationSpec, 'namespace' | 'serviceAccountName'>): string {
  return `${association.namespace}/${association.serviceAccountName}`;
}

/** The namespace and service account of a key; Kubernetes names hold no `/`, so the first one splits them. */
export function parseAssociationKey(key: string): { namespace: string; serviceAccountName: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), serviceAccountName: key.slice(slash + 1) };
}

/** Whether the service makes the association's role (permissionPolicyArns) rather than the caller bringing one (roleArn). */
export function hasServiceRole(association: PodIdentityAssociationSpec): boolean {
  return association.roleArn === undefined && (association.permissionPolicyArns?.length ?? 0) > 0;
}

/**
 * The spec's add-ons with eks-pod-identity-agent appended when there are associations and the
 * spec does not list it (EKS's agent is what serves their credentials; eksctl adds it likewise).
 * A listed one (with its own version or configuration) is kept as given.
 */
export function withPodIdentityAgent(addons: AddonSpec[], associations: readonly PodIdentityAssociationSpec[] | undefined): AddonSpec[] {
  if (!associations || associations.length === 0 || addons.some((a) => a.name === POD_IDENTITY_AGENT_ADDON)) return addons;
  return [...addons, { name: POD_IDENTITY_AGENT_ADDON }];
}

/** Exactly one of roleArn and permissionPolicyArns; one association per service account (EKS answers ResourceInUse to a second). */
export function podIdentityProblems(spec: Pick<Spec, 'podIdentityAssociations'>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const seen = new Map<string, number>();
  spec.podIdentityAssociations.forEach((association, i) => {
    const at = `/podIdentityAssociations/${i}`;
    const policies = association.permissionPolicyArns !== undefined;
    if ((association.roleArn !== undefined) === policies) {
      problems.push({ pointer: at, message: 'must give exactly one of roleArn (a role you made, trusting pods.eks.amazonaws.com) or permissionPolicyArns (the service makes the role with these policies)' });
    }
    const key = associationKey(association);
    const first = seen.get(key);
    if (first !== undefined) problems.push({ pointer: `${at}/serviceAccountName`, message: `service account ${key} already has an association (podIdentityAssociations/${first}); EKS allows one per service account` });
    else seen.set(key, i);
  });
  return problems;
}

/** CloudFormation stack names: letters, digits and hyphens, at most 128 characters. */
const STACK_NAME_MAX = 128;

/**
 * The stack of a role made for an association added after provisioning (associations given at
 * creation have theirs in the cluster stack): `eksp-<cluster>-podidentity-<namespace>-<sa>-<hash>`.
 * The hash of `<namespace>/<sa>` keeps "a-b"/"c" and "a"/"b-c" apart, and whatever a long or dotted
 * service account name loses to the stack name's rules.
 */
export function podIdentityStackName(clusterName: string, association: Pick<PodIdentityAssociationSpec, 'namespace' | 'serviceAccountName'>): string {
  const hash = createHash('sha256').update(associationKey(association)).digest('hex').slice(0, 8);
  const readable = `${podIdentityStackPrefix(clusterName)}${association.namespace}-${association.serviceAccountName.replace(/[^A-Za-z0-9-]/g, '-')}`;
  return `${readable.slice(0, STACK_NAME_MAX - hash.length - 1)}-${hash}`;
}

/** What every Pod Identity role stack of a cluster starts with (another cluster's may too: TAG_CLUSTER tells). */
export function podIdentityStackPrefix(clusterName: string): string {
  return `eksp-${clusterName}-podidentity-`;
}
