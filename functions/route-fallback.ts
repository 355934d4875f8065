import { ServiceError } from '../shared/errors';
import { httpRoute } from '../shared/http/route';
import { matchRoute } from '../shared/http/route-matcher';
import type { HttpRequest, HttpResponse } from '../shared/http/types';

/**
 * Answers requests no route takes: 405 with `Allow` for a known path, 404 otherwise. API
 * Gateway routes them here through `ANY` methods, the local server likewise.
 */
export const routeFallback = async (request: HttpRequest): Promise<HttpResponse> => {
  const result = matchRoute(request.method, request.path);
  if (result.kind === 'wrong-method') {
    throw new ServiceError('method_not_allowed', `${request.method} is not served here`, {
      headers: { Allow: result.allowed.join(', ') },
    });
  }

  throw new ServiceError('not_found', `No route for ${request.method} ${request.path}`);
};

export const handler = httpRoute(routeFallback);
