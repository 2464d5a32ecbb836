/**
 * Grant ids from a secure random source. `crypto.getRandomValues` exists in every runtime
 * grantpath supports (Node 20, browsers, workerd, Deno, Bun), so no Node import is needed.
 * @module
 */

/**
 * A new grant id: `agrant_` and 24 random hex characters (96 bits).
 *
 * @example
 * ```ts
 * randomGrantId(); // e.g. "agrant_3f9c0e1b7a2d4c5e6f708192"
 * ```
 */
export function randomGrantId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return `agrant_${hex}`;
}
