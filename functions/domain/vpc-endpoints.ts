/**
 * Fully private clusters, as eksctl's `privateCluster`: a new VPC with no NAT gateway and a
 * private-only endpoint. Nothing in its private subnets can reach AWS's public service endpoints,
 * so the cluster stack gives the VPC (`network.vpc.endpoints`, on by default for such a cluster,
 * or asked for) the endpoints its nodes and Fargate pods need to join and
 * run: interface endpoints (private DNS on, so the usual service names resolve to them) and an S3
 * gateway endpoint, through which ECR's image layers come.
 */
import type { CloudFormationResource } from './cluster-template';
import type { Spec } from './spec';

/**
 * The services reached through interface endpoints: image pulls (ECR's API and registry), node
 * bootstrap and the VPC CNI (EC2, EKS, EKS Pod Identity's eks-auth, STS for IRSA), logs, load
 * balancers and Auto Scaling (controllers, cluster-autoscaler), Session Manager (the node role's
 * AmazonSSMManagedInstanceCore).
 */
export const INTERFACE_ENDPOINT_SERVICES = ['ec2', 'ecr.api', 'ecr.dkr', 'sts', 'logs', 'elasticloadbalancing', 'autoscaling', 'eks', 'eks-auth', 'ssm', 'ssmmessages', 'ec2messages'] as const;

/** The gateway endpoint's service: S3 is reached through the route tables, at no hourly cost. */
export const GATEWAY_ENDPOINT_SERVICE = 's3';

/**
 * Whether the cluster stack gives the VPC its endpoints: `network.vpc.endpoints`, which defaults
 * on for a fully private cluster (spec.ts). Existing subnets are the caller's network (its egress,
 * and any endpoints, are theirs).
 */
export function getsVpcEndpoints(spec: Spec): boolean {
  return spec.network.vpc?.endpoints === true;
}

/** eksctl's logical ids: VPCEndpointECRAPI for ecr.api, VPCEndpointS3... */
export function vpcEndpointLogicalId(service: string): string {
  return `VPCEndpoint${service.replace(/[^A-Za-z0-9]/g, '').toUpperCase()}`;
}

export const VPC_ENDPOINT_SECURITY_GROUP = 'VPCEndpointSecurityGroup';

/** What renderVpcEndpoints needs of the template being built (cluster-template.ts's builder). */
export interface EndpointTemplate {
  add(logicalId: string, resource: CloudFormationResource): string;
  tagsFor(logicalId: string): Array<{ Key: string; Value: string }>;
}

export interface EndpointNetwork {
  vpc: unknown;
  vpcCidr: unknown;
  privateSubnets: unknown[];
  privateRouteTables: unknown[];
}

/** The endpoints' security group, one interface endpoint per service in the private subnets, and the S3 gateway endpoint on their route tables. */
export function renderVpcEndpoints(template: EndpointTemplate, network: EndpointNetwork): void {
  const serviceName = (service: string) => ({ 'Fn::Sub': `com.amazonaws.\${AWS::Region}.${service}` });
  template.add(VPC_ENDPOINT_SECURITY_GROUP, {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: {
      GroupDescription: 'The VPC endpoints: HTTPS from inside the VPC',
      VpcId: network.vpc,
      // Nodes, Fargate pods and anything else in the VPC call AWS APIs over HTTPS only.
      SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: network.vpcCidr, Description: 'Allow HTTPS from the VPC to the VPC endpoints' }],
      Tags: template.tagsFor(VPC_ENDPOINT_SECURITY_GROUP),
    },
  });
  for (const service of INTERFACE_ENDPOINT_SERVICES) {
    const id = vpcEndpointLogicalId(service);
    template.add(id, {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        ServiceName: serviceName(service),
        VpcEndpointType: 'Interface',
        VpcId: network.vpc,
        SubnetIds: [...network.privateSubnets],
        SecurityGroupIds: [{ Ref: VPC_ENDPOINT_SECURITY_GROUP }],
        // The service's usual name (ec2.<region>.amazonaws.com) then resolves to the endpoint: nothing on the nodes needs configuring.
        PrivateDnsEnabled: true,
        Tags: template.tagsFor(id),
      },
    });
  }
  const s3 = vpcEndpointLogicalId(GATEWAY_ENDPOINT_SERVICE);
  template.add(s3, {
    Type: 'AWS::EC2::VPCEndpoint',
    Properties: {
      ServiceName: serviceName(GATEWAY_ENDPOINT_SERVICE),
      VpcEndpointType: 'Gateway',
      VpcId: network.vpc,
      RouteTableIds: [...network.privateRouteTables],
      Tags: template.tagsFor(s3),
    },
  });
}
