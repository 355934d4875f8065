import { isSalesId, type SalesId } from '../domain/sales-id';
import type { LookupFilter } from '../validation/list-sales';
import { invalidQuery } from '../validation/list-sales';

/**
 * Page cursors for `GET /sales`. A cursor names the look-up it belongs to and the last sales
 * ID served; the start key is rebuilt from those on the server. So a cursor can only resume
 * the very query that issued it: one edited to name another filter or value is refused, and
 * no client-made key ever reaches DynamoDB.
 */

interface CursorContent {
  readonly f: LookupFilter;
  readonly v: string;
  readonly s: SalesId;
}

const CURSOR_VERSION = 'c1';

/** Encodes where the next page of a look-up starts. */
export function encodeCursor(filter: LookupFilter, value: string, lastSalesId: SalesId): string {
  const content: CursorContent = { f: filter, v: value, s: lastSalesId };

  return `${CURSOR_VERSION}.${Buffer.from(JSON.stringify(content)).toString('base64url')}`;
}

/** The last sales ID of the previous page, or 400 `invalid_query` for a bad or foreign cursor. */
export function decodeCursor(cursor: string, filter: LookupFilter, value: string): SalesId {
  const content = parseContent(cursor);
  if (!content || content.f !== filter || content.v !== value || !isSalesId(content.s)) {
    throw invalidQuery([{ pointer: '/query/cursor', detail: 'not a cursor of this query' }]);
  }

  return content.s;
}

function parseContent(cursor: string): Partial<CursorContent> | undefined {
  const [version, payload, ...rest] = cursor.split('.');
  if (version !== CURSOR_VERSION || !payload || rest.length > 0) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));

    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}
