/**
 * `GET /playground` for `grantpath serve`: the playground page (src/playground/), one
 * self-contained HTML file. The built executable reads it from dist/playground/index.html,
 * which `npm run build` writes beside it; run from source (`npm start`, tsx), it is built on the
 * first request with esbuild, so a fresh clone needs no build step. Every other request goes to
 * the REST handler, as fast as before: the wrapper offers answers as plain data too.
 * @module
 */
import { readFile } from "node:fs/promises";
import { ANSWER, type Answer, type AnswerRequest, answerRequestOf, answerResponse } from "../http/answer.js";
import { errorAnswer, httpErrorBody } from "../http/error-envelope.js";

type Handler = (request: Request) => Promise<Response>;

/** This module runs from source (tsx, vitest) rather than from the built dist/. */
const FROM_SOURCE = import.meta.url.endsWith(".ts");

/** The page's path; the same with a trailing slash is answered too. */
export const PLAYGROUND_PATH = "/playground";

let page: Promise<string> | undefined;

/** The page as the source builds it now. */
async function buildFromSource(): Promise<string> {
  // A computed specifier, which the bundler of the built executable leaves alone: the page
  // builder needs esbuild, a development dependency the installed package does not have.
  const builder = new URL("../playground/build-page.ts", import.meta.url).href;
  const loaded = (await import(builder)) as { readonly buildPlaygroundPage?: unknown };
  if (typeof loaded.buildPlaygroundPage !== "function") throw new Error(`${builder} exports no buildPlaygroundPage`);
  return (loaded.buildPlaygroundPage as () => Promise<string>)();
}

/** The page: read (or built) once, and again after a failure. */
export function playgroundPage(): Promise<string> {
  page ??= (
    FROM_SOURCE ? buildFromSource() : readFile(new URL("./playground/index.html", import.meta.url), "utf8")
  ).catch((error: unknown) => {
    page = undefined;
    throw error;
  });
  return page;
}

function isPlaygroundPath(url: string): boolean {
  if (!url.includes(PLAYGROUND_PATH)) return false;
  const { pathname } = new URL(url);
  return pathname === PLAYGROUND_PATH || pathname === `${PLAYGROUND_PATH}/`;
}

async function playgroundAnswer(request: Request): Promise<Answer> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return errorAnswer(httpErrorBody("METHOD_NOT_ALLOWED", { allowed_methods: ["GET", "HEAD"] }), new Date(), {
      allow: "GET, HEAD",
    });
  }
  let html: string;
  try {
    html = await playgroundPage();
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    return {
      status: missing ? 404 : 500,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: missing
        ? "The playground is not built: run `npm run build` (or `npm run build:playground`).\n"
        : `The playground could not be built: ${(error as Error).message}\n`,
    };
  }
  return {
    status: 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    },
    body: request.method === "HEAD" ? null : html,
  };
}

/** `handler` with the playground at `/playground`. */
export function withPlayground(handler: Handler): Handler {
  const api = answerRequestOf(handler);
  if (api === undefined) {
    return async (request) =>
      isPlaygroundPath(request.url) ? answerResponse(await playgroundAnswer(request)) : handler(request);
  }
  const answer: AnswerRequest = (request) => (isPlaygroundPath(request.url) ? playgroundAnswer(request) : api(request));
  const served = async (request: Request) => answerResponse(await answer(request));
  return Object.assign(served, { [ANSWER]: answer });
}
