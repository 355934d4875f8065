import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

import type { ServiceDeps } from '../deps';
import { mrrPartition } from './keys';

/** Live MRR of one currency, summed from its total shards and breakdown items. */
export interface LiveMrr {
  readonly mrr: number;
  readonly activeSales: number;
  readonly byChannel: Record<string, number>;
  readonly byProduct: Record<string, number>;
  readonly byPlan: Record<string, number>;
}

type Item = Record<string, unknown>;

const BREAKDOWNS = { CHANNEL: 'byChannel', PRODUCT: 'byProduct', PLAN: 'byPlan' } as const;

/** Reads a currency's live MRR: one query over its partition; zeros when never seen. */
export async function readLiveMrr(
  deps: Pick<ServiceDeps, 'db' | 'revenueTable'>,
  currency: string,
): Promise<LiveMrr> {
  const items = await queryAll(deps, {
    TableName: deps.revenueTable,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': mrrPartition(currency) },
  });
  const live: LiveMrr = { mrr: 0, activeSales: 0, byChannel: {}, byProduct: {}, byPlan: {} };
  let mrr = 0;
  let activeSales = 0;

  for (const item of items) {
    const sk = String(item.sk);
    const separator = sk.indexOf('#');
    const prefix = sk.slice(0, separator);
    if (prefix === 'TOTAL') {
      mrr += numberOf(item.mrr);
      activeSales += numberOf(item.activeSales);
      continue;
    }
    const breakdown = BREAKDOWNS[prefix as keyof typeof BREAKDOWNS];
    const amount = numberOf(item.mrr);
    // A part that went back to 0 stays as an item; the contract omits zero entries.
    if (breakdown !== undefined && amount !== 0) {
      live[breakdown][sk.slice(separator + 1)] = amount;
    }
  }

  return { ...live, mrr, activeSales };
}

/** Every item a query matches, following pagination. */
export async function queryAll(
  deps: Pick<ServiceDeps, 'db'>,
  input: QueryCommandInput,
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.db.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...((page.Items ?? []) as Item[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);

  return items;
}

/** A stored counter as a number; absent counters are 0. */
export function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}
