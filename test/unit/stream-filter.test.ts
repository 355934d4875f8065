import { assertSupportedPattern, matchesFilter } from '../../infra/local/stream-filter';
import { ROLLUP_STREAM } from '../../shared/config/stream';

const record = (eventName: string, entityType?: string) => ({
  eventName,
  dynamodb: { NewImage: entityType === undefined ? {} : { entityType: { S: entityType } } },
});

describe('local stream filter', () => {
  it.each([
    ['INSERT', 'Sale', true],
    ['MODIFY', 'Sale', true],
    ['REMOVE', 'Sale', false],
    ['INSERT', 'Payment', false],
    ['MODIFY', 'SaleVersion', false],
    ['INSERT', undefined, false],
  ])('lets %s of %s through: %s', (eventName, entityType, expected) => {
    expect(matchesFilter(ROLLUP_STREAM.filterPattern, record(eventName, entityType))).toBe(
      expected,
    );
  });

  it('matches `exists: false` only when the key is absent', () => {
    const pattern = { dynamodb: { OldImage: [{ exists: false }] } };

    expect(matchesFilter(pattern, { dynamodb: {} })).toBe(true);
    expect(matchesFilter(pattern, { dynamodb: { OldImage: 'x' } })).toBe(false);
  });

  it('refuses a rule the local evaluator does not implement', () => {
    const pattern = { eventName: [{ prefix: 'INS' } as never] };

    expect(() => assertSupportedPattern(pattern)).toThrow(/not supported locally/);
  });
});
