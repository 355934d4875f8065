import { startScheduleWorker } from '../../infra/local/schedule-worker';
import { createTestTables, localEndpoint } from '../helpers/tables';

describe('local schedule worker', () => {
  it('fires revenue-daily at its cron with the scheduled event and logs what it did', async () => {
    const tables = await createTestTables();
    const lines: string[] = [];
    // A clock that stands half a second before 00:15 UTC and runs at real speed.
    const offset = Date.parse('2026-12-04T00:14:59.500Z') - Date.now();
    const worker = await startScheduleWorker(
      {
        endpoint: localEndpoint(),
        salesTable: tables.salesTable,
        revenueTable: tables.revenueTable,
        stateDir: '/tmp',
        log: (line) => lines.push(line),
      },
      { clock: () => new Date(Date.now() + offset) },
    );

    await waitFor(() => lines.some((line) => line.includes('run recorded')), 5_000);
    await worker.stop();

    expect(lines).toContainEqual(
      expect.stringContaining('revenue-daily cron(15 0 * * ? *) UTC, next at 2026-12-04T00:15'),
    );
    expect(lines).toContainEqual(expect.stringContaining('revenue-close cron(45 0 1 * ? *) UTC'));
    expect(lines).toContainEqual(
      '[revenue-daily] Reconciled 0 sales (4 scan pages) for 0 currencies',
    );
    expect(lines).toContainEqual('[revenue-daily] No sales yet: no snapshot of 2026-12-03 written');
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
