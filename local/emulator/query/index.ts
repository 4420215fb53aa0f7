/**
 * Plumbing of the query protocols (ec2Query, awsQuery) shared by the services that speak them:
 * dispatch by Action, EC2-style filters, MaxResults/NextToken paging. The wire encodings
 * themselves (forms, XML, error bodies) are in ../protocol.ts; CIDR arithmetic in ../ipv4.ts.
 */
export * from './dispatch';
export * from './filters';
export * from './paging';
