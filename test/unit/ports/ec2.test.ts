import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryEc2 } from '../../../functions/ports/ec2';
import { rejectionOf } from './port-helpers';

interface Seen {
  method?: string;
  authorization?: string;
  contentType?: string;
  form: URLSearchParams;
}

/** A loopback EC2 endpoint answering one canned ec2Query reply, recording what it was sent. */
async function ec2Endpoint(status: number, xml: string): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, authorization: req.headers.authorization, contentType: req.headers['content-type'], form: new URLSearchParams(Buffer.concat(chunks).toString()) });
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' }).end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

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
    const endpoint = await ec2Endpoint(status, xml);
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
});
