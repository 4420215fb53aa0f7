/** What ties an API request to the scaffolder step that made it. */

/**
 * One Idempotency-Key per task and step: a task the scaffolder resumes or retries after a backend
 * restart gets the operation it already started (the API replays it) instead of starting another.
 */
export function idempotencyKey(ctx: { task: { id: string }; step?: { id?: string } }, action: string): string {
  return `backstage:${ctx.task.id}:${ctx.step?.id ?? action}`;
}
