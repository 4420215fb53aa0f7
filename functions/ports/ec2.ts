/**
 * The EC2 calls the service makes (DescribeSubnets, DescribeLaunchTemplates; and, to clear a
 * cluster's VPC of what Kubernetes controllers left, DescribeNetworkInterfaces,
 * DeleteNetworkInterface, DescribeSecurityGroups, DescribeSecurityGroupRules,
 * RevokeSecurityGroupIngress/Egress, DeleteSecurityGroup), as SigV4-signed EC2 Query requests.
 * Why not @aws-sdk/client-ec2: its serializers for ~700 operations are one module that does not
 * tree-shake, 547 KB minified — more than the whole 500 KB budget of the Plan function — for a
 * read of four fields. The protocol is the documented ec2Query: form-encoded Action and
 * Version, lists as `SubnetId.N`, XML answers with lists in `<item>`, errors in
 * `<Response><Errors><Error>`. Endpoint and credentials resolve as the SDK's do.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { XMLParser } from 'fast-xml-parser';
import { config } from '../shared/config';
import { AwsRequestError, AwsUnavailableError, InvalidSpecError, ThrottlingError } from '../shared/errors';
import { once } from '../shared/once';

export interface SubnetDescription {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  cidrBlock: string;
}

export interface LaunchTemplateVersions {
  launchTemplateId: string;
  latestVersionNumber: number;
  defaultVersionNumber: number;
}

/** EC2 filters (`Filter.N.Name` / `Filter.N.Value.M`): every filter must match, any of its values may. */
export type Ec2Filters = Record<string, string[]>;

export interface NetworkInterfaceDescription {
  networkInterfaceId: string;
  vpcId: string;
  /** `available` (detached: deletable) or `in-use`. */
  status: string;
  description: string;
  groupIds: string[];
  tags: Record<string, string>;
}

export interface SecurityGroupDescription {
  groupId: string;
  groupName: string;
  vpcId: string;
  tags: Record<string, string>;
}

export interface SecurityGroupRuleDescription {
  ruleId: string;
  /** The group that holds the rule. */
  groupId: string;
  isEgress: boolean;
  /** The group the rule names as its peer, if any. */
  referencedGroupId?: string;
}

/** A delete EC2 refused because something still depends on the resource (DependencyViolation, InUse): try again later. */
export type DeleteOutcome = { deleted: true } | { deleted: false; reason: string };

export interface Ec2Port {
  /** Throws InvalidSpecError naming each subnet id EC2 does not know. */
  describeSubnets(subnetIds: string[]): Promise<SubnetDescription[]>;
  /** A launch template's latest and default version numbers; undefined when EC2 does not know the id. */
  describeLaunchTemplate(launchTemplateId: string): Promise<LaunchTemplateVersions | undefined>;
  /** Every interface the filters match (all pages). */
  describeNetworkInterfaces(filters: Ec2Filters): Promise<NetworkInterfaceDescription[]>;
  /** One already gone counts as deleted; one in use is refused (the outcome says why). */
  deleteNetworkInterface(networkInterfaceId: string): Promise<DeleteOutcome>;
  /** Every security group the filters match (all pages). */
  describeSecurityGroups(filters: Ec2Filters): Promise<SecurityGroupDescription[]>;
  /** Every rule the filters match (all pages). */
  describeSecurityGroupRules(filters: Ec2Filters): Promise<SecurityGroupRuleDescription[]>;
  /** Revokes rules of one group by id (RevokeSecurityGroupIngress, or Egress); rules already gone are not an error. */
  revokeSecurityGroupRules(groupId: string, ruleIds: string[], egress: boolean): Promise<void>;
  /** One already gone counts as deleted; one something depends on is refused (DependencyViolation, with EC2's reason). */
  deleteSecurityGroup(groupId: string): Promise<DeleteOutcome>;
}

export const EC2_API_VERSION = '2016-11-15';
const THROTTLING_CODES = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException']);

