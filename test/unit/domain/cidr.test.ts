import { cidrContains, cidrProblem, networkOf, parseCidr, sameCidrSet } from '../../../functions/domain/cidr';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/16', { address: 10 * 2 ** 24, prefix: 16 }],
    ['192.168.0.0/16', { address: 192 * 2 ** 24 + 168 * 2 ** 16, prefix: 16 }],
    ['0.0.0.0/0', { address: 0, prefix: 0 }],
    ['255.255.255.255/32', { address: 2 ** 32 - 1, prefix: 32 }],
  ])('reads %s', (text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
  });

  it.each([
    ['an octet above 255', '10.256.0.0/16'],
    ['a prefix above 32', '10.0.0.0/33'],
    ['no prefix', '10.0.0.0'],
    ['three octets', '10.0.0/16'],
    ['an IPv6 block', '2001:db8::/32'],
    ['surrounding spaces', ' 10.0.0.0/16 '],
    ['an empty string', ''],
  ])('refuses %s', (_, text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('networkOf', () => {
  it.each([
    ['203.0.113.7/24', '203.0.113.0/24'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['10.0.1.0/16', '10.0.0.0/16'],
    ['172.16.5.129/25', '172.16.5.128/25'],
    ['198.51.100.7/32', '198.51.100.7/32'],
    ['255.255.255.255/1', '128.0.0.0/1'],
    ['1.2.3.4/0', '0.0.0.0/0'],
  ])('gives the network address of %s as %s', (text, expected) => {
    expect(networkOf(parseCidr(text)!)).toBe(expected);
  });
});

describe('cidrProblem', () => {
  it.each(['10.0.0.0/16', '0.0.0.0/0', '203.0.113.0/24', '198.51.100.7/32'])('finds nothing wrong with %s', (text) => {
    expect(cidrProblem(text)).toBeUndefined();
  });

  it.each([
    ['10.300.0.0/16', '"10.300.0.0/16" is not an IPv4 CIDR block (octets 0-255, prefix 0-32)'],
    ['10.0.0.0/40', '"10.0.0.0/40" is not an IPv4 CIDR block (octets 0-255, prefix 0-32)'],
    ['not-a-cidr', '"not-a-cidr" is not an IPv4 CIDR block (octets 0-255, prefix 0-32)'],
    ['203.0.113.7/24', '"203.0.113.7/24" has host bits set; did you mean "203.0.113.0/24"?'],
    ['10.0.1.0/16', '"10.0.1.0/16" has host bits set; did you mean "10.0.0.0/16"?'],
  ])('explains what is wrong with %s', (text, expected) => {
    expect(cidrProblem(text)).toBe(expected);
  });
});

describe('sameCidrSet', () => {
  it.each<[boolean, string, string[], string[]]>([
    [true, 'the same list', ['10.0.0.0/16'], ['10.0.0.0/16']],
    [true, 'the same blocks in another order', ['203.0.113.0/24', '198.51.100.0/24'], ['198.51.100.0/24', '203.0.113.0/24']],
    [true, 'a repeated block', ['203.0.113.0/24', '203.0.113.0/24'], ['203.0.113.0/24']],
    [true, 'two empty lists', [], []],
    [false, 'one block missing', ['203.0.113.0/24', '198.51.100.0/24'], ['203.0.113.0/24']],
    [false, 'different blocks', ['203.0.113.0/24'], ['198.51.100.0/24']],
    [false, 'an empty list against 0.0.0.0/0', [], ['0.0.0.0/0']],
  ])('is %s for %s', (expected, _, a, b) => {
    expect(sameCidrSet(a, b)).toBe(expected);
    expect(sameCidrSet(b, a)).toBe(expected);
  });
});

describe('cidrContains', () => {
  it.each<[boolean, string, string, string]>([
    [true, 'a block itself', '10.0.0.0/8', '10.0.0.0/8'],
    [true, 'a smaller block inside', '10.0.0.0/8', '10.20.30.0/24'],
    [true, 'a single address inside', '203.0.113.0/24', '203.0.113.7/32'],
    [true, 'the last address of the block', '203.0.113.0/24', '203.0.113.255/32'],
    [true, 'anything in 0.0.0.0/0', '0.0.0.0/0', '198.51.100.0/24'],
    [true, '0.0.0.0/0 in itself', '0.0.0.0/0', '0.0.0.0/0'],
    [true, 'a block in the upper half of the address space', '128.0.0.0/1', '255.255.255.0/24'],
    [false, 'a larger block around it', '10.20.0.0/16', '10.0.0.0/8'],
    [false, '0.0.0.0/0 in a smaller block', '10.0.0.0/8', '0.0.0.0/0'],
    [false, 'a neighbouring block', '203.0.113.0/24', '203.0.114.0/24'],
    [false, 'an overlapping block that reaches outside', '203.0.113.128/25', '203.0.113.0/24'],
    [false, 'an unparseable inner block', '10.0.0.0/8', '10.0.0.0'],
    [false, 'an unparseable outer block', 'everything', '10.0.0.0/8'],
  ])('is %s for %s', (expected, _, outer, inner) => {
    expect(cidrContains(outer, inner)).toBe(expected);
  });
});
