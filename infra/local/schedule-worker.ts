import type { LocalContext, LocalWorker } from './local-context';

/** Fires the scheduled rollups on their crons (built with the scheduled rollups). */
export async function startScheduleWorker(_context: LocalContext): Promise<LocalWorker> {
  return { stop: async () => undefined };
}
