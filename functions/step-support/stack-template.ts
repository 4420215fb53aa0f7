/** A stack's current template as the steps that rewrite one read it (GetTemplate's body). */

/** The template as JSON, as the service renders every stack; anything else (YAML, gone) is left alone. */
export function parsedTemplate(body: string | undefined): Record<string, unknown> | undefined {
  if (body === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
