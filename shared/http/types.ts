import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export type ApiEvent = APIGatewayProxyEvent;
export type ApiResult = APIGatewayProxyResult;

/** A request as route code sees it: headers lower-cased, body already parsed. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** Raw query values, to detect a parameter given more than once. */
  readonly multiQuery: Readonly<Record<string, readonly string[]>>;
  /** The parsed JSON body, or undefined when the request had none. */
  readonly body: unknown;
  readonly requestId: string;
}

/** What route code returns; the middleware serialises it. */
export interface HttpResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}
