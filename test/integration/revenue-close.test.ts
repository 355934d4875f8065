import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';

import { revenueClose } from '../../functions/revenue-close';
import { rollupRevenue } from '../../functions/rollup-revenue';
import type { ServiceDeps } from '../../shared/deps';
import type { SaleItem } from '../../shared/domain/sale';
import { hasCode } from '../../shared/errors';
import { isMonthClosed } from '../../shared/revenue/closed-months';
import { closeMarkerKey, periodKey } from '../../shared/revenue/keys';
import { readMonths } from '../../shared/revenue/months';
import {
  createStoredSale,
  storeAmendment,
  storeCancellation,
  streamRecords,
} from '../helpers/sales-stream';
import { createDocumentClient } from '../../shared/storage/client';
import { createTestTables, localEndpoint } from '../helpers/tables';

const NOW = new Date('2026-12-01T00:45:00Z');
const scheduled = (time: Date) => ({
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  time: time.toISOString(),
});

const item = (planId: string, quantity: number, unitAmount = 4900): SaleItem => ({
  productId: 'analytics',
  planId,
  quantity,
  unitAmount,
  interval: 'month',
});
const at = (day: string): Date => new Date(`2026-${day}T12:00:00Z`);
const kinds = (values: Record<string, number> = {}) => ({
  new: 0,
  expansion: 0,
  contraction: 0,
  churn: 0,
  reactivation: 0,
  ...values,
});

async function rollUp(deps: ServiceDeps, atLeast: number): Promise<void> {
  const records = await streamRecords(deps, { atLeast });
  const response = await rollupRevenue(deps)({ Records: records });
  expect(response.batchItemFailures).toEqual([]);
}

async function periodItem(deps: ServiceDeps, currency: string, month: string) {
  const result = await deps.db.send(
    new GetCommand({ TableName: deps.revenueTable, Key: periodKey(currency, month) }),
  );

  return result.Item;
}

