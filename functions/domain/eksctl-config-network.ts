/**
 * eksctl's vpc (and privateCluster) as the spec's network and endpointAccess: a new VPC (cidr,
 * nat) or an existing VPC's subnets, given by id per zone, and who reaches the API server.
 */
import { copyTo, isMapping, readSection, segment, type TranslationLog } from './eksctl-config-reader';

type Json = Record<string, unknown>;

/** eksctl makes a new VPC over 3 zones (its RecommendedAvailabilityZones); the spec's default is 2. */
export const EKSCTL_ZONE_COUNT = 3;

export interface NetworkTranslation {
  network: Json;
  endpointAccess: Json;
}

/** vpc → network + endpointAccess. `privateCluster` has been read into `fullyPrivate`. */
export function readVpc(log: TranslationLog, vpc: unknown, at: string, fullyPrivate: boolean): NetworkTranslation {
  const newVpc: Json = {};
  const subnets: { private: string[]; public: string[] } = { private: [], public: [] };
  const endpointAccess: Json = {};
  let subnetsGiven = false;
  let cidrAt: string | undefined;
  let natAt: string | undefined;
  if (vpc !== undefined) {
    readSection(log, vpc, at, {
      read: {
        cidr: (value, fieldAt) => {
          cidrAt = fieldAt;
          copyTo(log, newVpc, '/network/vpc', 'cidr')(value, fieldAt);
        },
        nat: (value, fieldAt) =>
          readSection(log, value, fieldAt, {
            read: {
              gateway: (gateway, gatewayAt) => {
                natAt = gatewayAt;
                copyTo(log, newVpc, '/network/vpc', 'natGateway')(gateway, gatewayAt);
              },
            },
          }),
        subnets: (value, fieldAt) => {
          subnetsGiven = true;
          readSubnets(log, value, fieldAt, subnets);
        },
        clusterEndpoints: (value, fieldAt) =>
          readSection(log, value, fieldAt, {
            read: { publicAccess: copyTo(log, endpointAccess, '/endpointAccess', 'public'), privateAccess: copyTo(log, endpointAccess, '/endpointAccess', 'private') },
          }),
        publicAccessCIDRs: copyTo(log, endpointAccess, '/endpointAccess', 'publicAccessCidrs'),
      },
      refuse: {
        id: 'the service reads an existing VPC from its subnets (vpc.subnets); remove id',
        ipv6Cidr: 'IPv6 is not offered',
        ipv6Pool: 'IPv6 is not offered',
        securityGroup: 'the cluster security group is the one EKS makes: your own is not offered',
        sharedNodeSecurityGroup: 'a shared node security group of your own is not offered',
        manageSharedNodeSecurityGroupRules: 'a shared node security group of your own is not offered',
        extraCIDRs: 'extra control plane CIDRs are not offered',
        extraIPv6CIDRs: 'IPv6 is not offered',
        hostnameType: "nodes are named by EC2's default (IP name)",
        autoAllocateIPv6: 'IPv6 is not offered',
        controlPlaneSubnetIDs: 'the control plane uses the cluster\'s subnets',
        controlPlaneSecurityGroupIDs: 'extra control plane security groups are not offered',
        controlPlaneOnPrivateSubnets: 'the control plane uses the cluster\'s subnets',
        controlPlaneEgressMode: 'control plane egress settings are not offered',
        localZoneSubnets: 'Local Zones are not offered',
      },
    });
  }
  if (fullyPrivate) {
    // eksctl's fully private cluster: no NAT gateway, a private-only endpoint; the spec then gives the VPC its endpoints.
    if (newVpc.natGateway === undefined) newVpc.natGateway = 'Disable';
    if (endpointAccess.public === undefined) endpointAccess.public = false;
    if (endpointAccess.private === undefined) endpointAccess.private = true;
  }
  if (subnetsGiven) {
    if (cidrAt) log.refuse(cidrAt, 'an existing VPC\'s CIDR is its own: give cidr only for a new VPC');
    if (natAt) log.refuse(natAt, 'an existing VPC\'s NAT gateways are its own: give nat only for a new VPC');
    log.cameFrom('/network/subnets', `${at}/subnets`);
    return { network: { subnets }, endpointAccess };
  }
  log.cameFrom('/network/vpc', at);
  return { network: { vpc: { ...newVpc, azCount: EKSCTL_ZONE_COUNT } }, endpointAccess };
}

/**
 * vpc.subnets: private and public mappings of a key (the zone, or a name with `az`) to an existing
 * subnet by id. Subnets by CIDR (eksctl laying out a new VPC) are not offered.
 */
function readSubnets(log: TranslationLog, value: unknown, at: string, into: { private: string[]; public: string[] }): void {
  readSection(log, value, at, {
    read: Object.fromEntries(
      (['private', 'public'] as const).map((kind) => [
        kind,
        (mapping: unknown, kindAt: string) => {
          if (!isMapping(mapping)) return log.refuse(kindAt, 'must be a mapping of zone (or name) to subnet');
          for (const [key, subnet] of Object.entries(mapping)) {
            const subnetAt = `${kindAt}/${segment(key)}`;
            let id: unknown;
            readSection(log, subnet, subnetAt, {
              read: {
                id: (subnetId) => (id = subnetId),
                // The zone is the subnet's own: EC2 knows it from the id.
                az: () => undefined,
              },
              refuse: { cidr: 'subnets by CIDR (a new VPC laid out by hand) are not offered: give existing subnets by id, or vpc.cidr for a new VPC' },
            });
            if (id === undefined) {
              if (isMapping(subnet) && !('cidr' in subnet)) log.refuse(subnetAt, 'give the existing subnet\'s id');
              continue;
            }
            log.cameFrom(`/network/subnets/${kind}/${into[kind].length}`, `${subnetAt}/id`);
            into[kind].push(id as string);
          }
        },
      ]),
    ),
  });
}

/** privateCluster: enabled only; eksctl's endpoint options are the service's own. */
export function readPrivateCluster(log: TranslationLog, value: unknown, at: string): boolean {
  let enabled = false;
  readSection(log, value, at, {
    read: {
      enabled: (flag, flagAt) => {
        if (typeof flag !== 'boolean') return log.refuse(flagAt, 'must be true or false');
        enabled = flag;
      },
    },
    refuse: {
      skipEndpointCreation: { why: 'a fully private VPC gets the endpoints its nodes need (network.vpc.endpoints, on for such a cluster): without them and without a NAT gateway its nodes could not join', honoured: (flag) => flag === false },
      additionalEndpointServices: 'the service gives a fully private VPC a fixed set of endpoints (see docs/architecture.md); more are not offered',
    },
  });
  return enabled;
}
