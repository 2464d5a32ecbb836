/**
 * The PostgreSQL server the tests use, from DATABASE_URL (CI starts one with
 * scripts/start-postgres.sh). Without it a file's PostgreSQL cases are skipped — loudly, so a
 * green run without a database is never mistaken for a tested one.
 */
export const DATABASE_URL: string | undefined = process.env.DATABASE_URL;

/** Warns, in a banner, that `what` is skipped when there is no DATABASE_URL, and how to run it. */
export function warnWithoutDatabase(what: string, path: string): void {
  if (DATABASE_URL) return;
  const line = (text: string) => `!! ${text.padEnd(92)} !!`;
  console.warn(
    [
      "",
      "!".repeat(98),
      line(`DATABASE_URL is not set: ${what} are SKIPPED.`),
      line(`Run them with:  eval "$(scripts/start-postgres.sh)" && npx vitest run ${path}`),
      "!".repeat(98),
      "",
    ].join("\n"),
  );
}