/** A client on DynamoDB Local that reports each command's name before sending it. */
function countingClient(onCommand: (command: string) => unknown) {
  const db = createDocumentClient({ endpoint: localEndpoint() });
  db.middlewareStack.add(
    (next, context) => async (args) => {
      onCommand(String(context.commandName));

      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );

  return db;
}

async function rejection(run: Promise<unknown>): Promise<unknown> {
  try {
    await run;
  } catch (error) {
    return error;
  }

  throw new Error('expected the run to fail');
}

describe('revenue-close', () => {
  let deps: ServiceDeps;

  beforeAll(async () => {
    deps = await createTestTables({ clock: () => NOW });
    // August: two USD sales; September: nothing; October: one EUR sale;
    // November: an expansion, a churn and a new partner sale.
    const a = await createStoredSale(deps, { items: [item('pro', 3)] }, at('08-03'));
    const b = await createStoredSale(deps, { items: [item('team', 2)] }, at('08-10'));
    await createStoredSale(deps, { items: [item('pro', 1)], currency: 'EUR' }, at('10-04'));
    await storeAmendment(deps, a, [item('pro', 3), item('team', 1)], at('11-02'));
    await storeCancellation(deps, b, at('11-12'));
    await createStoredSale(deps, { items: [item('pro', 2)], channel: 'partner' }, at('11-20'));
    await rollUp(deps, 6);
  });

  it('closes the previous month with the figures GET /revenue/movements showed', async () => {
    const [live] = await readMonths(deps, 'USD', '2026-11', '2026-11');

    const outcome = await revenueClose(deps)(scheduled(NOW));

    const [after] = await readMonths(deps, 'USD', '2026-11', '2026-11');
    const period = await periodItem(deps, 'USD', '2026-11');
    expect(outcome.status).toBe('closed');
    expect(live).toMatchObject({
      opening: 24500,
      movements: kinds({ new: 9800, expansion: 4900, churn: 9800 }),
      closing: 29400,
      counts: kinds({ new: 1, expansion: 1, churn: 1 }),
    });
    expect(period).toEqual({
      pk: 'PERIOD#USD',
      sk: '2026-11',
      entityType: 'ClosedPeriod',
      currency: 'USD',
      month: '2026-11',
      opening: live?.opening,
      movements: live?.movements,
      closing: live?.closing,
      arr: 29400 * 12,
      counts: live?.counts,
      byChannel: { direct: 19600, partner: 9800 },
      byPlan: { pro: 24500, team: 4900 },
      closedAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    expect(after).toEqual({ ...live, closed: true });
    expect(await isMonthClosed(deps, '2026-11')).toBe(true);
  });

  it('closes every currency that has movements, with zeros where it had none', async () => {
    const eur = await periodItem(deps, 'EUR', '2026-11');

    expect(eur).toMatchObject({
      opening: 4900,
      movements: kinds(),
      closing: 4900,
      counts: kinds(),
      byChannel: { direct: 4900 },
    });
  });

  it('changes nothing and says so when the month is closed again', async () => {
    const before = await periodItem(deps, 'USD', '2026-11');
    const later = new Date('2026-12-02T09:00:00Z');

    const outcome = await revenueClose({ ...deps, clock: () => later })({ month: '2026-11' });

    expect(outcome).toEqual({
      status: 'already_closed',
      month: '2026-11',
      closedAt: NOW.toISOString(),
    });
    expect(await periodItem(deps, 'USD', '2026-11')).toEqual(before);
  });

  it('closes a month without sales at the previous closing', async () => {
    const outcome = await revenueClose(deps)({ month: '2026-09' });

    const period = await periodItem(deps, 'USD', '2026-09');
    expect(outcome.status).toBe('closed');
    expect(period).toMatchObject({
      opening: 24500,
      movements: kinds(),
      closing: 24500,
      counts: kinds(),
      byPlan: { pro: 14700, team: 9800 },
    });
    expect(await periodItem(deps, 'EUR', '2026-09')).toMatchObject({ opening: 0, closing: 0 });
  });

  it('lets exactly one of two overlapping closes write', async () => {
    let transactions = 0;
    const counted = countingClient((command) => {
      transactions += command.includes('TransactWrite') ? 1 : 0;
    });
    const close = revenueClose({ ...deps, db: counted });

    const outcomes = await Promise.all([close({ month: '2026-10' }), close({ month: '2026-10' })]);

    // Both runs got past the marker read and tried to write: the transaction decided.
    expect(transactions).toBe(2);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['already_closed', 'closed']);
    expect(await periodItem(deps, 'EUR', '2026-10')).toMatchObject({
      movements: kinds({ new: 4900 }),
      closing: 4900,
    });
  });

  it('reports already closed when an overlapping close wins by a conflict', async () => {
    // DynamoDB Local never raises TransactionConflict; this stub does, the way AWS answers
    // two transactions on one marker, after letting the other run seal the month.
    let injected = false;
    const conflicting = createDocumentClient({ endpoint: localEndpoint() });
    conflicting.middlewareStack.add(
      (next, context) => async (args) => {
        if (injected || !String(context.commandName).includes('TransactWrite')) {
          return next(args);
        }
        injected = true;
        await revenueClose(deps)({ month: '2026-07' });
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }],
        });
      },
      { step: 'initialize', name: 'injectConflict' },
    );

    const outcome = await revenueClose({ ...deps, db: conflicting })({ month: '2026-07' });

    expect(injected).toBe(true);
    expect(outcome).toEqual({ status: 'already_closed', month: '2026-07' });
    expect(await isMonthClosed(deps, '2026-07')).toBe(true);
  });

  it('closes a month of an empty table with no periods but a marker', async () => {
    const empty = await createTestTables({ clock: () => NOW });

    const outcome = await revenueClose(empty)({ month: '2026-06' });

    const marker = await empty.db.send(
      new GetCommand({ TableName: empty.revenueTable, Key: closeMarkerKey('2026-06') }),
    );
    expect(outcome).toEqual({ status: 'closed', month: '2026-06', periods: [] });
    expect(marker.Item).toMatchObject({ month: '2026-06', currencies: [] });
  });

  it.each([
    [{ month: '2026-12' }, 'has not ended'],
    [{ month: '2027-03' }, 'has not ended'],
    [{ month: '2026-13' }, 'Invalid rollup period'],
    [{ month: '2026-1' }, 'Invalid rollup period'],
    [{ month: 202611 }, 'Invalid rollup period'],
    [{ date: '2026-11-30' }, 'Invalid rollup period'],
  ])('refuses the invalid period %j', async (input, message) => {
    const error = await rejection(revenueClose(deps)(input));

    expect(hasCode(error, 'validation_failed')).toBe(true);
    expect((error as Error).message).toContain(message);
  });
});
