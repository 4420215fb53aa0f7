/**
 * Where an operation stands, as its status events and GET /operations/{id} say it: kept free of
 * imports so the service, the CLI and the web console's browser bundle share one list.
 */
import type { OperationStatusEvent } from '../generated/types';

export type OperationStatus = OperationStatusEvent['status'];

export const TERMINAL_STATUSES = ['SUCCEEDED', 'FAILED', 'ROLLED_BACK'] as const;

/** SUCCEEDED, FAILED and ROLLED_BACK are the last word on an operation. */
export function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}
