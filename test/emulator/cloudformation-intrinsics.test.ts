/**
 * The CloudFormation emulator's template language, without a server: intrinsic functions
 * (Fn::Cidr carving as AWS documents it), parameter rules, template checks and capabilities.
 */
import { cidrSubnets, evaluate, evaluateCondition, references, TemplateError, type EvaluationContext } from '../../local/emulator/services/cloudformation/intrinsics';
import { parseTemplateBody, requiredCapabilities, resolveParameters } from '../../local/emulator/services/cloudformation/template';
import { World } from '../../local/emulator/world';

const context = (overrides: Partial<EvaluationContext> = {}): EvaluationContext => ({
  region: 'eu-west-1',
  ref: (name) => ({ Env: 'prod', Subnets: ['subnet-1', 'subnet-2'], Bucket: 'my-bucket', 'AWS::Region': 'eu-west-1' })[name] ?? (() => { throw new TemplateError(`unknown ${name}`); })(),
  getAtt: (id, attribute) => `${id}.${attribute}`,
  condition: (name) => name === 'IsProd',
  importValue: (name) => `imported:${name}`,
  availabilityZones: (region) => ['a', 'b', 'c'].map((z) => `${region}${z}`),
  findInMap: () => 'mapped',
  ...overrides,
});

describe('Fn::Cidr', () => {
  it('carves consecutive blocks as AWS documents: ["192.168.0.0/24", 6, 5] gives six /27s', () => {
    expect(cidrSubnets('192.168.0.0/24', 6, 5)).toEqual(['192.168.0.0/27', '192.168.0.32/27', '192.168.0.64/27', '192.168.0.96/27', '192.168.0.128/27', '192.168.0.160/27']);
  });

  it('starts from the network address and crosses octets', () => {
    expect(cidrSubnets('10.0.5.7/16', 3, 13)).toEqual(['10.0.0.0/19', '10.0.32.0/19', '10.0.64.0/19']);
    expect(cidrSubnets('10.0.0.0/15', 2, 16)).toEqual(['10.0.0.0/16', '10.1.0.0/16']);
    expect(cidrSubnets('10.0.255.0/23', 3, 7)).toEqual(['10.0.254.0/25', '10.0.254.128/25', '10.0.255.0/25']);
  });

  it('refuses more blocks than fit, or blocks larger than the range', () => {
    expect(() => cidrSubnets('10.0.0.0/24', 3, 7)).toThrow('Template error: Fn::Cidr cannot carve 3 subnets of /25 from 10.0.0.0/24');
    expect(() => cidrSubnets('10.0.0.0/24', 1, 9)).toThrow(/does not fit/);
    expect(() => cidrSubnets('not-a-cidr', 1, 8)).toThrow(/IPv4 CIDR/);
  });
});

