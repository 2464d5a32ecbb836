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
