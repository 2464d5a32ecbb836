/**
 * Writing a handler's answer to Node: an {@link Answer} (plain data, from a handler made by
 * `createHttpHandler`) in one write, any other `Response` by reading its body back, and the
 * answer to a CONNECT on the raw connection.
 * @module
 */
import { type OutgoingHttpHeaders, type ServerResponse, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { Answer } from "../http/answer.js";

/**
 * Writes an answer in one go: the head with `Content-Length`, and the body, so Node sends both
 * in one write with no chunked framing. `close` asks the client to hang up afterwards.
 */
export function writeAnswer(outgoing: ServerResponse, answer: Answer, close: boolean): void {
  const headers: OutgoingHttpHeaders = { ...answer.headers };
  if (answer.body !== null) headers["content-length"] = Buffer.byteLength(answer.body);
  if (close) headers.connection = "close";
  outgoing.writeHead(answer.status, headers);
  if (answer.body === null) outgoing.end();
  else outgoing.end(answer.body);
}

/** A `Response`'s headers for Node: every `Set-Cookie` kept (a plain object would keep the last). */
function nodeHeaders(response: Response): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 1) headers["set-cookie"] = cookies;
  return headers;
}

/**
 * Writes any `Response`. A body whose first chunk is its whole (a string, a buffer) goes out in
 * one write with `Content-Length`; a longer one is streamed as it comes.
 */
export async function writeResponse(outgoing: ServerResponse, response: Response, close: boolean): Promise<void> {
  const headers = nodeHeaders(response);
  if (close) headers.connection = "close";
  if (!response.body) {
    outgoing.writeHead(response.status, headers);
    outgoing.end();
    return;
  }
  const reader = response.body.getReader();
  const first = await reader.read();
  if (first.done) {
    if (headers["content-length"] === undefined) headers["content-length"] = 0;
    outgoing.writeHead(response.status, headers);
    outgoing.end();
    return;
  }
  // For a body that was all there, the next read reports the end within a few microtasks; a
  // stream still being written may keep it waiting, and the head and first chunk do not wait.
  const next = reader.read();
  const settled = await Promise.race([next, Promise.resolve().then(() => Promise.resolve(undefined))]);
  if (settled?.done) {
    if (headers["content-length"] === undefined) headers["content-length"] = first.value.byteLength;
    outgoing.writeHead(response.status, headers);
    outgoing.end(first.value);
    return;
  }
  outgoing.writeHead(response.status, headers);
  outgoing.write(first.value);
  for (let chunk = await next; !chunk.done; chunk = await reader.read()) outgoing.write(chunk.value);
  outgoing.end();
}

/** Headers that frame a message on the wire: {@link answerOnSocket} writes its own. */
const FRAMING_HEADERS = new Set(["connection", "content-length", "keep-alive", "transfer-encoding"]);

/** Answers on a connection Node handed over whole (CONNECT), then closes it. */
export async function answerOnSocket(socket: Duplex, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`];
  response.headers.forEach((value, key) => {
    if (!FRAMING_HEADERS.has(key)) lines.push(`${key}: ${value}`);
  });
  lines.push(`content-length: ${body.byteLength}`, "connection: close", "", "");
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n"), "latin1"), body]));
}
