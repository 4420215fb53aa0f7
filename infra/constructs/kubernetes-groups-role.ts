/**
 * The role the VPC sweep (Delete Controller Resources, Roll Back) assumes to delete the security
 * groups Kubernetes' in-tree service controller made for a cluster: `k8s-elb-<load balancer>`,
 * tagged only `kubernetes.io/cluster/<name>: owned`. A policy cannot name that key for every
 * cluster, so the role may delete any security group that no stack and no EKS cluster made, and
 * each session narrows it to one cluster: the step assumes it with a session policy allowing the
 * delete only on groups whose `kubernetes.io/cluster/<that cluster>` tag is `owned`
 * (functions/ports/kubernetes-groups.ts). What a session may do is the intersection of both.
 */
import { ArnPrincipal, CompositePrincipal, Role, type IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { MADE_BY_AWS_TAGS } from '../../functions/domain/naming';
import { allow, arns } from './iam';

export interface KubernetesGroupsRoleProps {
  /** The step functions' roles that sweep a cluster's VPC (the only principals it trusts). */
  sweepers: IRole[];
}

export class KubernetesGroupsRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: KubernetesGroupsRoleProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new CompositePrincipal(...props.sweepers.map((r) => new ArnPrincipal(r.roleArn))),
      description: "eks-provisioner: deletes the security groups Kubernetes made for one cluster (k8s-elb-*), assumed with a session policy naming that cluster's tag",
    });
    allow(this.role, {
      actions: ['ec2:DeleteSecurityGroup'],
      resources: [arns.ec2('security-group/*')],
      conditions: { Null: Object.fromEntries(MADE_BY_AWS_TAGS.map((tag) => [`aws:ResourceTag/${tag}`, 'true'])) },
      wildcardReason:
        "Kubernetes names its groups k8s-elb-<load balancer> with ids EC2 generates, and tags them with a key holding the cluster's name, which no policy can name for every cluster: each session's policy names its one cluster's tag; this role never deletes what a stack or EKS made.",
    });
  }
}
