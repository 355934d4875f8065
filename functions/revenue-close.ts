import { depsFromEnv, type ServiceDeps } from '../shared/deps';
import { logger } from '../shared/observability/logger';
import { closeMonth, type CloseOptions, type CloseOutcome } from '../shared/revenue/close-period';
import { parseCloseInput } from '../shared/revenue/periods';

/**
 * revenue-close: closes the month before the scheduled event's time, or the one named by
 * `{ "month": "YYYY-MM" }`, into immutable period records. A closed month is reported as
 * `already_closed` and left exactly as it was.
 */
export const revenueClose =
  (deps: ServiceDeps, options: CloseOptions = {}) =>
  async (input: unknown): Promise<CloseOutcome> => {
    const run = parseCloseInput(input, deps.clock);
    logger.appendKeys({ month: run.month });
    const outcome = await closeMonth(deps, run.month, options);

    if (outcome.status === 'closed') {
      logger.info('Month closed', {
        currencies: outcome.periods.map((period) => period.currency),
        closings: Object.fromEntries(outcome.periods.map((p) => [p.currency, p.closing])),
      });
    } else {
      logger.info('Month already closed', { closedAt: outcome.closedAt });
    }

    return outcome;
  };

export const handler = revenueClose(depsFromEnv());
