import type { ServiceDeps } from '../deps';
import type { Sale, SaleVersion } from '../domain/sale';
import type { SalesId } from '../domain/sales-id';
import { ENTITY, salePartitionKey } from './keys';
import { queryAll } from './query-all';
import { byMonthAndMeter, byReceivedAt } from './sale-extras';
import { saleFromItem, versionFromItem, type Item } from './sale-records';

/** Every item of one sale, grouped by what it is. */
export interface SaleRecord {
  readonly sale: Sale;
  readonly history: readonly SaleVersion[];
  readonly payments: readonly Item[];
  readonly usage: readonly Item[];
}

/**
 * Reads a sale and everything that hangs off it with one query on its partition (paged
 * only when the partition outgrows 1 MB). Undefined when no such sale exists.
 */
export async function readSale(
  deps: ServiceDeps,
  salesId: SalesId,
): Promise<SaleRecord | undefined> {
  const items = await queryPartition(deps, salesId);
  const saleEntry = items.find((item) => item.entityType === ENTITY.sale);
  if (!saleEntry) {
    return undefined;
  }

  const history = items
    .filter((item) => item.entityType === ENTITY.saleVersion)
    .map(versionFromItem)
    .sort((a, b) => a.version - b.version);

  return {
    sale: saleFromItem(saleEntry),
    history,
    payments: items.filter((item) => item.entityType === ENTITY.payment).sort(byReceivedAt),
    usage: items.filter((item) => item.entityType === ENTITY.usage).sort(byMonthAndMeter),
  };
}

function queryPartition(deps: ServiceDeps, salesId: SalesId): Promise<Item[]> {
  return queryAll(deps, {
    TableName: deps.salesTable,
    KeyConditionExpression: 'pk = :pk',
    // Usage events only serve replays (the view shows the monthly counters), so they are
    // filtered out of the answer. A filter applies after the read: a sale with very many
    // events still reads them, over several pages.
    FilterExpression: 'entityType <> :usageEvent',
    ExpressionAttributeValues: {
      ':pk': salePartitionKey(salesId),
      ':usageEvent': ENTITY.usageEvent,
    },
    ConsistentRead: true,
  });
}
