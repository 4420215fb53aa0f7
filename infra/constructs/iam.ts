/**
 * Least-privilege helpers: permissions are written as ARN patterns scoped to this account and
 * region, and every wildcard that remains carries its justification right where it is granted,
 * as a cdk-nag acknowledgement of exactly that finding (AwsSolutions-IAM5[Resource::<pattern>]).
 */
import { Fn, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
// cdk-nag's own rendering of a resource in IAM5 finding ids, so acknowledgements match exactly.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';
import { POD_ROLE_PATH } from '../../functions/domain/cluster-template';
import { KUBE_AGENT_NAME_PATTERN } from '../../functions/domain/naming';

/**
 * An ARN pattern in CloudFormation `Fn::Sub` syntax, e.g.
 * `arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/*`. Kept as one Fn::Sub
 * (rather than Stack.formatArn) so the synthesized policy reads like the pattern and the cdk-nag
 * finding id is the same whether or not the stack is bound to an account.
 */
export class ArnPattern {
  constructor(readonly template: string) {}

  /** The value to put in a policy statement. */
  toPolicyResource(): string {
    return Fn.sub(this.template);
  }
}

const P = '${AWS::Partition}';
const R = '${AWS::Region}';
const A = '${AWS::AccountId}';

export const arns = {
  eks: (resource: string) => new ArnPattern(`arn:${P}:eks:${R}:${A}:${resource}`),
  cloudformation: (resource: string) => new ArnPattern(`arn:${P}:cloudformation:${R}:${A}:${resource}`),
  ec2: (resource: string) => new ArnPattern(`arn:${P}:ec2:${R}:${A}:${resource}`),
  elasticloadbalancing: (resource: string) => new ArnPattern(`arn:${P}:elasticloadbalancing:${R}:${A}:${resource}`),
  iam: (resource: string) => new ArnPattern(`arn:${P}:iam::${A}:${resource}`),
  kms: (resource: string) => new ArnPattern(`arn:${P}:kms:${R}:${A}:${resource}`),
  lambda: (resource: string) => new ArnPattern(`arn:${P}:lambda:${R}:${A}:${resource}`),
  logs: (resource: string) => new ArnPattern(`arn:${P}:logs:${R}:${A}:${resource}`),
  scheduler: (resource: string) => new ArnPattern(`arn:${P}:scheduler:${R}:${A}:${resource}`),
  autoscaling: (resource: string) => new ArnPattern(`arn:${P}:autoscaling:${R}:${A}:${resource}`),
  /** AWS's public parameters (no account in their ARN). */
  ssmPublic: (resource: string) => new ArnPattern(`arn:${P}:ssm:${R}::${resource}`),
};

/** Naming contract with functions/domain (naming.ts, cluster-template.ts ROLE_PATH); test/infra checks it. */
export const CLUSTER_STACK_PATTERN = 'eksp-*-cluster';
/** Stacks of nodegroups added after provisioning (naming.ts nodegroupStackName). */
export const NODEGROUP_STACK_PATTERN = 'eksp-*-nodegroup-*';
/** The Fargate stack (pod execution role) of a cluster made without profiles (naming.ts fargateStackName). */
export const FARGATE_STACK_PATTERN = 'eksp-*-fargate';
/** The Auto Mode stack (node role) of a cluster switched to Auto Mode after it was made (naming.ts autoModeStackName). */
export const AUTO_MODE_STACK_PATTERN = 'eksp-*-automode';
/** The OIDC stack (IAM OIDC provider) of a cluster switched to iam.withOIDC after it was made (naming.ts oidcStackName). */
export const OIDC_STACK_PATTERN = 'eksp-*-oidc';
/** Stacks of Pod Identity roles for associations added after provisioning (domain/pod-identity.ts podIdentityStackName). */
export const POD_IDENTITY_STACK_PATTERN = 'eksp-*-podidentity-*';
/** Clusters' expiry schedules (ports/schedules.ts expiryScheduleName), in the group SCHEDULE_GROUP_NAME names (default `default`). */
export const EXPIRY_SCHEDULE_PATTERN = 'eksp-*-expiry';
/** Clusters' unattended-upgrade schedules (ports/schedules.ts upgradeScheduleName), in the same group. */
export const UPGRADE_SCHEDULE_PATTERN = 'eksp-*-upgrade';
export const SCHEDULE_GROUP = 'default';
/** The clusters' kube agents (naming.ts kubeAgentFunctionName) and their log groups. */
export const KUBE_AGENT_FUNCTION_PATTERN = KUBE_AGENT_NAME_PATTERN;
export const SERVICE_ROLE_PATH = '/eks-provisioner/';

export const patterns = {
  clusterStacks: arns.cloudformation(`stack/${CLUSTER_STACK_PATTERN}/*`),
  nodegroupStacks: arns.cloudformation(`stack/${NODEGROUP_STACK_PATTERN}/*`),
  fargateStacks: arns.cloudformation(`stack/${FARGATE_STACK_PATTERN}/*`),
  autoModeStacks: arns.cloudformation(`stack/${AUTO_MODE_STACK_PATTERN}/*`),
  oidcStacks: arns.cloudformation(`stack/${OIDC_STACK_PATTERN}/*`),
  podIdentityStacks: arns.cloudformation(`stack/${POD_IDENTITY_STACK_PATTERN}/*`),
  expirySchedules: arns.scheduler(`schedule/${SCHEDULE_GROUP}/${EXPIRY_SCHEDULE_PATTERN}`),
  upgradeSchedules: arns.scheduler(`schedule/${SCHEDULE_GROUP}/${UPGRADE_SCHEDULE_PATTERN}`),
  clusters: arns.eks('cluster/*'),
  nodegroups: arns.eks('nodegroup/*/*/*'),
  fargateProfiles: arns.eks('fargateprofile/*/*/*'),
  addons: arns.eks('addon/*/*/*'),
  accessEntries: arns.eks('access-entry/*/*/*/*/*'),
  podIdentityAssociations: arns.eks('podidentityassociation/*/*'),
  kubeAgents: arns.lambda(`function:${KUBE_AGENT_FUNCTION_PATTERN}`),
  /** The EKS optimized AMI ids EKS publishes in SSM (self-managed nodegroups' default AMI). */
  eksOptimizedAmiParameters: arns.ssmPublic('parameter/aws/service/eks/optimized-ami/*'),
  kubeAgentLogGroups: arns.logs(`log-group:/aws/lambda/${KUBE_AGENT_FUNCTION_PATTERN}`),
  /** Roles the cluster stacks create (cluster service role, node role, pod execution role). */
  serviceRoles: arns.iam(`role${SERVICE_ROLE_PATH}*`),
  /** The roles made for Pod Identity associations (cluster-template.ts POD_ROLE_PATH). */
  podIdentityRoles: arns.iam(`role${POD_ROLE_PATH}*`),
  /** Instance profiles the self-managed nodegroup stacks create, under the same path. */
  serviceInstanceProfiles: arns.iam(`instance-profile${SERVICE_ROLE_PATH}*`),
  /** Auto Scaling groups of self-managed nodegroup stacks: CloudFormation names them <stack>-<logical id>-<suffix>. */
  nodegroupAutoScalingGroups: arns.autoscaling(`autoScalingGroup:*:autoScalingGroupName/${NODEGROUP_STACK_PATTERN}`),
};

/** `*` for APIs that have no resource-level permissions (Describe*, X-Ray, log delivery). */
export const ANY_RESOURCE = '*';

export interface Permission {
  actions: string[];
  resources: Array<ArnPattern | string>;
  conditions?: Record<string, Record<string, unknown>>;
  /**
   * Why the wildcard in `resources` is needed and what bounds it. Required when any resource
   * contains `*`; it becomes the cdk-nag acknowledgement's reason.
   */
  wildcardReason?: string;
}

/** Adds `permission` to the role's policy and acknowledges its wildcards on that role only. */
export function allow(role: IRole & IConstruct, permission: Permission): void {
  const resources = permission.resources.map((r) => (r instanceof ArnPattern ? r.toPolicyResource() : r));
  role.addToPrincipalPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions: permission.actions, resources, conditions: permission.conditions }));

  const stack = Stack.of(role);
  const findings = resources.map((r) => `Resource::${flattenCfnReference(stack.resolve(r))}`).filter((f) => f.includes('*'));
  if (findings.length === 0) return;
  if (!permission.wildcardReason) {
    throw new Error(`${role.node.path}: ${permission.actions.join(', ')} on ${findings.join(', ')} needs a wildcardReason`);
  }
  for (const finding of new Set(findings)) acknowledgeIam5(role, finding, permission.wildcardReason);
}

/** Acknowledges one AwsSolutions-IAM5 finding (`Resource::...` or `Action::...`) on one construct. */
export function acknowledgeIam5(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
}

/** X-Ray has no resource-level permissions; Lambda and Step Functions add this statement for tracing. */
export const XRAY_REASON = 'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions (AWS service authorization reference); added by CDK for active tracing.';
