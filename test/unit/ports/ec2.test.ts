import type { Server } from 'node:http';
import { QueryEc2 } from '../../../functions/ports/ec2';
import { ec2Endpoint, rejectionOf } from './port-helpers';

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' });

const SUBNETS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
  <subnetSet>
    <item>
      <subnetId>subnet-0aaa0000000000001</subnetId><vpcId>vpc-0123456789abcdef0</vpcId><availabilityZone>us-east-1a</availabilityZone><cidrBlock>10.0.0.0/24</cidrBlock>
      <tagSet><item><key>Name</key><value>private-a</value></item></tagSet>
    </item>
    <item>
      <subnetId>subnet-0aaa0000000000002</subnetId><vpcId>vpc-0123456789abcdef0</vpcId><availabilityZone>us-east-1b</availabilityZone><cidrBlock>10.0.1.0/24</cidrBlock>
    </item>
  </subnetSet>
</DescribeSubnetsResponse>`;

const errorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>req-1</RequestID></Response>`;

describe('QueryEc2', () => {
  const servers: Server[] = [];
  const previous = process.env.AWS_ENDPOINT_URL_EC2;
  async function port(status: number, xml: string) {
    return portReplying([[status, xml]]);
  }
  async function portReplying(replies: Array<[number, string]>) {
    const endpoint = await ec2Endpoint(replies);
    servers.push(endpoint.server);
    process.env.AWS_ENDPOINT_URL_EC2 = endpoint.url;
    return { seen: endpoint.seen, ec2: new QueryEc2({ region: () => 'us-east-1', credentials }) };
  }
  afterEach(async () => {
    process.env.AWS_ENDPOINT_URL_EC2 = previous;
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('sends a SigV4-signed DescribeSubnets ec2Query request with the ids as SubnetId.N', async () => {
    const { ec2, seen } = await port(200, SUBNETS_XML);

    await ec2.describeSubnets(['subnet-0aaa0000000000001', 'subnet-0aaa0000000000002']);

    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.contentType).toContain('application/x-www-form-urlencoded');
    expect(Object.fromEntries(seen[0]!.form)).toEqual({ Action: 'DescribeSubnets', Version: '2016-11-15', 'SubnetId.1': 'subnet-0aaa0000000000001', 'SubnetId.2': 'subnet-0aaa0000000000002' });
    expect(seen[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/ec2\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/);
  });

  it('reads id, VPC, AZ and CIDR of each subnet, ignoring nested tag items', async () => {
    const { ec2 } = await port(200, SUBNETS_XML);

    await expect(ec2.describeSubnets(['subnet-0aaa0000000000001', 'subnet-0aaa0000000000002'])).resolves.toEqual([
      { subnetId: 'subnet-0aaa0000000000001', vpcId: 'vpc-0123456789abcdef0', availabilityZone: 'us-east-1a', cidrBlock: '10.0.0.0/24' },
      { subnetId: 'subnet-0aaa0000000000002', vpcId: 'vpc-0123456789abcdef0', availabilityZone: 'us-east-1b', cidrBlock: '10.0.1.0/24' },
    ]);
  });

  it('turns InvalidSubnetID.NotFound into InvalidSpecError naming only the unknown subnet', async () => {
    const { ec2 } = await port(400, errorXml('InvalidSubnetID.NotFound', "The subnet ID 'subnet-0bad0000000000000' does not exist"));

    const error = await rejectionOf(ec2.describeSubnets(['subnet-0aaa0000000000001', 'subnet-0bad0000000000000']));

    expect(error.name).toBe('InvalidSpecError');
    expect(error.problems).toEqual([{ pointer: '/network/subnets', message: 'subnet-0bad0000000000000 does not exist in this account and region' }]);
  });

  it('names every subnet asked for when EC2 does not say which is unknown', async () => {
    const { ec2 } = await port(400, errorXml('InvalidSubnetID.NotFound', 'The subnet ID does not exist'));

    const error = await rejectionOf(ec2.describeSubnets(['subnet-1', 'subnet-2']));

    expect((error.problems as Array<{ message: string }>).map((p) => p.message)).toEqual(['subnet-1 does not exist in this account and region', 'subnet-2 does not exist in this account and region']);
  });

  it.each([
    [503, 'RequestLimitExceeded', 'ThrottlingError'],
    [500, 'InternalError', 'AwsUnavailableError'],
    [403, 'UnauthorizedOperation', 'AwsRequestError'],
  ])('names HTTP %i %s as %s, leading with the subnets', async (status, code, name) => {
    const { ec2 } = await port(status, errorXml(code, 'it went wrong'));

    const error = await rejectionOf(ec2.describeSubnets(['subnet-1']));

    expect(error.name).toBe(name);
    expect(error.message).toBe(`subnets subnet-1: ${code}: it went wrong`);
  });

  it('calls an endpoint it cannot reach AwsUnavailableError', async () => {
    process.env.AWS_ENDPOINT_URL_EC2 = 'http://127.0.0.1:9/';
    const ec2 = new QueryEc2({ region: () => 'us-east-1', credentials });

    const error = await rejectionOf(ec2.describeSubnets(['subnet-1']));

    expect(error.name).toBe('AwsUnavailableError');
  });

  describe('clearing a VPC of what controllers left', () => {
    const interfacesXml = (ids: string[], nextToken?: string) => `<?xml version="1.0" encoding="UTF-8"?>
<DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><networkInterfaceSet>${ids
      .map(
        (id) =>
          `<item><networkInterfaceId>${id}</networkInterfaceId><vpcId>vpc-1</vpcId><status>available</status><description>aws-K8S-i-0abc</description><groupSet><item><groupId>sg-1</groupId><groupName>node</groupName></item></groupSet><tagSet><item><key>cluster.k8s.amazonaws.com/name</key><value>demo</value></item></tagSet></item>`,
      )
      .join('')}</networkInterfaceSet>${nextToken ? `<nextToken>${nextToken}</nextToken>` : ''}</DescribeNetworkInterfacesResponse>`;

    it('describes interfaces with Filter.N, page after page, reading status, groups and tags', async () => {
      const { ec2, seen } = await portReplying([
        [200, interfacesXml(['eni-1'], 'page-2')],
        [200, interfacesXml(['eni-2'])],
      ]);

      const found = await ec2.describeNetworkInterfaces({ 'vpc-id': ['vpc-1'], status: ['available'], 'tag:cluster.k8s.amazonaws.com/name': ['demo'] });

      expect(found).toEqual(['eni-1', 'eni-2'].map((networkInterfaceId) => ({ networkInterfaceId, vpcId: 'vpc-1', status: 'available', description: 'aws-K8S-i-0abc', groupIds: ['sg-1'], tags: { 'cluster.k8s.amazonaws.com/name': 'demo' } })));
      expect(Object.fromEntries(seen[0]!.form)).toEqual({
        Action: 'DescribeNetworkInterfaces',
        Version: '2016-11-15',
        MaxResults: '1000',
        'Filter.1.Name': 'vpc-id',
        'Filter.1.Value.1': 'vpc-1',
        'Filter.2.Name': 'status',
        'Filter.2.Value.1': 'available',
        'Filter.3.Name': 'tag:cluster.k8s.amazonaws.com/name',
        'Filter.3.Value.1': 'demo',
      });
      expect(seen[1]!.form.get('NextToken')).toBe('page-2');
    });

    it('describes security groups by filter, with their names and tags', async () => {
      const xml = `<DescribeSecurityGroupsResponse><securityGroupInfo><item><groupId>sg-0lbc</groupId><groupName>k8s-default-web-1</groupName><vpcId>vpc-1</vpcId><ipPermissions><item><ipProtocol>tcp</ipProtocol></item></ipPermissions><tagSet><item><key>elbv2.k8s.aws/cluster</key><value>demo</value></item></tagSet></item></securityGroupInfo></DescribeSecurityGroupsResponse>`;
      const { ec2, seen } = await port(200, xml);

      await expect(ec2.describeSecurityGroups({ 'tag:elbv2.k8s.aws/cluster': ['demo'] })).resolves.toEqual([{ groupId: 'sg-0lbc', groupName: 'k8s-default-web-1', vpcId: 'vpc-1', tags: { 'elbv2.k8s.aws/cluster': 'demo' } }]);
      expect(seen[0]!.form.get('Action')).toBe('DescribeSecurityGroups');
    });

    it.each([
      ['deleteSecurityGroup', 'DeleteSecurityGroup', 'GroupId', 'sg-1'],
      ['deleteNetworkInterface', 'DeleteNetworkInterface', 'NetworkInterfaceId', 'eni-1'],
    ] as const)('%s sends %s with %s', async (method, action, parameter, id) => {
      const { ec2, seen } = await port(200, `<${action}Response><return>true</return></${action}Response>`);

      await expect(ec2[method](id)).resolves.toEqual({ deleted: true });
      expect(Object.fromEntries(seen[0]!.form)).toEqual({ Action: action, Version: '2016-11-15', [parameter]: id });
    });

    it.each([
      ['deleteSecurityGroup', 'DependencyViolation', 'resource sg-1 has a dependent object'],
      ['deleteNetworkInterface', 'InvalidNetworkInterface.InUse', 'The network interface eni-1 is currently in use.'],
    ] as const)('%s reports %s as a refusal with EC2’s reason, to try again later', async (method, code, message) => {
      const { ec2 } = await port(400, errorXml(code, message));

      await expect(ec2[method]('sg-1')).resolves.toEqual({ deleted: false, reason: `${code}: ${message}` });
    });

    it.each([
      ['deleteSecurityGroup', 'InvalidGroup.NotFound'],
      ['deleteNetworkInterface', 'InvalidNetworkInterfaceID.NotFound'],
    ] as const)('%s counts %s as deleted (a retry after the delete)', async (method, code) => {
      const { ec2 } = await port(400, errorXml(code, 'does not exist'));

      await expect(ec2[method]('x-1')).resolves.toEqual({ deleted: true });
    });

    it('reads rules with the group they name, and revokes them by id (ingress or egress); rules already gone are not an error', async () => {
      const xml = `<DescribeSecurityGroupRulesResponse><securityGroupRuleSet><item><securityGroupRuleId>sgr-1</securityGroupRuleId><groupId>sg-cluster</groupId><isEgress>false</isEgress><referencedGroupInfo><groupId>sg-lb</groupId></referencedGroupInfo></item><item><securityGroupRuleId>sgr-2</securityGroupRuleId><groupId>sg-cluster</groupId><isEgress>true</isEgress><cidrIpv4>0.0.0.0/0</cidrIpv4></item></securityGroupRuleSet></DescribeSecurityGroupRulesResponse>`;
      const { ec2, seen } = await portReplying([
        [200, xml],
        [200, '<RevokeSecurityGroupEgressResponse><return>true</return></RevokeSecurityGroupEgressResponse>'],
        [400, errorXml('InvalidSecurityGroupRuleId.NotFound', "The security group rule ID 'sgr-1' does not exist")],
      ]);

      await expect(ec2.describeSecurityGroupRules({ 'group-id': ['sg-cluster'] })).resolves.toEqual([
        { ruleId: 'sgr-1', groupId: 'sg-cluster', isEgress: false, referencedGroupId: 'sg-lb' },
        { ruleId: 'sgr-2', groupId: 'sg-cluster', isEgress: true },
      ]);
      await ec2.revokeSecurityGroupRules('sg-cluster', ['sgr-2', 'sgr-3'], true);
      await ec2.revokeSecurityGroupRules('sg-cluster', ['sgr-1'], false);

      expect(Object.fromEntries(seen[1]!.form)).toEqual({ Action: 'RevokeSecurityGroupEgress', Version: '2016-11-15', GroupId: 'sg-cluster', 'SecurityGroupRuleId.1': 'sgr-2', 'SecurityGroupRuleId.2': 'sgr-3' });
      expect(seen[2]!.form.get('Action')).toBe('RevokeSecurityGroupIngress');
    });

    it('fails by name on anything else, leading with the resource', async () => {
      const { ec2 } = await port(403, errorXml('UnauthorizedOperation', 'You are not authorized to perform this operation.'));

      const error = await rejectionOf(ec2.deleteSecurityGroup('sg-1'));

      expect(error.name).toBe('AwsRequestError');
      expect(error.message).toBe('security group sg-1: UnauthorizedOperation: You are not authorized to perform this operation.');
    });
  });
});
