import type { ServiceDeps } from '../deps';
import { queryAll } from '../storage/query-all';
import { mrrPartition } from './keys';
import { emptyFigures, type MrrFigures } from './recompute';

const TOTAL_PREFIX = 'TOTAL#';
const BREAKDOWN_FIELD = { CHANNEL: 'byChannel', PRODUCT: 'byProduct', PLAN: 'byPlan' } as const;

/**
 * Reads one currency's live MRR aggregates (every total shard and breakdown part of its
 * `MRR#<currency>` partition) in one paged Query, as the stream rollup left them. It keeps
 * each total shard apart, since a repair rewrites shards one by one; `readLiveMrr` sums them.
 */
export async function readLiveFigures(
  deps: Pick<ServiceDeps, 'db' | 'revenueTable'>,
  currency: string,
): Promise<MrrFigures> {
  const figures = emptyFigures(currency);
  const items = await queryAll(deps, {
    TableName: deps.revenueTable,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': mrrPartition(currency) },
    // Strongly consistent: a reconciliation must not compare against a stale replica, and a
    // reader who just saw the rollup finish must see its result.
    ConsistentRead: true,
  });
  items.forEach((item) => addItem(figures, item));

  return figures;
}

function addItem(figures: MrrFigures, item: Record<string, unknown>): void {
  const sk = String(item.sk);
  const mrr = Number(item.mrr ?? 0);
  if (sk.startsWith(TOTAL_PREFIX)) {
    const shard = figures.shards[Number(sk.slice(TOTAL_PREFIX.length))];
    if (shard) {
      shard.mrr += mrr;
      shard.activeSales += Number(item.activeSales ?? 0);
    }

    return;
  }
  const separator = sk.indexOf('#');
  const dimension = sk.slice(0, separator) as keyof typeof BREAKDOWN_FIELD;
  const field = BREAKDOWN_FIELD[dimension];
  // Zero parts are left behind when a channel or plan loses its last sale; they mean "none".
  if (field !== undefined && mrr !== 0) {
    figures[field][sk.slice(separator + 1)] = mrr;
  }
}
