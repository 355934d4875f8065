import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';

import { SALES_INDEXES } from '../config/tables';
import type { ServiceDeps } from '../deps';
import type { Sale } from '../domain/sale';
import type { SalesId } from '../domain/sales-id';
import type { LookupFilter, SalesLookup } from '../validation/list-sales';
import { decodeCursor, encodeCursor } from './cursor';
import { planLinkKey, saleKey } from './keys';
import { saleFromItem, type Item } from './sale-records';

/** Which index serves each look-up. Only `planId` reads link items rather than sale items. */
const INDEX_OF: Record<LookupFilter, string> = {
  customerId: SALES_INDEXES.customer,
  opportunityId: SALES_INDEXES.opportunity,
  contractId: SALES_INDEXES.contract,
  planId: SALES_INDEXES.plan,
  channel: SALES_INDEXES.channel,
};

// BatchGet may return part of a batch under load; the rest is asked for again, a few times.
const MAX_BATCH_ROUNDS = 5;

/** One page of a look-up, newest sale first, and where the next page starts (if any). */
export interface SalesPage {
  readonly sales: readonly Sale[];
  readonly nextCursor: string | null;
}

/**
 * Serves a look-up from its index, newest first. One more entry than the page holds is
 * read, so the last page says so (`nextCursor: null`) instead of leading to an empty one.
 */
export async function listSales(deps: ServiceDeps, lookup: SalesLookup): Promise<SalesPage> {
  const { filter, value, limit } = lookup;
  const after = lookup.cursor ? decodeCursor(lookup.cursor, filter, value) : undefined;

  const entries = await queryIndex(deps, lookup, after);
  const page = entries.slice(0, limit);
  const sales = filter === 'planId' ? await saleItemsOf(deps, page) : page.map(saleFromItem);
  const last = page.at(-1);
  const nextCursor =
    entries.length > limit && last ? encodeCursor(filter, value, last.salesId as SalesId) : null;

  return { sales, nextCursor };
}

async function queryIndex(
  deps: ServiceDeps,
  lookup: SalesLookup,
  after: SalesId | undefined,
): Promise<Item[]> {
  const { filter, value, limit } = lookup;
  const entries: Item[] = [];
  let startKey = after ? startKeyFor(filter, value, after) : undefined;

  // A page may stop short of the limit at DynamoDB's 1 MB cap; keep reading until full.
  do {
    const result = await deps.db.send(
      new QueryCommand({
        TableName: deps.salesTable,
        IndexName: INDEX_OF[filter],
        KeyConditionExpression: '#key = :value',
        ExpressionAttributeNames: { '#key': filter },
        ExpressionAttributeValues: { ':value': value },
        ScanIndexForward: false,
        Limit: limit + 1 - entries.length,
        ExclusiveStartKey: startKey,
      }),
    );
    entries.push(...(result.Items ?? []));
    startKey = result.LastEvaluatedKey;
  } while (startKey && entries.length <= limit);

  return entries;
}

/** The index entry a page ended on, rebuilt from the sales ID: index key plus table key. */
function startKeyFor(filter: LookupFilter, value: string, salesId: SalesId): Item {
  const tableKey = filter === 'planId' ? planLinkKey(salesId, value) : saleKey(salesId);

  return { ...tableKey, [filter]: value, salesId };
}

/** The sale items behind plan-link entries, in the entries' order. */
async function saleItemsOf(deps: ServiceDeps, links: readonly Item[]): Promise<Sale[]> {
  const ids = links.map((link) => link.salesId as SalesId);
  const found = new Map<string, Item>();
  let pending: Record<string, unknown>[] = ids.map((salesId) => saleKey(salesId));

  for (let round = 1; pending.length > 0; round += 1) {
    if (round > MAX_BATCH_ROUNDS) {
      throw new Error(`BatchGet left ${pending.length} sales unread`);
    }
    const result = await deps.db.send(
      new BatchGetCommand({ RequestItems: { [deps.salesTable]: { Keys: pending } } }),
    );
    for (const item of result.Responses?.[deps.salesTable] ?? []) {
      found.set(String(item.salesId), item);
    }
    pending = result.UnprocessedKeys?.[deps.salesTable]?.Keys ?? [];
  }

  return ids.flatMap((salesId) => {
    const item = found.get(salesId);

    return item ? [saleFromItem(item)] : [];
  });
}
