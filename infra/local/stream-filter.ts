import type { FilterPattern, FilterValue } from '../../shared/config/stream';

/**
 * Lambda's event filtering, for the subset of the pattern language the stream declaration
 * uses: nested objects, lists of literal values, and `{ exists }`. Anything else in a
 * pattern is refused at start-up, so the local poller never silently filters differently
 * from the event source mapping.
 */

/** Throws when a pattern uses a rule this local evaluator does not implement. */
export function assertSupportedPattern(pattern: FilterPattern, path = ''): void {
  for (const [key, rule] of Object.entries(pattern)) {
    const where = `${path}/${key}`;
    if (!Array.isArray(rule)) {
      assertSupportedPattern(rule as FilterPattern, where);
      continue;
    }
    for (const value of rule as readonly FilterValue[]) {
      const literal = value === null || typeof value !== 'object';
      if (!literal && Object.keys(value).join() !== 'exists') {
        throw new Error(
          `Filter rule at ${where} is not supported locally: ${JSON.stringify(value)}`,
        );
      }
    }
  }
}

/** True when the event matches every key of the pattern (Lambda's AND across keys). */
export function matchesFilter(pattern: FilterPattern, event: unknown): boolean {
  const object = isObject(event) ? event : {};

  return Object.entries(pattern).every(([key, rule]) => {
    const present = Object.prototype.hasOwnProperty.call(object, key);
    const value = object[key];
    if (!Array.isArray(rule)) {
      return present && isObject(value) && matchesFilter(rule as FilterPattern, value);
    }

    return (rule as readonly FilterValue[]).some((allowed) =>
      matchesValue(allowed, present, value),
    );
  });
}

function matchesValue(allowed: FilterValue, present: boolean, value: unknown): boolean {
  if (allowed !== null && typeof allowed === 'object') {
    return allowed.exists === (present && !isObject(value));
  }
  if (!present) {
    return false;
  }
  // A list in the event matches when any of its elements does, as in Lambda.
  const values = Array.isArray(value) ? value : [value];

  return values.some((candidate) => candidate === allowed);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
