/**
 * The permissions boundaries of the roles the service's stacks create, each a document in
 * functions/domain/permissions-boundary.ts (shared with local mode) deployed as a managed policy:
 * the roles' boundary (the cluster, node and Fargate roles), whose ARN reaches the steps as
 * PERMISSIONS_BOUNDARY_ARN, and the pod role boundary (the roles made for Pod Identity
 * associations), as POD_ROLE_BOUNDARY_ARN. The CloudFormation execution role may create or change
 * a role only under one of them (cluster-stack-role.ts).
 */
import { ManagedPolicy, PolicyDocument } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PERMISSIONS_BOUNDARY_DOCUMENT, POD_ROLE_BOUNDARY_DOCUMENT } from '../../functions/domain/permissions-boundary';
import { SERVICE_ROLE_PATH, acknowledgeIam5 } from './iam';

/** Why the boundary's wildcards are as wide as they are: it is a ceiling, never a grant. */
const BOUNDARY_REASON =
  'A permissions boundary grants nothing: it caps what the EKS cluster, node and Fargate roles may do, whatever policies they carry. It allows whole services the EKS managed policies use (EC2 networking and volumes, load balancers, SSM agent channels) on any resource because those policies do, and denies IAM, Organizations and account administration.';
const POD_BOUNDARY_REASON =
  "A permissions boundary grants nothing: the roles it bounds carry only the policies the allowedPodPolicyArns guardrail lists, policy by policy, which are the decision; it lets them work and takes away IAM, role chaining, Organizations and account administration whatever they say.";

interface BoundaryProps {
  description: string;
  document: Record<string, unknown>;
  /** cdk-nag AwsSolutions-IAM5 findings the document's wildcards raise, and why they stand. */
  wildcards: { findings: string[]; reason: string };
}

class BoundaryPolicy extends Construct {
  readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: BoundaryProps) {
    super(scope, id);
    this.policy = new ManagedPolicy(this, 'Policy', { path: SERVICE_ROLE_PATH, description: props.description, document: PolicyDocument.fromJson(props.document) });
    for (const finding of props.wildcards.findings) acknowledgeIam5(this.policy, finding, props.wildcards.reason);
  }

  get arn(): string {
    return this.policy.managedPolicyArn;
  }
}

/** The boundary of every role the cluster, nodegroup and Fargate stacks create. */
export class RolePermissionsBoundary extends BoundaryPolicy {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      description: 'eks-provisioner: permissions boundary of every role its cluster, nodegroup and Fargate stacks create',
      document: PERMISSIONS_BOUNDARY_DOCUMENT,
      wildcards: {
        findings: ['Resource::*', 'Action::ec2:*', 'Action::elasticloadbalancing:*', 'Action::autoscaling:Describe*', 'Action::ecr:Describe*', 'Action::ecr:List*', 'Action::ssmmessages:*', 'Action::ec2messages:*'],
        reason: BOUNDARY_REASON,
      },
    });
  }
}

/** The boundary of the roles made for Pod Identity associations (under /eks-provisioner/pod-identity/). */
export class PodRolePermissionsBoundary extends BoundaryPolicy {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      description: 'eks-provisioner: permissions boundary of the roles it makes for Pod Identity associations',
      document: POD_ROLE_BOUNDARY_DOCUMENT,
      wildcards: { findings: ['Resource::*', 'Action::*'], reason: POD_BOUNDARY_REASON },
    });
  }
}
