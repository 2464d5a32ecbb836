/**
 * Noticing that the process which started this one is gone. A parent that is killed outright
 * (SIGKILL, a crashed supervisor) tells its children nothing, and Node has no "parent died"
 * signal; but an orphan is handed to init or a subreaper, so its parent pid changes. Polling
 * `process.ppid` sees that on every platform Node runs on.
 * @module
 */

/** How often the parent pid is read, in milliseconds: a freed port within a second. */
const PARENT_POLL_MS = 250;

/**
 * Calls `onGone` once when this process's parent has exited (its parent pid is no longer the one
 * it started with). The timer is unref'd, so watching never keeps the process alive.
 *
 * @returns A function that stops watching.
 * @example
 * ```ts
 * const stop = watchParent(() => process.kill(process.pid, "SIGTERM"));
 * ```
 */
export function watchParent(onGone: () => void, intervalMs: number = PARENT_POLL_MS): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
