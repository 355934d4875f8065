import type { ServiceDeps } from '../deps';
import type { SaleItem } from '../domain/sale';
import { ENTITY } from '../storage/keys';
import { MRR_TOTAL_SHARDS, shardFor } from './keys';
import { contributionOf } from './movement';
import { DEFAULT_SCAN_SEGMENTS, parallelScan } from './parallel-scan';

/**
 * Recomputes the live MRR aggregates from the sale items themselves, the source of truth.
 * Each sale's share is computed by the same `contributionOf` the stream rollup applies,
 * and counted in the total shard `shardFor` picks, so both sides add up the same way.
 */

/** One currency's MRR figures, as the live aggregates hold them. */
export interface MrrFigures {
  readonly currency: string;
  /** Per total shard: index is the shard number. */
  readonly shards: { mrr: number; activeSales: number }[];
  readonly byChannel: Record<string, number>;
  readonly byProduct: Record<string, number>;
  readonly byPlan: Record<string, number>;
}

export interface Recomputation {
  readonly figures: ReadonlyMap<string, MrrFigures>;
  readonly salesRead: number;
  /** Scan pages read: the recomputation's request count, linear in the number of sales. */
  readonly pagesRead: number;
}

export interface RecomputeOptions {
  /** Parallel scan segments. @default DEFAULT_SCAN_SEGMENTS */
  readonly segments?: number;
  /** Items evaluated per Scan page (DynamoDB's `Limit`). @default a full 1 MB page */
  readonly pageSize?: number;
}

/** Empty figures for a currency: every shard present with zeros. */
export function emptyFigures(currency: string): MrrFigures {
  return {
    currency,
    shards: Array.from({ length: MRR_TOTAL_SHARDS }, () => ({ mrr: 0, activeSales: 0 })),
    byChannel: {},
    byProduct: {},
    byPlan: {},
  };
}

/** The currency's total MRR and active sales: the sum of its shards. */
export function totalsOf(figures: MrrFigures): { mrr: number; activeSales: number } {
  return figures.shards.reduce(
    (sum, shard) => ({
      mrr: sum.mrr + shard.mrr,
      activeSales: sum.activeSales + shard.activeSales,
    }),
    { mrr: 0, activeSales: 0 },
  );
}

/**
 * Scans every sale item (paged, in parallel segments) and adds up MRR, active sales and
 * the channel, product and plan breakdowns per currency.
 */
export async function recomputeFromSales(
  deps: Pick<ServiceDeps, 'db' | 'salesTable'>,
  options: RecomputeOptions = {},
): Promise<Recomputation> {
  const figures = new Map<string, MrrFigures>();
  // A service that ignores segments returns the whole table to each of them (older DynamoDB
  // Local did); counting each sales ID once keeps the sums right either way.
  const seen = new Set<string>();

  const { pages } = await parallelScan(
    deps,
    {
      TableName: deps.salesTable,
      FilterExpression: '#entityType = :sale',
      ProjectionExpression: 'salesId, currency, channel, #status, mrr, peakMrr, #items',
      ExpressionAttributeNames: {
        '#entityType': 'entityType',
        '#status': 'status',
        '#items': 'items',
      },
      ExpressionAttributeValues: { ':sale': ENTITY.sale },
      Limit: options.pageSize,
    },
    options.segments ?? DEFAULT_SCAN_SEGMENTS,
    (items) => {
      for (const item of items) {
        const sale = item as unknown as ScannedSale;
        if (seen.has(sale.salesId)) {
          continue;
        }
        seen.add(sale.salesId);
        addSale(figuresFor(figures, sale.currency), sale);
      }
    },
  );

  return { figures, salesRead: seen.size, pagesRead: pages };
}

interface ScannedSale {
  readonly salesId: string;
  readonly currency: string;
  readonly channel: string;
  readonly status: string;
  readonly mrr: number;
  readonly peakMrr?: number;
  readonly items: readonly SaleItem[];
}

function figuresFor(figures: Map<string, MrrFigures>, currency: string): MrrFigures {
  let entry = figures.get(currency);
  if (!entry) {
    entry = emptyFigures(currency);
    figures.set(currency, entry);
  }

  return entry;
}

function addSale(figures: MrrFigures, sale: ScannedSale): void {
  const share = contributionOf({ ...sale, peakMrr: sale.peakMrr ?? sale.mrr });
  const shard = figures.shards[shardFor(sale.salesId)];
  if (shard) {
    shard.mrr += share.mrr;
    shard.activeSales += share.active;
  }
  addParts(figures.byChannel, share.byChannel);
  addParts(figures.byProduct, share.byProduct);
  addParts(figures.byPlan, share.byPlan);
}

function addParts(target: Record<string, number>, parts: Readonly<Record<string, number>>): void {
  for (const [id, mrr] of Object.entries(parts)) {
    target[id] = (target[id] ?? 0) + mrr;
  }
}
