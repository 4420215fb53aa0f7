/**
 * The plumbing the query services share: IPv4/CIDR arithmetic and address allocation
 * (local/emulator/ipv4.ts), EC2-style filters, MaxResults/NextToken paging and Action dispatch
 * (local/emulator/query/).
 */
import { allocateAddress, canonicalCidr, carveCidr, cidrContains, cidrsOverlap, formatIpv4, ipv4Range, parseCidr, parseIpv4, usableAddressCount } from '../../local/emulator/ipv4';
import { EmulatorError } from '../../local/emulator/protocol';
import { applyFilters, createQueryService, globMatches, pageOf, parseFilters, resolveOperation, settlingFirst, type QueryOperation, type QueryResult } from '../../local/emulator/query';
import { startEmulator } from '../../local/emulator/server';
import { seededRandom } from '../../local/emulator/clock';
import { World } from '../../local/emulator/world';
import { filters } from '../support/ec2-query';

describe('IPv4 and CIDR arithmetic', () => {
  it.each([
    ['10.0.0.0/16', { address: 167772160, prefix: 16 }],
    ['0.0.0.0/0', { address: 0, prefix: 0 }],
    ['255.255.255.255/32', { address: 4294967295, prefix: 32 }],
  ])('parses %s', (text, expected) => expect(parseCidr(text)).toEqual(expected));

  it.each(['10.0.0.0', '10.0.0.256/8', '10.0.0.0/33', 'a.b.c.d/8', ''])('refuses %j', (text) => expect(parseCidr(text)).toBeUndefined());

  it('formats, ranges and canonicalises', () => {
    expect(formatIpv4(parseIpv4('192.168.1.7')!)).toBe('192.168.1.7');
    expect(ipv4Range('10.0.5.7/16')).toEqual({ first: parseIpv4('10.0.0.0'), size: 65536, prefix: 16 });
    expect(canonicalCidr('10.0.5.7/24')).toBe('10.0.5.0/24');
  });

  it.each([
    ['10.0.0.0/16', '10.0.255.255', true],
    ['10.0.0.0/16', '10.1.0.0', false],
    ['10.0.0.0/16', '10.0.32.0/19', true],
    ['10.0.32.0/19', '10.0.0.0/16', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['203.0.113.0/24', 'not-an-ip', false],
  ])('cidrContains(%s, %s) = %s', (outer, inner, expected) => expect(cidrContains(outer, inner)).toBe(expected));

  it('tells overlapping blocks apart', () => {
    expect(cidrsOverlap('10.0.0.0/19', '10.0.16.0/20')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/19', '10.0.32.0/19')).toBe(false);
  });

  it('carves blocks as Fn::Cidr does, and says why it cannot', () => {
    expect(carveCidr('10.0.0.0/16', 3, 13)).toEqual(['10.0.0.0/19', '10.0.32.0/19', '10.0.64.0/19']);
    expect(carveCidr('10.0.0.0/24', 3, 7)).toEqual({ problem: 'cannot carve 3 subnets of /25 from 10.0.0.0/24' });
  });

  it('counts a subnet’s usable addresses without the five AWS reserves', () => {
    expect(usableAddressCount('10.0.1.0/24')).toBe(251);
    expect(usableAddressCount('10.0.0.0/28')).toBe(11);
  });

  it('allocates unique addresses inside the subnet, never the reserved ones, until it is full', () => {
    const cidr = '10.0.0.0/28';
    const taken = new Set<string>();
    const random = seededRandom(3);
    for (let i = 0; i < 11; i++) {
      const address = allocateAddress(cidr, taken, random)!;
      expect(cidrContains(cidr, address)).toBe(true);
      expect(['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.15']).not.toContain(address);
      expect(taken.has(address)).toBe(false);
      taken.add(address);
    }
    expect(allocateAddress(cidr, taken, random)).toBeUndefined();
  });

  it('allocates the same addresses for the same seed, and others for another', () => {
    const allocations = (seed: number) => {
      const taken = new Set<string>();
      const random = seededRandom(seed);
      for (let i = 0; i < 5; i++) taken.add(allocateAddress('10.0.0.0/19', taken, random)!);
      return [...taken];
    };
    expect(allocations(9)).toEqual(allocations(9));
    expect(allocations(9)).not.toEqual(allocations(10));
  });
});

describe('EC2-style filters', () => {
  const items = [
    { id: 'a', zone: 'us-east-1a', ports: [22, 443], tags: { Name: 'web-1', team: 'x' } },
    { id: 'b', zone: 'us-east-1b', ports: [80], tags: { Name: 'web-2' } },
    { id: 'c', zone: 'us-east-1a', ports: [], tags: {} },
  ];
  const fields = { zone: (i: (typeof items)[number]) => i.zone, port: (i: (typeof items)[number]) => i.ports };
  const ids = (params: Record<string, string>) => applyFilters(items, parseFilters(new URLSearchParams(params)), fields).map((i) => i.id);

  it('reads Filter.N.Name / Filter.N.Value.M', () => {
    expect(parseFilters(new URLSearchParams(filters(['zone', 'us-east-1a', 'us-east-1c'], ['tag:Name', 'web-*'])))).toEqual([
      { name: 'zone', values: ['us-east-1a', 'us-east-1c'] },
      { name: 'tag:Name', values: ['web-*'] },
    ]);
  });

  it('ANDs filters, ORs values, matches any of a list and compares numbers as text', () => {
    expect(ids(filters(['zone', 'us-east-1a', 'us-east-1b']))).toEqual(['a', 'b', 'c']);
    expect(ids(filters(['zone', 'us-east-1a'], ['port', '443']))).toEqual(['a']);
  });

  it('has tag:<key>, tag-key and tag-value on every tagged resource, with wildcards', () => {
    expect(ids(filters(['tag:Name', 'web-?']))).toEqual(['a', 'b']);
    expect(ids(filters(['tag-key', 'team']))).toEqual(['a']);
    expect(ids(filters(['tag-value', '*-2']))).toEqual(['b']);
  });

  it('an unknown filter is InvalidParameterValue', () => {
    expect(() => ids(filters(['colour', 'blue']))).toThrow(new EmulatorError(400, 'InvalidParameterValue', "The filter 'colour' is invalid"));
  });

  it.each([
    ['web-*', 'web-1', true],
    ['web-?', 'web-10', false],
    ['a.b', 'axb', false],
    ['*', '', true],
  ])('glob %s on %s = %s', (pattern, value, expected) => expect(globMatches(pattern, value)).toBe(expected));
});

describe('MaxResults / NextToken paging', () => {
  const all = Array.from({ length: 12 }, (_, i) => i);

  it('walks every item once, in order', () => {
    const seen: number[] = [];
    let token: string | undefined;
    do {
      const page = pageOf(new URLSearchParams({ MaxResults: '5', ...(token ? { NextToken: token } : {}) }), all);
      seen.push(...page.items);
      token = page.nextToken;
    } while (token);
    expect(seen).toEqual(all);
  });

  it('without MaxResults returns everything; bounds and bad tokens are refused as EC2 does', () => {
    expect(pageOf(new URLSearchParams(), all)).toEqual({ items: all });
    expect(() => pageOf(new URLSearchParams({ MaxResults: '4' }), all)).toThrow(/Expecting a value between 5 and 1000/);
    expect(() => pageOf(new URLSearchParams({ NextToken: 'bm90LWEtbnVtYmVy' }), all)).toThrow(new EmulatorError(400, 'InvalidNextToken', 'The token provided is invalid or expired.'));
  });
});

describe('query dispatch', () => {
  const world = new World({ timeScale: 0.001 });
  const operations = { Ping: () => ({ pong: 'yes' }) };

  it('resolves the operation, counts the call and refuses what EC2 refuses', () => {
    const ec2 = { name: 'ec2', protocol: 'ec2Query' as const, version: '2016-11-15', throttleCode: 'RequestLimitExceeded', operations };
    expect(resolveOperation(ec2, world, new URLSearchParams({ Action: 'Ping' })).action).toBe('Ping');
    expect(world.calls.at(-1)).toBe('ec2:Ping');
    expect(() => resolveOperation(ec2, world, new URLSearchParams({ Action: 'RunInstances' }))).toThrow(new EmulatorError(400, 'InvalidAction', 'The action RunInstances is not valid for this web service.'));
    expect(() => resolveOperation(ec2, world, new URLSearchParams())).toThrow(expect.objectContaining({ code: 'MissingAction' }));
    expect(() => resolveOperation(ec2, world, new URLSearchParams({ Action: 'Ping', DryRun: 'true' }))).toThrow(expect.objectContaining({ status: 412, code: 'DryRunOperation' }));
  });

  it('lets an awsQuery service answer any Version, and answers a missing awsQuery Action as the empty one it is', () => {
    const iam = { name: 'iam', protocol: 'awsQuery' as const, namespace: 'https://iam.amazonaws.com/doc/2010-05-08/', version: '2010-05-08', throttleCode: 'Throttling', checkVersion: false, operations };
    expect(resolveOperation(iam, world, new URLSearchParams({ Action: 'Ping', Version: '2009-01-01' })).action).toBe('Ping');
    expect(() => resolveOperation({ ...iam, checkVersion: true }, world, new URLSearchParams({ Action: 'Ping', Version: '2009-01-01' }))).toThrow(expect.objectContaining({ code: 'InvalidParameterValue' }));
    expect(() => resolveOperation(iam, world, new URLSearchParams({ Version: '2010-05-08' }))).toThrow(new EmulatorError(400, 'InvalidAction', 'Could not find operation  for version 2010-05-08'));
  });

  it('answers awsQuery services in their shapes: a Result wrapper, and InvalidAction in an ErrorResponse', async () => {
    const service = createQueryService(world, { name: 'autoscaling', protocol: 'awsQuery', namespace: 'http://autoscaling.amazonaws.com/doc/2011-01-01/', version: '2011-01-01', throttleCode: 'Throttling', operations });
    const emulator = await startEmulator({ timeScale: 0.001, services: [service] }, world);
    // The server routes by the signing scope; the emulator does not check signatures.
    const headers = { authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/autoscaling/aws4_request, SignedHeaders=host, Signature=0', 'content-type': 'application/x-www-form-urlencoded' };
    try {
      const ok = await fetch(emulator.url, { method: 'POST', headers, body: 'Action=Ping&Version=2011-01-01' }).then((r) => r.text());
      const unknown = await fetch(emulator.url, { method: 'POST', headers, body: 'Action=CreateLaunchConfiguration&Version=2011-01-01' });
      expect(ok).toContain('<PingResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><PingResult><pong>yes</pong></PingResult>');
      expect(unknown.status).toBe(400);
      expect(await unknown.text()).toContain('<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation CreateLaunchConfiguration for version 2011-01-01</Message>');
    } finally {
      await emulator.close();
    }
  });

  it('settles what fell due before every operation, so none answers from state that has already ended', async () => {
    const order: string[] = [];
    const ran = (name: string, answer: QueryResult) => () => {
      order.push(name);
      return answer;
    };
    const wrapped = settlingFirst(() => order.push('settle'), { Ping: ran('Ping', { pong: 'yes' }), Pong: ran('Pong', {}) });
    const ctx = {} as Parameters<QueryOperation>[2];

    const answer = await wrapped.Ping!(world, new URLSearchParams(), ctx);
    await wrapped.Pong!(world, new URLSearchParams(), ctx);

    expect(answer).toEqual({ pong: 'yes' });
    expect(order).toEqual(['settle', 'Ping', 'settle', 'Pong']);
  });
});
