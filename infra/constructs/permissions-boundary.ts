/**
 * The permissions boundary of every role the cluster, nodegroup and Fargate stacks create: the
 * document in functions/domain/permissions-boundary.ts (shared with local mode), deployed as a
 * managed policy. Its ARN reaches the steps as PERMISSIONS_BOUNDARY_ARN, and the CloudFormation
 * execution role may create or change a role only under it (cluster-stack-role.ts).
 */
import { ManagedPolicy, PolicyDocument } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PERMISSIONS_BOUNDARY_DOCUMENT } from '../../functions/domain/permissions-boundary';
import { SERVICE_ROLE_PATH, acknowledgeIam5 } from './iam';

/** Why the boundary's wildcards are as wide as they are: it is a ceiling, never a grant. */
const BOUNDARY_REASON =
  'A permissions boundary grants nothing: it caps what the EKS cluster, node and Fargate roles may do, whatever policies they carry. It allows whole services the EKS managed policies use (EC2 networking and volumes, load balancers, SSM agent channels) on any resource because those policies do, and denies IAM, Organizations and account administration.';

export class RolePermissionsBoundary extends Construct {
  readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.policy = new ManagedPolicy(this, 'Policy', {
      path: SERVICE_ROLE_PATH,
      description: 'eks-provisioner: permissions boundary of every role its cluster, nodegroup and Fargate stacks create',
      document: PolicyDocument.fromJson(PERMISSIONS_BOUNDARY_DOCUMENT),
    });
    for (const finding of ['Resource::*', 'Action::ec2:*', 'Action::elasticloadbalancing:*', 'Action::autoscaling:Describe*', 'Action::ecr:Describe*', 'Action::ecr:List*', 'Action::ssmmessages:*', 'Action::ec2messages:*']) {
      acknowledgeIam5(this.policy, finding, BOUNDARY_REASON);
    }
  }

  get arn(): string {
    return this.policy.managedPolicyArn;
  }
}
