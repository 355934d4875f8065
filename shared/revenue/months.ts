import type { ServiceDeps } from '../deps';
import { queryAll } from '../storage/query-all';
import { numberOf } from './aggregates';
import { monthPartition, periodKey } from './keys';
import { MOVEMENT_KINDS, type MovementKind } from './movement';

/** One month's movements for one currency, as `GET /revenue/movements` returns them. */
export interface MonthFigures {
  readonly currency: string;
  readonly month: string;
  /** True when revenue-close has sealed the month and these are its period figures. */
  readonly closed: boolean;
  readonly opening: number;
  readonly movements: Record<MovementKind, number>;
  readonly closing: number;
  readonly counts: Record<MovementKind, number>;
}

type Item = Record<string, unknown>;

/** The month after a `YYYY-MM` month. */
export function nextMonth(month: string): string {
  const date = new Date(`${month}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + 1);

  return date.toISOString().slice(0, 7);
}

/** Net MRR change of a month's movements: closing minus opening. */
export function netOf(movements: Readonly<Record<MovementKind, number>>): number {
  return (
    movements.new +
    movements.expansion +
    movements.reactivation -
    movements.contraction -
    movements.churn
  );
}

/**
 * A currency's month-by-month figures from `fromMonth` to `toMonth` (inclusive, oldest
 * first). Live months derive opening and closing from every earlier month's net movements;
 * a month revenue-close has sealed answers with its period record, and later months open
 * at that record's closing, so each opening is the closing shown for the month before.
 */
export async function readMonths(
  deps: Pick<ServiceDeps, 'db' | 'revenueTable'>,
  currency: string,
  fromMonth: string,
  toMonth: string,
): Promise<MonthFigures[]> {
  const upTo = (pk: string): Promise<Item[]> =>
    queryAll(deps, {
      TableName: deps.revenueTable,
      KeyConditionExpression: 'pk = :pk AND sk <= :to',
      ExpressionAttributeValues: { ':pk': pk, ':to': toMonth },
    });
  const [liveItems, periodItems] = await Promise.all([
    upTo(monthPartition(currency)),
    upTo(periodKey(currency, toMonth).pk),
  ]);
  const live = new Map(liveItems.map((item) => [String(item.sk), item]));
  const periods = new Map(periodItems.map((item) => [String(item.sk), item]));

  let closing = 0;
  const earlier = [...new Set([...live.keys(), ...periods.keys()])]
    .filter((month) => month < fromMonth)
    .sort();
  for (const month of earlier) {
    closing = monthFigures(currency, month, closing, live.get(month), periods.get(month)).closing;
  }

  const figures: MonthFigures[] = [];
  for (let month = fromMonth; month <= toMonth; month = nextMonth(month)) {
    const figure = monthFigures(currency, month, closing, live.get(month), periods.get(month));
    figures.push(figure);
    closing = figure.closing;
  }

  return figures;
}

function monthFigures(
  currency: string,
  month: string,
  opening: number,
  live: Item | undefined,
  period: Item | undefined,
): MonthFigures {
  if (period !== undefined) {
    return {
      currency,
      month,
      closed: true,
      opening: numberOf(period.opening),
      movements: perKind((kind) => numberOf(record(period.movements)[kind])),
      closing: numberOf(period.closing),
      counts: perKind((kind) => numberOf(record(period.counts)[kind])),
    };
  }
  const movements = perKind((kind) => numberOf(live?.[kind]));

  return {
    currency,
    month,
    closed: false,
    opening,
    movements,
    closing: opening + netOf(movements),
    counts: perKind((kind) => numberOf(live?.[`${kind}Count`])),
  };
}

function perKind(value: (kind: MovementKind) => number): Record<MovementKind, number> {
  return Object.fromEntries(MOVEMENT_KINDS.map((kind) => [kind, value(kind)])) as Record<
    MovementKind,
    number
  >;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
