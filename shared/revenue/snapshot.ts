import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';

import type { ServiceDeps } from '../deps';
import { arrFromMrr } from '../domain/money';
import { REVENUE_ENTITY, snapshotKey } from './keys';
import { totalsOf, type MrrFigures } from './recompute';

/**
 * The daily MRR snapshot. "The snapshot of day D" is MRR as the day ended: revenue-daily
 * runs just after midnight UTC and records the live figures it reads then, with `takenAt`
 * saying exactly when. The first snapshot of a day stands (conditional put): a later re-run
 * would read figures that already include the next day's changes.
 */

export type SnapshotOutcome = 'written' | 'already_written';

export interface SnapshotInput {
  readonly day: string;
  readonly figures: MrrFigures;
  readonly takenAt: string;
  /** The day ended more than a day before `takenAt`: a late fill-in, not an end-of-day read. */
  readonly late: boolean;
  /** The reconciliation's drift for this currency when the snapshot was taken. */
  readonly mrrDrift: number;
}

/** Writes one currency's snapshot of a day unless that day already has one. */
export async function writeSnapshot(
  deps: Pick<ServiceDeps, 'db' | 'revenueTable'>,
  input: SnapshotInput,
): Promise<SnapshotOutcome> {
  const { figures } = input;
  const totals = totalsOf(figures);
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.revenueTable,
        Item: {
          ...snapshotKey(figures.currency, input.day),
          entityType: REVENUE_ENTITY.snapshot,
          currency: figures.currency,
          day: input.day,
          mrr: totals.mrr,
          arr: arrFromMrr(totals.mrr),
          activeSales: totals.activeSales,
          byChannel: figures.byChannel,
          byProduct: figures.byProduct,
          byPlan: figures.byPlan,
          mrrDrift: input.mrrDrift,
          late: input.late,
          takenAt: input.takenAt,
          updatedAt: input.takenAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );

    return 'written';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return 'already_written';
    }
    throw error;
  }
}
