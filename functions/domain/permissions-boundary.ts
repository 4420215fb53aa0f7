/**
 * The permissions boundary on every IAM role the service's stacks create (the EKS cluster role,
 * node roles, Fargate pod execution roles; cluster-template.ts puts it on each), but the roles made
 * for Pod Identity associations, which carry POD_ROLE_BOUNDARY_DOCUMENT (below). The CDK stack
 * deploys it as a managed policy (infra/constructs/permissions-boundary.ts) and local mode creates
 * the same document in the emulator (local/start.ts); its ARN reaches the steps as
 * PERMISSIONS_BOUNDARY_ARN.
 *
 * Why a boundary as well as the allowedNodePolicyArns guardrail: the guardrail decides which
 * policies a caller may ask for, the boundary caps what any role can do whatever is attached to
 * it, so a policy allowed by mistake (or widened by AWS later) still cannot make a node an
 * administrator. It allows only the services the attached policies use: the control plane
 * (AmazonEKSClusterPolicy, AmazonEKSVPCResourceController: EC2 networking, load balancers, Auto
 * Scaling, the ELB service-linked role), nodes (AmazonEKSWorkerNodePolicy, AmazonEKS_CNI_Policy,
 * ECR pulls, SSM agent, CloudWatch agent, EBS CSI driver, external-dns on Route 53) and Fargate
 * (AmazonEKSFargatePodExecutionRolePolicy: ECR pulls). It denies IAM, AWS Organizations and
 * account administration explicitly, so widening the allow list later cannot let them through.
 */

/** Plain IAM JSON, no CloudFormation functions: the same document deploys through CDK and in the emulator. */
export const PERMISSIONS_BOUNDARY_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ControlPlaneAndNodes',
      Effect: 'Allow',
      Action: [
        // EC2 networking, ENIs for pods (VPC CNI, VPC resource controller), EBS volumes (CSI driver).
        'ec2:*',
        // Load balancers for Services of type LoadBalancer, and the nodegroups' Auto Scaling groups.
        'elasticloadbalancing:*',
        'autoscaling:Describe*',
        'autoscaling:UpdateAutoScalingGroup',
        'autoscaling:SetDesiredCapacity',
        'autoscaling:TerminateInstanceInAutoScalingGroup',
        'eks:DescribeCluster',
        'eks-auth:AssumeRoleForPodIdentity',
        // Image pulls (nodes, Fargate pods), including pull-through caches.
        'ecr:GetAuthorizationToken',
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:GetDownloadUrlForLayer',
        'ecr:BatchImportUpstreamImage',
        'ecr:Describe*',
        'ecr:List*',
        // The SSM agent (AmazonSSMManagedInstanceCore) and the CloudWatch agent's configuration;
        // not ssm:SendCommand, which would reach other instances and their roles.
        'ssm:DescribeAssociation',
        'ssm:DescribeDocument',
        'ssm:GetDeployablePatchSnapshotForInstance',
        'ssm:GetDocument',
        'ssm:GetManifest',
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:ListAssociations',
        'ssm:ListInstanceAssociations',
        'ssm:PutComplianceItems',
        'ssm:PutConfigurePackageResult',
        'ssm:PutInventory',
        'ssm:UpdateAssociationStatus',
        'ssm:UpdateInstanceAssociationStatus',
        'ssm:UpdateInstanceInformation',
        'ssmmessages:*',
        'ec2messages:*',
        // The CloudWatch agent (CloudWatchAgentServerPolicy).
        'cloudwatch:PutMetricData',
        'logs:CreateLogGroup',
        'logs:CreateLogStream',
        'logs:DescribeLogGroups',
        'logs:DescribeLogStreams',
        'logs:PutLogEvents',
        'logs:PutRetentionPolicy',
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'xray:GetSamplingStatisticSummaries',
        // external-dns (a nodegroup's iam.externalDNS).
        'route53:ChangeResourceRecordSets',
        'route53:ListHostedZones',
        'route53:ListResourceRecordSets',
        'route53:ListTagsForResource',
        // AmazonEKSClusterPolicy reads the secrets-encryption key.
        'kms:DescribeKey',
      ],
      Resource: '*',
    },
    {
      Sid: 'LoadBalancerServiceLinkedRole',
      Effect: 'Allow',
      Action: 'iam:CreateServiceLinkedRole',
      Resource: '*',
      // AmazonEKSClusterPolicy creates the ELB service-linked role on the first load balancer; nothing else.
      Condition: { StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' } },
    },
    {
      Sid: 'NoIamAdministration',
      Effect: 'Deny',
      Action: 'iam:*',
      // Everything in IAM but that one service-linked role: no role, user, policy or boundary changes, no PassRole.
      NotResource: 'arn:*:iam::*:role/aws-service-role/elasticloadbalancing.amazonaws.com/*',
    },
    {
      Sid: 'NoOrganizationOrAccountAdministration',
      Effect: 'Deny',
      Action: ['organizations:*', 'account:*'],
      Resource: '*',
    },
  ],
} as const;

/**
 * The boundary of the roles made for Pod Identity associations (cluster-template.ts puts it on
 * them, under /eks-provisioner/pod-identity/). Their policies are exactly what the
 * allowedPodPolicyArns guardrail lets a spec attach, policy by policy: that list is the decision,
 * and this boundary lets it work (the nodes' boundary would cap pods to the nodes' services, so a
 * listed S3 policy would give them nothing). It still takes away what no workload of a cluster
 * should have whatever is attached: IAM (no role, user, policy or boundary changes, no PassRole),
 * role chaining into other roles, and Organizations and account administration.
 */
export const POD_ROLE_BOUNDARY_DOCUMENT = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'WhatTheAttachedPoliciesAllow', Effect: 'Allow', Action: '*', Resource: '*' },
    { Sid: 'NoIamAdministration', Effect: 'Deny', Action: 'iam:*', Resource: '*' },
    { Sid: 'NoRoleChaining', Effect: 'Deny', Action: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'], Resource: '*' },
    { Sid: 'NoOrganizationOrAccountAdministration', Effect: 'Deny', Action: ['organizations:*', 'account:*'], Resource: '*' },
  ],
} as const;
