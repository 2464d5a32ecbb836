/**
 * A Node request's body as a web stream.
 * @module
 */
import type { IncomingMessage } from "node:http";
import { validationError } from "../core/errors.js";

/**
 * The request body as a web stream, with backpressure. Unlike Readable.toWeb, cancelling it
 * (the handler stops at the size limit) does not destroy the socket under the response.
 */
export function requestBody(incoming: IncomingMessage): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      incoming.on("data", (chunk: Buffer) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) incoming.pause();
      });
      incoming.once("end", () => {
        if (open) controller.close();
        open = false;
      });
      // A client that goes away mid-body sent no request: the handler answers it as a short
      // body (422, nothing changes) rather than as an unexpected failure.
      const ended = () => {
        if (open) controller.error(validationError("body", "the request body ended before it was complete"));
        open = false;
      };
      incoming.once("aborted", ended);
      incoming.once("error", ended);
    },
    pull() {
      incoming.resume();
    },
    cancel() {
      open = false;
      incoming.pause();
    },
  });
}

/**
 * The whole request body as UTF-8 text, read from Node's stream with no web stream between, or
 * `undefined` as soon as it exceeds `limit` bytes (reading then stops, the rest left unread, as
 * when a stream is cancelled). A client that goes away mid-body rejects as {@link requestBody}'s
 * stream errors.
 */
export function readBodyText(incoming: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("aborted", onEnded);
      incoming.off("error", onEnded);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        stop();
        incoming.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
      // As TextDecoder (the standard way of reading a body) decodes: a leading BOM is dropped.
      const text = bytes.toString("utf8");
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    };
    const onEnded = () => {
      stop();
      reject(validationError("body", "the request body ended before it was complete"));
    };
    incoming.on("data", onData);
    incoming.once("end", onEnd);
    incoming.once("aborted", onEnded);
    incoming.once("error", onEnded);
  });
}
