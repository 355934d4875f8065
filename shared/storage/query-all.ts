import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

import type { ServiceDeps } from '../deps';

type Item = Record<string, unknown>;

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
