/**
 * Deleting the security groups Kubernetes' in-tree service controller made for one cluster
 * (`k8s-elb-<load balancer>`, for each Service of type LoadBalancer it gave a Classic Load
 * Balancer). They carry only Kubernetes' ownership tag, `kubernetes.io/cluster/<name>: owned`,
 * whose key holds the cluster's name: no standing policy can name it, so no function may delete
 * them with its own role. Instead the sweep assumes the Kubernetes groups role
 * (infra/constructs/kubernetes-groups-role.ts: DeleteSecurityGroup on no group a stack or EKS
 * made) with a session policy naming this one cluster's tag, and deletes with that session.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { config } from '../shared/config';
import { once } from '../shared/once';
import { assumedRoleCredentials } from './assumed-role';
import { QueryEc2, type DeleteOutcome, type Ec2Port } from './ec2';

export interface KubernetesGroupsPort {
  /** Deletes a group tagged `kubernetes.io/cluster/<cluster>: owned`; AWS refuses any other (the session's policy). */
  deleteOwnedSecurityGroup(cluster: string, groupId: string): Promise<DeleteOutcome>;
}

/** The only call a session may make: deleting a security group Kubernetes owns for this cluster. */
export function ownedGroupsSessionPolicy(cluster: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'ec2:DeleteSecurityGroup',
        Resource: '*',
        Condition: { StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: 'owned' } },
      },
    ],
  });
}

/** `eksp-groups-<cluster>`, cut to STS's 64 characters: CloudTrail shows which cluster a delete was for. */
export function ownedGroupsSessionName(cluster: string): string {
  return `eksp-groups-${cluster}`.slice(0, 64);
}

export interface AssumedKubernetesGroupsOptions {
  region: () => string;
  sts: () => STSClient;
  /** KUBERNETES_GROUPS_ROLE_ARN. */
  roleArn: () => string;
}

/** One EC2 client per cluster, each signing with its own scoped session. */
export class AssumedKubernetesGroups implements KubernetesGroupsPort {
  private readonly clients = new Map<string, Ec2Port>();

  constructor(private readonly options: AssumedKubernetesGroupsOptions) {}

  deleteOwnedSecurityGroup(cluster: string, groupId: string): Promise<DeleteOutcome> {
    return this.clientFor(cluster).deleteSecurityGroup(groupId);
  }

  private clientFor(cluster: string): Ec2Port {
    let client = this.clients.get(cluster);
    if (!client) {
      const credentials = assumedRoleCredentials(this.options.sts, { roleArn: this.options.roleArn(), sessionName: ownedGroupsSessionName(cluster), policy: ownedGroupsSessionPolicy(cluster) });
      this.clients.set(cluster, (client = new QueryEc2({ region: this.options.region, credentials })));
    }
    return client;
  }
}

/** The port as the sweeping steps deploy with it. */
export const assumedKubernetesGroups = once(
  (): KubernetesGroupsPort => new AssumedKubernetesGroups({ region: config.region, sts: once(() => new STSClient({})), roleArn: config.kubernetesGroupsRoleArn }),
);
