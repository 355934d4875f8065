import { ROUTES, type RouteDeclaration } from '../config/routes';

export interface RouteMatch {
  readonly route: RouteDeclaration;
  readonly pathParameters: Record<string, string>;
}

/** The outcome of matching a method and path against the declared routes. */
export type MatchResult =
  | { readonly kind: 'matched'; readonly match: RouteMatch }
  | {
      readonly kind: 'wrong-method';
      readonly allowed: readonly string[];
      readonly template: string;
    }
  | { readonly kind: 'unknown' };

/** Matches a concrete path such as `/sales/sale_x` against templates such as `/sales/{salesId}`. */
export function matchRoute(method: string, path: string): MatchResult {
  const candidates = ROUTES.map((route) => ({
    route,
    params: matchTemplate(route.path, path),
  })).filter((candidate) => candidate.params !== undefined);
  if (candidates.length === 0) {
    return { kind: 'unknown' };
  }

  const exact = candidates.find((candidate) => candidate.route.method === method);
  if (exact?.params) {
    return { kind: 'matched', match: { route: exact.route, pathParameters: exact.params } };
  }
  const first = candidates[0]!;

  return {
    kind: 'wrong-method',
    allowed: candidates.map((candidate) => candidate.route.method),
    template: first.route.path,
  };
}

function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const templateParts = template.split('/').filter(Boolean);
  const pathParts = path.split('/').filter(Boolean);
  if (templateParts.length !== pathParts.length) {
    return undefined;
  }
  const params: Record<string, string> = {};
  for (const [index, part] of templateParts.entries()) {
    const actual = pathParts[index]!;
    const param = /^\{(\w+)\}$/.exec(part)?.[1];
    if (param) {
      params[param] = decodeURIComponent(actual);
    } else if (part !== actual) {
      return undefined;
    }
  }

  return params;
}
