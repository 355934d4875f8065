import {
  cronExpression,
  cronMatches,
  nextOccurrence,
  REVENUE_CLOSE,
  REVENUE_DAILY,
} from '../../shared/config/schedules';

describe('schedule crons', () => {
  it('renders the declarations as EventBridge cron expressions', () => {
    expect(cronExpression(REVENUE_DAILY.cron)).toBe('cron(15 0 * * ? *)');
    expect(cronExpression(REVENUE_CLOSE.cron)).toBe('cron(45 0 1 * ? *)');
  });

  it('finds the next daily run after midnight UTC, the same day or the next', () => {
    expect(nextOccurrence(REVENUE_DAILY.cron, new Date('2026-12-03T18:00:00Z'))).toEqual(
      new Date('2026-12-04T00:15:00Z'),
    );
    expect(nextOccurrence(REVENUE_DAILY.cron, new Date('2026-12-04T00:14:59.999Z'))).toEqual(
      new Date('2026-12-04T00:15:00Z'),
    );
    expect(nextOccurrence(REVENUE_DAILY.cron, new Date('2026-12-04T00:15:00Z'))).toEqual(
      new Date('2026-12-05T00:15:00Z'),
    );
  });

  it('finds the next close on the 1st, across a year end', () => {
    expect(nextOccurrence(REVENUE_CLOSE.cron, new Date('2026-12-01T00:45:00Z'))).toEqual(
      new Date('2027-01-01T00:45:00Z'),
    );
  });

  it('skips months without the day a cron names', () => {
    const cron = { minute: '0', hour: '12', day: '31' };

    expect(nextOccurrence(cron, new Date('2027-02-01T00:00:00Z'))).toEqual(
      new Date('2027-03-31T12:00:00Z'),
    );
    expect(cronMatches(cron, new Date('2027-03-31T12:00:30Z'))).toBe(true);
  });
});
