import { GetCommand } from '@aws-sdk/lib-dynamodb';

import type { ServiceDeps } from '../deps';
import { closeMarkerKey } from './keys';

/** True when revenue-close has closed the month (`YYYY-MM`); its figures no longer change. */
export async function isMonthClosed(deps: ServiceDeps, month: string): Promise<boolean> {
  const result = await deps.db.send(
    new GetCommand({ TableName: deps.revenueTable, Key: closeMarkerKey(month) }),
  );

  return result.Item !== undefined;
}
