import { ScanCommand, type ScanCommandInput } from '@aws-sdk/lib-dynamodb';

import type { ServiceDeps } from '../deps';

/**
 * A paged, parallel Scan. Each segment pages on its own and hands every page to `onPage`
 * as it arrives, so memory holds one page per segment, not the table.
 */

/** Segments a full-table scan is split into: enough to overlap round trips, few for a Lambda. */
export const DEFAULT_SCAN_SEGMENTS = 4;

export interface ScanOutcome {
  /** Pages read over all segments: the scan's request count. */
  readonly pages: number;
}

/** Scans every segment to its end, calling `onPage` with each page's items. */
export async function parallelScan(
  deps: Pick<ServiceDeps, 'db'>,
  input: Omit<ScanCommandInput, 'Segment' | 'TotalSegments' | 'ExclusiveStartKey'>,
  segments: number,
  onPage: (items: readonly Record<string, unknown>[]) => void,
): Promise<ScanOutcome> {
  const scanSegment = async (segment: number): Promise<number> => {
    let pages = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await deps.db.send(
        new ScanCommand({
          ...input,
          ...(segments > 1 ? { Segment: segment, TotalSegments: segments } : {}),
          ExclusiveStartKey: startKey,
        }),
      );
      pages += 1;
      onPage(page.Items ?? []);
      startKey = page.LastEvaluatedKey;
    } while (startKey);

    return pages;
  };

  const counts = await Promise.all(Array.from({ length: segments }, (_, s) => scanSegment(s)));

  return { pages: counts.reduce((sum, count) => sum + count, 0) };
}
