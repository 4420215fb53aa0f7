/** The registry table's keys: one definition for the CDK table, local mode and tests. */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const REGISTRY_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;
/** "Operations of a cluster" and "clusters of an owner" (gsi1pk CLUSTER#… / OWNER#…). */
export const BY_CLUSTER_INDEX = { name: 'byCluster', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;

/**
 * Operations not yet settled: sparse, an operation is in it from acceptance until its outcome is
 * committed and its terminal event delivered, so the reconciler reads only what may need it.
 */
export const UNSETTLED_INDEX = { name: 'unsettled', partitionKey: 'unsettledPk', sortKey: 'unsettledSk' } as const;

/** CreateTable for local mode and tests; infra builds the same table with CDK from these names. */
export function registryTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [REGISTRY_KEYS.partitionKey, REGISTRY_KEYS.sortKey, BY_CLUSTER_INDEX.partitionKey, BY_CLUSTER_INDEX.sortKey, UNSETTLED_INDEX.partitionKey, UNSETTLED_INDEX.sortKey].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: REGISTRY_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: REGISTRY_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: BY_CLUSTER_INDEX.name,
        KeySchema: [
          { AttributeName: BY_CLUSTER_INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: BY_CLUSTER_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
      {
        IndexName: UNSETTLED_INDEX.name,
        KeySchema: [
          { AttributeName: UNSETTLED_INDEX.partitionKey, KeyType: 'HASH' },
          { AttributeName: UNSETTLED_INDEX.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
