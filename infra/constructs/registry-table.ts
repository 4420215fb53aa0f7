/**
 * The registry (functions/ports/registry.ts): cluster records with the one-operation-per-cluster
 * lock, operation records with their step timeline, idempotency keys. Single table, pk/sk.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** GSI for "operations of a cluster" and "clusters of an owner" (gsi1pk CLUSTER#… / OWNER#…). */
export const BY_CLUSTER_INDEX = 'byCluster';
export const TTL_ATTRIBUTE = 'expiresAt';

export class RegistryTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Items that carry expiresAt (epoch seconds), e.g. idempotency keys, expire on their own.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The registry is the record of which clusters exist and who owns them: outlive the stack.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: BY_CLUSTER_INDEX,
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
