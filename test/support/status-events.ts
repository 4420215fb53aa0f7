/** The contract every workflow test checks on the status events it produced. */
import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OperationStatusEvent } from '../../functions/generated/types';
import { isTerminal } from '../../functions/domain/status-event';
import type { FakeAws } from './fake-aws';

const SCHEMAS = join(__dirname, '..', '..', 'schemas');
const readSchema = (path: string) => JSON.parse(readFileSync(join(SCHEMAS, path), 'utf8')) as object;
// The published schema, compiled independently of the service's own generated validators.
const ajv = new Ajv({ strict: false });
ajv.addSchema(readSchema('workflow/workflow-state.schema.json'));
const validEvent = ajv.compile(readSchema('events/operation-status.schema.json'));

/** Every event (of one operation, when given) matches the published schema; exactly one is terminal, and it comes last. */
export function expectWellFormedEvents(aws: FakeAws, operationId?: string): OperationStatusEvent {
  const events = operationId === undefined ? aws.events : aws.events.filter((e) => e.operationId === operationId);
  for (const event of events) {
    validEvent(event);
    expect({ eventId: event.eventId, errors: validEvent.errors ?? [] }).toEqual({ eventId: event.eventId, errors: [] });
  }
  const terminal = events.filter((e) => isTerminal(e.status));
  expect(terminal).toHaveLength(1);
  expect(events.at(-1)).toBe(terminal[0]);
  return terminal[0]!;
}
