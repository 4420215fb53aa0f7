/**
 * EKS Pod Identity associations: one per namespace and service account of a cluster, each naming
 * the IAM role its pods get credentials for. EKS makes, changes and deletes them at once (no
 * status), checks the role (it must exist and trust pods.eks.amazonaws.com with sts:AssumeRole
 * and sts:TagSession, or EKS answers "Trust policy of the role provided is invalid"), and deletes
 * them with their cluster (they live on the cluster's record).
 */
import { createHash } from 'node:crypto';
import type { CreatePodIdentityAssociationRequest, UpdatePodIdentityAssociationRequest } from '@aws-sdk/client-eks';
import type { Role } from '../../world';
import { EksPart } from './context';
import type { Cluster, PodIdentityAssociation } from './model';
import { inUse, invalidParameter, notFound } from './validation';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;
/** Kubernetes names: a namespace is a DNS label, a service account a DNS subdomain. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SERVICE_ACCOUNT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** EKS's quota of associations per cluster. */
const MAX_ASSOCIATIONS = 5000;

export class PodIdentityAssociations extends EksPart {
  /** The cluster's associations (worlds saved before Pod Identity have none on their records). */
  private associationsOf(cluster: Cluster): Map<string, PodIdentityAssociation> {
    cluster.podIdentityAssociations ??= new Map();
    return cluster.podIdentityAssociations;
  }

  createPodIdentityAssociation(clusterName: string, input: CreatePodIdentityAssociationRequest): PodIdentityAssociation {
    const cluster = this.usableCluster(clusterName);
    const namespace = input.namespace ?? '';
    const serviceAccount = input.serviceAccount ?? '';
    if (!NAMESPACE.test(namespace) || namespace.length > 63) throw invalidParameter(`Namespace ${namespace || '(empty)'} is invalid: it must be a Kubernetes namespace name`);
    if (!SERVICE_ACCOUNT.test(serviceAccount) || serviceAccount.length > 253) throw invalidParameter(`Service account ${serviceAccount || '(empty)'} is invalid: it must be a Kubernetes service account name`);
    const associations = this.associationsOf(cluster);
    const existing = [...associations.values()].find((a) => a.namespace === namespace && a.serviceAccount === serviceAccount);
    if (existing) {
      // A retry with the same token answers the association it made.
      if (input.clientRequestToken && existing.clientRequestToken === input.clientRequestToken) return existing;
      throw inUse('Association already exists for the service account in the namespace.');
    }
    if (associations.size >= MAX_ASSOCIATIONS) throw invalidParameter(`The cluster has reached its limit of ${MAX_ASSOCIATIONS} Pod Identity associations`);
    const roleArn = this.checkedRole(input.roleArn);
    const associationId = `a-${createHash('sha256').update(`${cluster.arn}/${namespace}/${serviceAccount}/${this.now().getTime()}`).digest('hex').slice(0, 17)}`;
    const now = this.now();
    const association: PodIdentityAssociation = {
      clusterName: cluster.name,
      namespace,
      serviceAccount,
      roleArn,
      associationId,
      associationArn: this.arn(`podidentityassociation/${cluster.name}/${associationId}`),
      tags: { ...(input.tags ?? {}) },
      createdAt: now,
      modifiedAt: now,
      disableSessionTags: input.disableSessionTags ?? false,
      ...(input.clientRequestToken ? { clientRequestToken: input.clientRequestToken } : {}),
    };
    associations.set(associationId, association);
    return association;
  }

  podIdentityAssociation(clusterName: string, associationId: string): PodIdentityAssociation {
    const association = this.associationsOf(this.cluster(clusterName)).get(associationId);
    if (!association) throw notFound(`The specified association id ${associationId} could not be found.`);
    return association;
  }

  /** In creation order; `namespace` and `serviceAccount` filter exactly, as EKS's do. */
  listPodIdentityAssociations(clusterName: string, filter: { namespace?: string; serviceAccount?: string }): PodIdentityAssociation[] {
    return [...this.associationsOf(this.cluster(clusterName)).values()].filter(
      (a) => (filter.namespace === undefined || a.namespace === filter.namespace) && (filter.serviceAccount === undefined || a.serviceAccount === filter.serviceAccount),
    );
  }

  updatePodIdentityAssociation(clusterName: string, associationId: string, input: UpdatePodIdentityAssociationRequest): PodIdentityAssociation {
    this.usableCluster(clusterName);
    const association = this.podIdentityAssociation(clusterName, associationId);
    if (input.roleArn !== undefined) association.roleArn = this.checkedRole(input.roleArn);
    if (input.disableSessionTags !== undefined) association.disableSessionTags = input.disableSessionTags;
    association.modifiedAt = this.now();
    return association;
  }

  deletePodIdentityAssociation(clusterName: string, associationId: string): PodIdentityAssociation {
    const association = this.podIdentityAssociation(clusterName, associationId);
    this.associationsOf(this.cluster(clusterName)).delete(associationId);
    return association;
  }

  /** EKS's checks of the role: an IAM role ARN, of a role that exists and trusts EKS Pod Identity. */
  private checkedRole(roleArn: string | undefined): string {
    const arn = roleArn ?? '';
    if (!ROLE_ARN.test(arn)) throw invalidParameter(`Role arn ${arn || '(empty)'} is invalid: it must be an IAM role ARN`);
    const role = this.world.iam.byArn(arn);
    if (!role) throw invalidParameter(`The role with name ${ROLE_ARN.exec(arn)![2]} cannot be found.`);
    if (!trustsPodIdentity(role)) throw invalidParameter('Trust policy of the role provided is invalid. Follow the official documentation to resolve the issue.');
    return arn;
  }
}

/** Whether an Allow statement lets pods.eks.amazonaws.com both sts:AssumeRole and sts:TagSession (EKS needs both). */
export function trustsPodIdentity(role: Pick<Role, 'assumeRolePolicyDocument'>): boolean {
  const document = typeof role.assumeRolePolicyDocument === 'string' ? (JSON.parse(role.assumeRolePolicyDocument) as unknown) : role.assumeRolePolicyDocument;
  const statements = (document as { Statement?: unknown })?.Statement;
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
  const allowed = new Set<string>();
  for (const statement of list(statements) as Array<{ Effect?: string; Principal?: { Service?: unknown }; Action?: unknown }>) {
    if (statement.Effect !== 'Allow' || !list(statement.Principal?.Service).includes('pods.eks.amazonaws.com')) continue;
    for (const action of list(statement.Action)) allowed.add(String(action));
  }
  return ['sts:AssumeRole', 'sts:TagSession'].every((action) => allowed.has(action) || allowed.has('sts:*') || allowed.has('*'));
}
