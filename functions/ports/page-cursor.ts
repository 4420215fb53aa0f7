/**
 * Page cursors: the position to continue a listing from, opaque to callers and bound to the
 * listing and caller they were handed to. A cursor another caller (or another listing) sends, or
 * one that was forged or garbled, is an InvalidCursorError before any read: DynamoDB would
 * otherwise refuse a foreign ExclusiveStartKey with a ValidationException (a 5xx to the caller), or
 * start another owner's partition where the caller may not look.
 *
 * The binding is a hash, not a signature: it keeps a cursor to the caller and listing it was handed
 * to, while what a cursor can name at all is limited by construction. The listing's partition is
 * never read from the cursor (it is `fixed` below), so even a hand-made one only moves the start
 * within what the caller may list anyway.
 */
import { createHash } from 'node:crypto';

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** What a cursor continues: the listing (e.g. an owner's clusters) and the principal it was given to. */
export interface CursorScope {
  listing: string;
  caller: string;
}

/** The key attributes a position is made of: `fixed` ones are the listing's own (its partition), not carried in the cursor. */
export interface CursorKey {
  attributes: readonly string[];
  fixed?: Record<string, string>;
}

/** DynamoDB's limits on a key attribute: a partition key of 2048 bytes, a sort key of 1024, never empty. */
const MAX_KEY_VALUE = 1024;

const bindingOf = (scope: CursorScope) => createHash('sha256').update(`${scope.listing}\u0000${scope.caller}`).digest('base64url').slice(0, 22);

export function encodeCursor(position: Record<string, unknown>, scope: CursorScope, key: CursorKey): string {
  const carried = Object.fromEntries(key.attributes.filter((name) => !(name in (key.fixed ?? {}))).map((name) => [name, position[name]]));
  return Buffer.from(JSON.stringify({ k: carried, b: bindingOf(scope) })).toString('base64url');
}

/** The position to start after, or undefined without a cursor; InvalidCursorError when it is not one this listing handed this caller. */
export function decodeCursor(cursor: string | undefined, scope: CursorScope, key: CursorKey): Record<string, string> | undefined {
  if (!cursor) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('the cursor is not one this API returned');
  }
  const { k: carried, b: binding } = (decoded && typeof decoded === 'object' ? decoded : {}) as { k?: unknown; b?: unknown };
  if (typeof binding !== 'string') throw new InvalidCursorError('the cursor is not one this API returned');
  if (binding !== bindingOf(scope)) throw new InvalidCursorError('the cursor belongs to another listing or caller: start again without it');
  const fixed = key.fixed ?? {};
  const expected = key.attributes.filter((name) => !(name in fixed));
  const isPosition =
    !!carried &&
    typeof carried === 'object' &&
    !Array.isArray(carried) &&
    Object.keys(carried).length === expected.length &&
    expected.every((name) => {
      const value = (carried as Record<string, unknown>)[name];
      return typeof value === 'string' && value.length > 0 && value.length <= MAX_KEY_VALUE;
    });
  if (!isPosition) throw new InvalidCursorError('the cursor is not one this API returned');
  return { ...(carried as Record<string, string>), ...fixed };
}