/** AWS_ENDPOINT_URL_EC2, then AWS_ENDPOINT_URL, then the regional endpoint: the SDK's own order. */
export function ec2Endpoint(region: string): URL {
  return new URL(process.env.AWS_ENDPOINT_URL_EC2 || process.env.AWS_ENDPOINT_URL || `https://ec2.${region}.amazonaws.com/`);
}

export interface QueryEc2Options {
  region: () => string;
  credentials: AwsCredentialIdentityProvider;
}

interface Ec2Xml {
  DescribeSubnetsResponse?: { subnetSet?: { item?: Array<Record<string, unknown>> } };
  DescribeLaunchTemplatesResponse?: { launchTemplates?: { item?: Array<Record<string, unknown>> } };
  DescribeNetworkInterfacesResponse?: { networkInterfaceSet?: { item?: Array<Record<string, unknown>> }; nextToken?: string };
  DescribeSecurityGroupsResponse?: { securityGroupInfo?: { item?: Array<Record<string, unknown>> }; nextToken?: string };
  DescribeSecurityGroupRulesResponse?: { securityGroupRuleSet?: { item?: Array<Record<string, unknown>> }; nextToken?: string };
  Response?: { Errors?: { Error?: Array<{ Code?: string; Message?: string }> } };
}

// Lists come as repeated <item> (and <Error>); everything stays text (ids must not become numbers).
const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'item' || name === 'Error' });

/** Codes EC2 answers when something still depends on what is being deleted: a later try may succeed. */
const DEPENDENCY_CODES = new Set(['DependencyViolation', 'InvalidNetworkInterface.InUse']);
const GONE_CODES = new Set(['InvalidNetworkInterfaceID.NotFound', 'InvalidGroup.NotFound']);

type XmlItem = Record<string, unknown>;
const items = (value: unknown): XmlItem[] => ((value as { item?: XmlItem[] } | undefined)?.item ?? []);
const tagsOf = (item: XmlItem): Record<string, string> => Object.fromEntries(items(item.tagSet).map((t) => [String(t.key ?? ''), String(t.value ?? '')]));

function filterForm(form: URLSearchParams, filters: Ec2Filters): void {
  Object.entries(filters).forEach(([name, values], i) => {
    form.set(`Filter.${i + 1}.Name`, name);
    values.forEach((value, j) => form.set(`Filter.${i + 1}.Value.${j + 1}`, value));
  });
}

export class QueryEc2 implements Ec2Port {
  constructor(private readonly options: QueryEc2Options) {}

  async describeSubnets(subnetIds: string[]): Promise<SubnetDescription[]> {
    const resource = `subnets ${subnetIds.join(', ')}`;
    const form = new URLSearchParams({ Action: 'DescribeSubnets', Version: EC2_API_VERSION });
    subnetIds.forEach((id, i) => form.set(`SubnetId.${i + 1}`, id));
    const { status, body } = await this.send(form, resource);
    const xml = parser.parse(body) as Ec2Xml;
    if (status >= 200 && status < 300) {
      return (xml.DescribeSubnetsResponse?.subnetSet?.item ?? []).map((s) => ({
        subnetId: String(s.subnetId ?? ''),
        vpcId: String(s.vpcId ?? ''),
        availabilityZone: String(s.availabilityZone ?? ''),
        cidrBlock: String(s.cidrBlock ?? ''),
      }));
    }
    const error = xml.Response?.Errors?.Error?.[0];
    const code = error?.Code ?? `HTTP ${status}`;
    const message = `${code}: ${error?.Message ?? body.slice(0, 200)}`;
    if (code === 'InvalidSubnetID.NotFound' || code === 'InvalidSubnetID.Malformed') {
      const missing = subnetIds.filter((id) => error?.Message?.includes(id));
      throw new InvalidSpecError((missing.length ? missing : subnetIds).map((id) => ({ pointer: '/network/subnets', message: `${id} does not exist in this account and region` })));
    }
    throw this.failure(status, code, message, resource);
  }

