/** What the local stack's background workers need to know about the running stack. */
export interface LocalContext {
  /** DynamoDB Local's endpoint, e.g. http://127.0.0.1:41234. */
  readonly endpoint: string;
  readonly salesTable: string;
  readonly revenueTable: string;
  /** Folder for local state such as dead letters; inside `.local/`, ignored by git. */
  readonly stateDir: string;
  /** Prints a line for the operator watching `npm start`. */
  readonly log: (message: string) => void;
}

/** A background part of the local stack (stream poller, schedule timer). */
export interface LocalWorker {
  stop(): Promise<void>;
}
