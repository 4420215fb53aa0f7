/**
 * The rendered template against CloudFormation's own resource specification (offline, from the
 * CDK's @aws-cdk/aws-service-spec): what CloudFormation would reject at deploy time fails here.
 */
import type { SpecDatabase } from '@aws-cdk/service-spec-types';
import { renderClusterTemplate } from '../../../functions/domain/cluster-template';
import { loadResourceSpec, specProblems, type TemplateLike } from '../../support/resource-spec';
import { ADDED_STACK_TEMPLATES, TEMPLATE_VARIANTS } from './cluster-template-inputs';

let db: SpecDatabase;

beforeAll(() => {
  db = loadResourceSpec();
});

describe('the cluster template against the CloudFormation resource specification', () => {
  it.each(TEMPLATE_VARIANTS)('%s: known types, properties, attributes and references only', (_, input) => {
    const template = renderClusterTemplate(input);

    expect(specProblems(template, db)).toEqual([]);
  });

  it.each(TEMPLATE_VARIANTS)('%s: tags every resource type CloudFormation can tag', (_, input) => {
    const template = renderClusterTemplate(input);

    const untagged = Object.entries(template.Resources)
      .filter(([, resource]) => {
        const tagging = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type)[0]?.tagInformation;
        return tagging !== undefined && !(tagging.tagPropertyName in (resource.Properties ?? {}));
      })
      .map(([id]) => id);
    expect(untagged).toEqual([]);
  });
});

describe('the stacks update-cluster adds, against the CloudFormation resource specification', () => {
  it.each(ADDED_STACK_TEMPLATES)('%s: known types, properties, attributes and references only', (_, template) => {
    expect(specProblems(template, db)).toEqual([]);
  });

  it.each(ADDED_STACK_TEMPLATES)('%s: tags every resource type CloudFormation can tag', (_, template) => {
    const untagged = Object.entries(template.Resources)
      .filter(([, resource]) => {
        const tagging = db.lookup('resource', 'cloudFormationType', 'equals', resource.Type)[0]?.tagInformation;
        return tagging !== undefined && !(tagging.tagPropertyName in (resource.Properties ?? {}));
      })
      .map(([id]) => id);
    expect(untagged).toEqual([]);
  });
});

/** A template the negative cases can break anywhere. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Editable = any;

describe('specProblems', () => {
  const valid = (): TemplateLike => ({
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] }, Path: '/x/' } },
      Group: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'd', VpcId: 'vpc-1', Tags: [{ Key: 'k', Value: 'v' }] } },
    },
    Outputs: {
      RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } },
      Described: { Value: { 'Fn::Sub': ['arn:${AWS::Partition}:x:${Role}:${Group.GroupId}:${!Literal}:${Extra}', { Extra: { Ref: 'AWS::Region' } }] }, Export: { Name: 'e' } },
    },
  });
  const withChange = (change: (t: Editable) => unknown) => {
    const template = valid() as Editable;
    change(template);
    return specProblems(template, db);
  };

  it('accepts a valid template', () => {
    const problems = specProblems(valid(), db);

    expect(problems).toEqual([]);
  });

  it.each([
    ['an unknown resource type', (t: Editable) => (t.Resources.Queue = { Type: 'AWS::SQS::Queueue' }), 'Resources.Queue.Type: AWS::SQS::Queueue is not a CloudFormation resource type'],
    ['an unknown property', (t: Editable) => (t.Resources.Role.Properties.Paths = '/x/'), 'Resources.Role.Properties.Paths: is not a property of AWS::IAM::Role'],
    ['a missing required property', (t: Editable) => delete t.Resources.Group.Properties.GroupDescription, 'Resources.Group.Properties.GroupDescription: is required by AWS::EC2::SecurityGroup'],
    ['an unknown nested property', (t: Editable) => (t.Resources.Group.Properties.SecurityGroupIngress = [{ IpProtocol: '-1', Cidr: '0.0.0.0/0' }]), 'Resources.Group.Properties.SecurityGroupIngress[0].Cidr: is not a property of Ingress'],
    ['a tag without a value', (t: Editable) => (t.Resources.Group.Properties.Tags = [{ Key: 'k' }]), 'Resources.Group.Properties.Tags[0].Value: is required by Tag'],
    ['a wrongly shaped value', (t: Editable) => (t.Resources.Group.Properties.Tags = { k: 'v' }), 'Resources.Group.Properties.Tags: expected a list, got {"k":"v"}'],
    ['a bad GetAtt attribute', (t: Editable) => (t.Outputs.RoleArn.Value = { 'Fn::GetAtt': ['Role', 'ARN'] }), 'Outputs.RoleArn.Value: Fn::GetAtt Role.ARN: AWS::IAM::Role has no attribute ARN (it has Arn, RoleId)'],
    ['a GetAtt of a missing resource', (t: Editable) => (t.Outputs.RoleArn.Value = { 'Fn::GetAtt': 'Rol.Arn' }), 'Outputs.RoleArn.Value: Fn::GetAtt Rol: not a resource in the template'],
    ['a Ref to a missing resource', (t: Editable) => (t.Resources.Group.Properties.VpcId = { Ref: 'VPC' }), 'Resources.Group.Properties.VpcId: Ref VPC is not a resource, parameter or pseudo parameter'],
    ['a Sub reference to a missing resource', (t: Editable) => (t.Outputs.RoleArn.Value = { 'Fn::Sub': '${Missing.Arn}' }), 'Outputs.RoleArn.Value: Fn::GetAtt Missing: not a resource in the template'],
    ['a DependsOn on a missing resource', (t: Editable) => (t.Resources.Group.DependsOn = ['Role', 'Gone']), 'Resources.Group.DependsOn: "Gone" is not a resource in the template'],
    ['a non-alphanumeric logical id', (t: Editable) => (t.Resources['My-Role'] = t.Resources.Role), 'Resources.My-Role: logical ids must be alphanumeric'],
  ])('reports %s', (_, change, expected) => {
    const problems = withChange(change);

    expect(problems).toContain(expected);
  });
});