  async describeLaunchTemplate(launchTemplateId: string): Promise<LaunchTemplateVersions | undefined> {
    const resource = `launch template ${launchTemplateId}`;
    const form = new URLSearchParams({ Action: 'DescribeLaunchTemplates', Version: EC2_API_VERSION, 'LaunchTemplateId.1': launchTemplateId });
    const { status, body } = await this.send(form, resource);
    const xml = parser.parse(body) as Ec2Xml;
    if (status >= 200 && status < 300) {
      const found = xml.DescribeLaunchTemplatesResponse?.launchTemplates?.item?.[0];
      if (!found) return undefined;
      return { launchTemplateId: String(found.launchTemplateId ?? ''), latestVersionNumber: Number(found.latestVersionNumber), defaultVersionNumber: Number(found.defaultVersionNumber) };
    }
    const error = xml.Response?.Errors?.Error?.[0];
    const code = error?.Code ?? `HTTP ${status}`;
    // EC2 answers an unknown id with an error, not an empty list.
    if (code === 'InvalidLaunchTemplateId.NotFound' || code === 'InvalidLaunchTemplateId.Malformed') return undefined;
    throw this.failure(status, code, `${code}: ${error?.Message ?? body.slice(0, 200)}`, resource);
  }

  async describeNetworkInterfaces(filters: Ec2Filters): Promise<NetworkInterfaceDescription[]> {
    const found = await this.describeAll('DescribeNetworkInterfaces', filters, 'network interfaces', (xml) => xml.DescribeNetworkInterfacesResponse?.networkInterfaceSet, (xml) => xml.DescribeNetworkInterfacesResponse?.nextToken);
    return found.map((e) => ({
      networkInterfaceId: String(e.networkInterfaceId ?? ''),
      vpcId: String(e.vpcId ?? ''),
      status: String(e.status ?? ''),
      description: String(e.description ?? ''),
      groupIds: items(e.groupSet).map((g) => String(g.groupId ?? '')),
      tags: tagsOf(e),
    }));
  }

  deleteNetworkInterface(networkInterfaceId: string): Promise<DeleteOutcome> {
    return this.deleteOne(new URLSearchParams({ Action: 'DeleteNetworkInterface', Version: EC2_API_VERSION, NetworkInterfaceId: networkInterfaceId }), `network interface ${networkInterfaceId}`);
  }

  async describeSecurityGroups(filters: Ec2Filters): Promise<SecurityGroupDescription[]> {
    const found = await this.describeAll('DescribeSecurityGroups', filters, 'security groups', (xml) => xml.DescribeSecurityGroupsResponse?.securityGroupInfo, (xml) => xml.DescribeSecurityGroupsResponse?.nextToken);
    return found.map((g) => ({ groupId: String(g.groupId ?? ''), groupName: String(g.groupName ?? ''), vpcId: String(g.vpcId ?? ''), tags: tagsOf(g) }));
  }

  async describeSecurityGroupRules(filters: Ec2Filters): Promise<SecurityGroupRuleDescription[]> {
    const found = await this.describeAll('DescribeSecurityGroupRules', filters, 'security group rules', (xml) => xml.DescribeSecurityGroupRulesResponse?.securityGroupRuleSet, (xml) => xml.DescribeSecurityGroupRulesResponse?.nextToken);
    return found.map((r) => {
      const referenced = (r.referencedGroupInfo as XmlItem | undefined)?.groupId;
      return { ruleId: String(r.securityGroupRuleId ?? ''), groupId: String(r.groupId ?? ''), isEgress: String(r.isEgress) === 'true', ...(referenced ? { referencedGroupId: String(referenced) } : {}) };
    });
  }

