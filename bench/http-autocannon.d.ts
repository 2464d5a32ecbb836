// The part of autocannon's API that bench/http-load.ts uses (the package ships no types).
declare module "autocannon" {
  interface AutocannonOptions {
    readonly url: string;
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
    readonly connections?: number;
    readonly duration?: number;
    /** Requests per second over all connections; no limit by default. */
    readonly overallRate?: number;
    /** Replaces `[<id>]` in the body with a fresh id per request. */
    readonly idReplacement?: boolean;
  }

  interface Histogram {
    readonly average: number;
    readonly p50: number;
    readonly p99: number;
  }

  interface AutocannonResult {
    readonly requests: Histogram;
    readonly latency: Histogram;
    readonly "2xx": number;
    readonly non2xx: number;
    readonly errors: number;
    readonly timeouts: number;
    /** Seconds. */
    readonly duration: number;
  }

  interface AutocannonRun extends PromiseLike<AutocannonResult> {
    /** Every answer: its status, size and time in milliseconds (a float). */
    on(
      event: "response",
      listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void,
    ): this;
  }

  function autocannon(options: AutocannonOptions): AutocannonRun;
  export default autocannon;
}
