/**
 * DynamoDB through the emulator's proxy to dynalite: @aws-sdk/client-dynamodb and lib-dynamodb
 * see dynalite's answers (conditional checks included) while the emulator counts the calls and
 * applies faults.
 */
import { ConditionalCheckFailedException, CreateTableCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbService, startDynalite, type RunningDynalite } from '../../local/emulator/services/dynamodb';
import { startEmulator, type RunningEmulator } from '../../local/emulator/server';
import { World } from '../../local/emulator/world';
import { rejectionOf } from '../support/rejection';

const TABLE = 'eksp-registry';
let world: World;
let dynalite: RunningDynalite;
let emulator: RunningEmulator;
let raw: DynamoDBClient;
let documents: DynamoDBDocumentClient;

beforeAll(async () => {
  dynalite = await startDynalite();
  world = new World({ timeScale: 0.001 });
  emulator = await startEmulator({ timeScale: 0.001, services: [createDynamoDbService(world, dynalite.url)] }, world);
  raw = new DynamoDBClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  documents = DynamoDBDocumentClient.from(raw);
  await raw.send(
    new CreateTableCommand({
      TableName: TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [{ IndexName: 'byCluster', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    }),
  );
});

afterAll(async () => {
  raw.destroy();
  await emulator.close();
  await dynalite.close();
});

beforeEach(() => world.faults.clear());

describe('the DynamoDB proxy', () => {
  it('creates a table that is ACTIVE at once', async () => {
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: TABLE }));

    expect(Table!.TableStatus).toBe('ACTIVE');
    expect(world.calls).toEqual(expect.arrayContaining(['dynamodb:CreateTable', 'dynamodb:DescribeTable']));
  });

  it('writes and reads documents through lib-dynamodb, GSI included', async () => {
    await documents.send(new PutCommand({ TableName: TABLE, Item: { pk: 'CLUSTER#demo', sk: 'META', gsi1pk: 'demo', spec: { version: '1.31', nodegroups: ['ng-general'] } } }));

    const { Item } = await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: 'CLUSTER#demo', sk: 'META' } }));
    const { Items } = await documents.send(new QueryCommand({ TableName: TABLE, IndexName: 'byCluster', KeyConditionExpression: 'gsi1pk = :c', ExpressionAttributeValues: { ':c': 'demo' } }));

    expect(Item).toEqual({ pk: 'CLUSTER#demo', sk: 'META', gsi1pk: 'demo', spec: { version: '1.31', nodegroups: ['ng-general'] } });
    expect(Items).toHaveLength(1);
  });

  it('surfaces a failed conditional write as ConditionalCheckFailedException', async () => {
    const item = { pk: { S: 'LOCK#demo' }, sk: { S: 'LOCK' }, owner: { S: 'op-1' } };
    await raw.send(new PutItemCommand({ TableName: TABLE, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));

    const error = await rejectionOf(raw.send(new PutItemCommand({ TableName: TABLE, Item: { ...item, owner: { S: 'op-2' } }, ConditionExpression: 'attribute_not_exists(pk)' })));
    const viaDocuments = await rejectionOf(documents.send(new UpdateCommand({ TableName: TABLE, Key: { pk: 'LOCK#demo', sk: 'LOCK' }, UpdateExpression: 'SET #o = :o', ConditionExpression: '#o = :expected', ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: { ':o': 'op-3', ':expected': 'op-2' } })));

    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(error.message).toBe('The conditional request failed');
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
    expect(viaDocuments).toBeInstanceOf(ConditionalCheckFailedException);
    expect(world.calls.filter((c) => c === 'dynamodb:PutItem').length).toBeGreaterThanOrEqual(2);
  });

  it('passes dynalite’s own errors through (unknown table)', async () => {
    expect(await rejectionOf(documents.send(new GetCommand({ TableName: 'nope', Key: { pk: 'a', sk: 'b' } })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('applies throttle faults before dynalite sees the call', async () => {
    world.faults.add([{ kind: 'throttle', service: 'dynamodb', operation: 'PutItem', rate: 1 }]);

    const error = await rejectionOf(documents.send(new PutCommand({ TableName: TABLE, Item: { pk: 'THROTTLED', sk: 'X' } })));
    world.faults.clear();
    const { Item } = await documents.send(new GetCommand({ TableName: TABLE, Key: { pk: 'THROTTLED', sk: 'X' } }));

    expect(error.name).toBe('ThrottlingException');
    expect(Item).toBeUndefined();
  });

  it('answers an operation dynalite lacks (TransactWriteItems) with a well-formed error', async () => {
    const response = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'DynamoDB_20120810.TransactWriteItems', 'content-type': 'application/x-amz-json-1.0', authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x', 'x-amz-date': '20260101T000000Z' },
      body: '{"TransactItems":[]}',
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(await response.json()).toEqual({ __type: 'com.amazon.coral.service#UnknownOperationException' });
  });

  it('a dynalite that does not answer is a 500 in the DynamoDB protocol', async () => {
    const deadWorld = new World({ timeScale: 0.001 });
    const dead = await startEmulator({ timeScale: 0.001, services: [createDynamoDbService(deadWorld, 'http://127.0.0.1:9')] }, deadWorld);
    const client = new DynamoDBClient({ endpoint: dead.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    try {
      const error = await rejectionOf(client.send(new DescribeTableCommand({ TableName: TABLE })));

      expect(error.name).toBe('InternalServerError');
      expect(error.message).toContain('dynalite');
    } finally {
      client.destroy();
      await dead.close();
    }
  });
});
