/**
 * Plumbing of the query protocols (ec2Query, awsQuery) shared by the services that speak them:
 * dispatch by Action (dispatch.ts, with settlingFirst for services whose state moves with the
 * clock), EC2's `Filter.N` filters (filters.ts) and MaxResults/NextToken paging (paging.ts);
 * awsQuery's member lists, Marker/MaxItems paging and tag filters are member-lists.ts (imported
 * from there: its names are the awsQuery ones). The wire encodings themselves (forms, XML, error
 * bodies) are in ../protocol.ts; CIDR arithmetic in ../ipv4.ts.
 */
export * from './dispatch';
export * from './filters';
export * from './paging';
