/**
 * The registry (functions/ports/registry.ts): cluster records with the one-operation-per-cluster
 * lock, operation records with their step timeline, idempotency keys. Single table, pk/sk.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { BY_CLUSTER_INDEX as INDEX, REGISTRY_KEYS, UNSETTLED_INDEX } from '../../functions/ports/registry-table';

/** GSI for "operations of a cluster" and "clusters of an owner" (gsi1pk CLUSTER#… / OWNER#…). */
export const BY_CLUSTER_INDEX = INDEX.name;
export const TTL_ATTRIBUTE = 'expiresAt';

export class RegistryTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: REGISTRY_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: REGISTRY_KEYS.sortKey, type: AttributeType.STRING },
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
      partitionKey: { name: INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: INDEX.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    // Sparse: only operations not yet settled carry its keys (the reconciler's reading list).
    this.table.addGlobalSecondaryIndex({
      indexName: UNSETTLED_INDEX.name,
      partitionKey: { name: UNSETTLED_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: UNSETTLED_INDEX.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