describe('intrinsic functions', () => {
  it('resolves nested functions and drops AWS::NoValue from objects and lists', () => {
    const value = {
      Name: { 'Fn::Sub': ['${Env}-${Extra}-${Res.Arn}-${!Literal}-${AWS::Region}', { Extra: { 'Fn::Select': [1, { Ref: 'Subnets' }] } }] },
      Zone: { 'Fn::Select': ['2', { 'Fn::GetAZs': '' }] },
      Joined: { 'Fn::Join': ['', ['a', { 'Fn::ImportValue': 'x' }]] },
      Split: { 'Fn::Split': ['/', 'a/b/c'] },
      Gone: { 'Fn::If': ['IsDev', 'dev', { Ref: 'AWS::NoValue' }] },
      List: ['keep', { Ref: 'AWS::NoValue' }, { 'Fn::If': ['IsProd', 'prod', 'dev'] }],
      Encoded: { 'Fn::Base64': 'hi' },
      Attribute: { 'Fn::GetAtt': 'Cluster.CertificateAuthority.Data' },
    };

    expect(evaluate(value, context())).toEqual({
      Name: 'prod-subnet-2-Res.Arn-${Literal}-eu-west-1',
      Zone: 'eu-west-1c',
      Joined: 'aimported:x',
      Split: ['a', 'b', 'c'],
      List: ['keep', 'prod'],
      Encoded: 'aGk=',
      Attribute: 'Cluster.CertificateAuthority.Data',
    });
  });

  it('fails with CloudFormation-style reasons', () => {
    expect(() => evaluate({ 'Fn::Select': [5, ['a']] }, context())).toThrow('Template error: Fn::Select cannot select nonexistent value at index 5');
    expect(() => evaluate({ 'Fn::Sub': '${Subnets}' }, context())).toThrow('Template error: variable Subnets in Fn::Sub expression does not resolve to a string');
    expect(() => evaluate({ 'Fn::Transmogrify': 1 }, context())).toThrow(/Encountered unsupported function: Fn::Transmogrify/);
    expect(() => evaluate({ 'Fn::Join': [',', 'not-a-list'] }, context())).toThrow(/must resolve to a list/);
  });

  it('condition functions compare as strings and combine', () => {
    expect(evaluateCondition({ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, context())).toBe(true);
    expect(evaluateCondition({ 'Fn::Equals': ['1', 1] }, context())).toBe(true);
    expect(evaluateCondition({ 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Not': [{ Condition: 'IsDev' }] }] }, context())).toBe(true);
    expect(evaluateCondition({ 'Fn::Or': [{ Condition: 'IsDev' }, { 'Fn::Equals': ['a', 'b'] }] }, context())).toBe(false);
  });

  it('finds the references that order resources, Fn::Sub included', () => {
    const found = references({ A: { Ref: 'VPC' }, B: { 'Fn::GetAtt': ['Role', 'Arn'] }, C: { 'Fn::Sub': ['${Cluster.Endpoint}/${Bucket}/${Own}/${!Not}', { Own: 'x' }] }, D: { 'Fn::If': ['Cond', { Ref: 'X' }, 'y'] } });

    expect([...found.refs].sort()).toEqual(['Bucket', 'VPC', 'X']);
    expect(found.getAtts).toEqual([
      ['Role', 'Arn'],
      ['Cluster', 'Endpoint'],
    ]);
    expect([...found.conditions]).toEqual(['Cond']);
  });
});

describe('template checks', () => {
  const world = new World({ timeScale: 1 });
  world.ec2.vpcs.set('vpc-1', { vpcId: 'vpc-1', cidrBlock: '10.0.0.0/16', tags: {} });

  it('parses YAML short forms into the JSON forms', () => {
    const template = parseTemplateBody(['Resources:', '  R:', '    Type: AWS::EC2::Subnet', '    Properties:', '      VpcId: !GetAtt V.VpcId', '      CidrBlock: !Select [0, !Cidr [10.0.0.0/16, 2, 8]]', '  V: {Type: AWS::EC2::VPC, Properties: {CidrBlock: !Sub "10.0.0.0/16"}}'].join('\n'));

    expect(template.Resources.R?.Properties).toEqual({ VpcId: { 'Fn::GetAtt': ['V', 'VpcId'] }, CidrBlock: { 'Fn::Select': [0, { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }] } });
  });

  it.each([
    ['{"Resources": {"A": {"Type": "AWS::EC2::VPC"}}, "Bogus": {}}', 'Template format error: Invalid template property or properties [Bogus]'],
    ['{"Resources": {"A-b": {"Type": "AWS::EC2::VPC"}}}', 'Template format error: Resource name A-b is non alphanumeric.'],
    ['{"Resources": {"A": {"Properties": {}}}}', 'Template format error: [/Resources/A] Every Resources object must contain a Type member.'],
    ['{"Resources": {"A": {"Type": "AWS::EC2::VPC", "DependsOn": "B"}}}', 'Template format error: Unresolved resource dependencies [B] in the Resources block of the template'],
    ['{"Resources": {"A": {"Type": "AWS::EC2::VPC"}}, "Outputs": {"O": {"Value": {"Fn::GetAtt": ["Z", "Arn"]}}}}', 'Template error: instance of Fn::GetAtt references undefined resource Z'],
    ['{"Resources": {"A": {"Type": "AWS::EC2::VPC"}}, "Outputs": {"O": {"Description": "no value"}}}', 'Template format error: Every Outputs member must contain a Value object'],
    ['{"Parameters": {"P": {"Type": "Strin"}}, "Resources": {"A": {"Type": "AWS::EC2::VPC"}}}', 'Template format error: Unrecognized parameter type: Strin'],
    ['{"Transform": "AWS::Serverless-2016-10-31", "Resources": {"A": {"Type": "AWS::EC2::VPC"}}}', 'Template format error: Transform is not supported by the local emulator (deploy the processed template).'],
  ])('rejects %s', (body, message) => {
    expect(() => parseTemplateBody(body)).toThrow(new TemplateError(message));
  });

  it('checks parameter values as CloudFormation does', () => {
    const template = parseTemplateBody(
      JSON.stringify({
        Parameters: {
          Env: { Type: 'String', AllowedValues: ['dev', 'prod'] },
          Size: { Type: 'Number', MinValue: 1, MaxValue: 10, Default: 2 },
          Vpc: { Type: 'AWS::EC2::VPC::Id' },
          Names: { Type: 'CommaDelimitedList', Default: 'a,b' },
        },
        Resources: { A: { Type: 'AWS::EC2::VPC' } },
      }),
    );
    const params = (values: Record<string, string>) => resolveParameters(template, Object.entries(values).map(([key, value]) => ({ key, value })), world);

    expect(params({ Env: 'dev', Vpc: 'vpc-1' }).map((p) => [p.key, p.value])).toEqual([
      ['Env', 'dev'],
      ['Size', '2'],
      ['Vpc', 'vpc-1'],
      ['Names', ['a', 'b']],
    ]);
    expect(() => params({ Env: 'qa', Vpc: 'vpc-1' })).toThrow("Parameter 'Env' must be one of AllowedValues");
    expect(() => params({ Env: 'dev', Vpc: 'vpc-1', Size: 'big' })).toThrow("Parameter 'Size' must be a number");
    expect(() => params({ Env: 'dev', Vpc: 'vpc-1', Size: '11' })).toThrow("Parameter 'Size' must be a number not greater than 10");
    expect(() => params({ Env: 'dev', Vpc: 'vpc-404' })).toThrow('Parameter validation failed: parameter value vpc-404 for parameter name Vpc does not exist');
  });

  it('asks for CAPABILITY_NAMED_IAM when an IAM resource is named', () => {
    const unnamed = parseTemplateBody('{"Resources": {"R": {"Type": "AWS::IAM::Role"}}}');
    const named = parseTemplateBody('{"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "x"}}, "V": {"Type": "AWS::EC2::VPC"}}}');

    expect(requiredCapabilities(unnamed)).toEqual({ capability: 'CAPABILITY_IAM', types: ['AWS::IAM::Role'] });
    expect(requiredCapabilities(named).capability).toBe('CAPABILITY_NAMED_IAM');
    expect(requiredCapabilities(parseTemplateBody('{"Resources": {"V": {"Type": "AWS::EC2::VPC"}}}')).capability).toBeUndefined();
  });
});