  async revokeSecurityGroupRules(groupId: string, ruleIds: string[], egress: boolean): Promise<void> {
    const form = new URLSearchParams({ Action: egress ? 'RevokeSecurityGroupEgress' : 'RevokeSecurityGroupIngress', Version: EC2_API_VERSION, GroupId: groupId });
    ruleIds.forEach((id, i) => form.set(`SecurityGroupRuleId.${i + 1}`, id));
    const resource = `security group ${groupId}`;
    const { status, body } = await this.send(form, resource);
    if (status >= 200 && status < 300) return;
    const xml = parser.parse(body) as Ec2Xml;
    const code = xml.Response?.Errors?.Error?.[0]?.Code;
    // Another look revoked them first, or the group went: nothing is left to revoke.
    if (code === 'InvalidSecurityGroupRuleId.NotFound' || code === 'InvalidGroup.NotFound' || code === 'InvalidPermission.NotFound') return;
    throw this.errorOf(status, xml, body, resource);
  }

  deleteSecurityGroup(groupId: string): Promise<DeleteOutcome> {
    return this.deleteOne(new URLSearchParams({ Action: 'DeleteSecurityGroup', Version: EC2_API_VERSION, GroupId: groupId }), `security group ${groupId}`);
  }

  /** A filtered Describe, page after page (MaxResults 1000, NextToken). */
  private async describeAll(action: string, filters: Ec2Filters, resource: string, list: (xml: Ec2Xml) => unknown, next: (xml: Ec2Xml) => string | undefined): Promise<XmlItem[]> {
    const found: XmlItem[] = [];
    let token: string | undefined;
    do {
      const form = new URLSearchParams({ Action: action, Version: EC2_API_VERSION, MaxResults: '1000' });
      filterForm(form, filters);
      if (token) form.set('NextToken', token);
      const { status, body } = await this.send(form, resource);
      const xml = parser.parse(body) as Ec2Xml;
      if (status < 200 || status >= 300) throw this.errorOf(status, xml, body, resource);
      found.push(...items(list(xml)));
      token = next(xml) || undefined;
    } while (token);
    return found;
  }

  /** A Delete: gone already counts as deleted; a dependency is a refusal to report; anything else fails by name. */
  private async deleteOne(form: URLSearchParams, resource: string): Promise<DeleteOutcome> {
    const { status, body } = await this.send(form, resource);
    if (status >= 200 && status < 300) return { deleted: true };
    const xml = parser.parse(body) as Ec2Xml;
    const error = xml.Response?.Errors?.Error?.[0];
    const code = error?.Code ?? `HTTP ${status}`;
    if (GONE_CODES.has(code)) return { deleted: true };
    if (DEPENDENCY_CODES.has(code)) return { deleted: false, reason: `${code}: ${error?.Message ?? ''}` };
    throw this.errorOf(status, xml, body, resource);
  }

  private errorOf(status: number, xml: Ec2Xml, body: string, resource: string): Error {
    const error = xml.Response?.Errors?.Error?.[0];
    const code = error?.Code ?? `HTTP ${status}`;
    return this.failure(status, code, `${code}: ${error?.Message ?? body.slice(0, 200)}`, resource);
  }

  private failure(status: number, code: string, message: string, resource: string): Error {
    if (THROTTLING_CODES.has(code)) return new ThrottlingError(message, { resource });
    if (status >= 500) return new AwsUnavailableError(message, { resource });
    return new AwsRequestError(message, { resource });
  }

  private async send(form: URLSearchParams, resource: string): Promise<{ status: number; body: string }> {
    const region = this.options.region();
    const endpoint = ec2Endpoint(region);
    const body = form.toString();
    const signer = new SignatureV4({ credentials: this.options.credentials, region, service: 'ec2', sha256: Sha256 });
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path: endpoint.pathname,
      headers: { host: endpoint.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    });
    try {
      const response = await fetch(endpoint, { method: 'POST', headers: signed.headers, body, signal: AbortSignal.timeout(10_000) });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      throw new AwsUnavailableError(`cannot reach EC2 at ${endpoint.origin}: ${(error as Error).message}`, { resource, cause: error });
    }
  }
}

/** The port with the default credential chain, built once per container. */
export const queryEc2 = once((): Ec2Port => new QueryEc2({ region: config.region, credentials: defaultProvider() }));
