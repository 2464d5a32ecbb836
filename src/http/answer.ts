/**
 * A handler's answer as plain data, before it becomes a `Response`. The handler from
 * `createHttpHandler` builds every answer this way and makes the `Response` last; it also offers
 * the answers themselves under {@link ANSWER}, so a server that writes bytes (grantpath/node's
 * `serve`) can skip the `Response` and its body stream, which cost more than the rest of the
 * request did (docs/performance.md, "HTTP"). Nothing here is a Node built-in.
 * @module
 */

/** What a `Response` would carry: the status, the headers, and the body as text (or none). */
export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
}

/** Answers a request as plain data; never rejects (a failure is an answer too). */
export type AnswerRequest = (request: Request) => Promise<Answer>;

/**
 * The key under which a handler offers its {@link AnswerRequest}. `Symbol.for`, not a symbol of
 * this module: the CommonJS builds of `grantpath` and `grantpath/node` each carry a copy of it,
 * and a handler made by one must be recognised by the other.
 */
export const ANSWER: unique symbol = Symbol.for("grantpath.http.answer");

/** The `Response` of an answer. */
export function answerResponse(answer: Answer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** The {@link AnswerRequest} a handler offers, if it offers one. */
export function answerRequestOf(handler: (request: Request) => Promise<Response>): AnswerRequest | undefined {
  const offered = (handler as { readonly [ANSWER]?: unknown })[ANSWER];
  return typeof offered === "function" ? (offered as AnswerRequest) : undefined;
}

/**
 * The key under which a request may offer to read its whole body as text, up to a size limit,
 * without a web stream: grantpath/node's `serve` gives its requests one, read straight from
 * Node's own stream. It answers `undefined` when the body is over the limit (reading then
 * stops), and rejects as a body stream would if the client goes away mid-body. `Symbol.for`
 * for the same reason as {@link ANSWER}.
 */
export const READ_BODY_TEXT: unique symbol = Symbol.for("grantpath.http.readBodyText");

/** Reads a request's whole body as text, or answers `undefined` once it exceeds `limit` bytes. */
export type ReadBodyText = (limit: number) => Promise<string | undefined>;

/**
 * The {@link ReadBodyText} a request offers, if it offers one: a request offers it only while
 * nothing else has touched its body, so reading the standard way stays right in every other case.
 */
export function readBodyTextOf(request: Request): ReadBodyText | undefined {
  const offered = (request as { readonly [READ_BODY_TEXT]?: unknown })[READ_BODY_TEXT];
  return typeof offered === "function" ? (offered as ReadBodyText) : undefined;
}
