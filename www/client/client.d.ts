// Types of the edge API client (client.js). The request and response shapes are
// generated from the API's OpenAPI document (api.d.ts).
import type {
  FlexedgeRecord, GroupEnvelope, Health, ListEnvelope, ListQuery, Problem, SourceId,
  SourceInfo, TransformQuery,
} from './api.js';

export type * from './api.js';

export interface ClientOptions {
  /** The deployment, e.g. `https://edge.example` (a path prefix is kept). */
  baseUrl: string | URL;
  /** The client key, sent as `Authorization: Bearer <key>`. */
  key?: string;
  /** The fetch to use (default: `globalThis.fetch`). */
  fetch?: (input: URL, init: { headers: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;
  /** Check a filter with the wasm engine before sending it (loads the engine on first use). */
  validate?: boolean;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface WalkOptions extends CallOptions {
  /** Pages to read at most (default 100); more pages then throw `client.page_limit`. */
  maxPages?: number;
}

/** A list route: one page, every page, every record. */
export interface Collection {
  /** One page (pass `next` from a previous page to continue). */
  list(query?: ListQuery, options?: CallOptions): Promise<ListEnvelope>;
  /** Every page, following `next` to the end. */
  pages(query?: Omit<ListQuery, 'next'>, options?: WalkOptions): AsyncGenerator<ListEnvelope, void, undefined>;
  /** Every record of every page, following `next` to the end. */
  all(query?: Omit<ListQuery, 'next'>, options?: WalkOptions): AsyncGenerator<FlexedgeRecord, void, undefined>;
}

export interface Orders extends Collection {
  /** One record by its global id `<source>:<sourceId>`; a 404 problem when absent. */
  get(id: string, options?: CallOptions & { include?: 'raw' }): Promise<FlexedgeRecord>;
  /** Distinct values of the fields with counts, across sources. */
  transform(groupBy: string | string[], query?: TransformQuery, options?: CallOptions): Promise<GroupEnvelope>;
}

export interface Client {
  orders: Orders;
  /** GreenLake devices as records of kind `device`. */
  devices: Collection;
  /** The unified search restricted to one source. */
  source(id: SourceId): Collection;
  /** Configured sources and their last known health. */
  sources(options?: CallOptions): Promise<SourceInfo[]>;
  /** Liveness, version and sources (no key needed). */
  health(options?: CallOptions): Promise<Health>;
}

export function createClient(options: ClientOptions): Client;

/** Per-source error of a failed request. */
export interface SourceFailure {
  code: string;
  message: string;
}

/**
 * An error answer of the API (problem+json), or a failure of the client itself (`code`
 * `client.network`, `client.invalid_response`, `client.page_limit`, `client.no_engine`;
 * `status` 0 when nothing answered). Aborts reject with the signal's `AbortError`.
 */
export class FlexedgeProblem extends Error {
  readonly name: 'FlexedgeProblem';
  /** HTTP status (0: no answer). */
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  /** Stable dotted code, e.g. `filter.field.unknown`, `upstream.failed`, `client.network`. */
  readonly code: string;
  readonly requestId?: string;
  /** The query parameter the error is in (`filter`, `sort`, …). */
  readonly parameter?: string;
  /** Byte and UTF-16 offsets into that parameter's text. */
  readonly span?: { start: number; end: number; startUtf16: number; endUtf16: number };
  /** UTF-16 offsets: `text.slice(start, end)` is the offending part. */
  readonly start?: number;
  readonly end?: number;
  /** The text of `parameter` as sent, when the client knows it. */
  readonly text?: string;
  /** A near miss for the text at the span ("did you mean …"). */
  readonly suggestion?: string;
  /** The parameter's text with a caret line under the span. */
  readonly caret?: string;
  /** The source that failed (strict mode). */
  readonly source?: SourceId;
  /** Per-source errors, by source id. */
  readonly errors: Partial<Record<SourceId, SourceFailure>>;
  /** The problem document as received. */
  readonly problem: Partial<Problem>;
}
