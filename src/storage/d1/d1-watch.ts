/**
 * `watch` for D1, which announces nothing by itself: this adapter's own commits are told at once,
 * and other workers' commits are found by reading, every `intervalMs` while someone listens, the
 * revisions of the organizations this adapter has met (loaded, written or read the log of).
 * @module
 */
import { changeListeners } from "../change-listeners.js";
import type { ChangeListener } from "../storage-adapter.js";

/** The organizations a poll asks about, at most: the most recently met. */
const MAX_REMEMBERED = 10_000;

/** What {@link d1Watch} needs: how often to poll, and how to read revisions. */
export interface D1WatchOptions {
  readonly intervalMs: number;
  /** The current revisions of these organizations (those that exist). */
  readonly revisions: (organizationIds: readonly string[]) => Promise<readonly { id: string; version: number }[]>;
}

/** The listeners, what they have been told, and the poll. */
export interface D1Watch {
  watch(listener: ChangeListener): () => void;
  /** Notes an organization met at `revision`, so polls ask about it. */
  remember(organizationId: string, revision: number): void;
  /** This adapter's own commit: listeners hear it now, not at the next poll. */
  tell(organizationId: string, revision: number): void;
  close(): void;
}

/** The watch of one D1 adapter. */
export function d1Watch({ intervalMs, revisions }: D1WatchOptions): D1Watch {
  const listeners = changeListeners("d1");
  /** The revision last told (or met) per organization, most recently met last. */
  const known = new Map<string, number>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let polling = false;

  function remember(organizationId: string, revision: number): void {
    const before = known.get(organizationId) ?? 0;
    known.delete(organizationId);
    known.set(organizationId, Math.max(before, revision));
    if (known.size > MAX_REMEMBERED) {
      const oldest = known.keys().next().value;
      if (oldest !== undefined) known.delete(oldest);
    }
  }

  async function poll(): Promise<void> {
    if (polling || listeners.size === 0 || known.size === 0) return;
    polling = true;
    try {
      for (const { id, version } of await revisions([...known.keys()])) {
        const before = known.get(id);
        if (before !== undefined && version > before) {
          known.set(id, version);
          listeners.tell(id, version);
        }
      }
    } catch (error) {
      console.error("grantpath: the d1 storage could not check for other workers' commits", error);
    } finally {
      polling = false;
    }
  }

  function stop(): void {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  return {
    watch(listener) {
      if (listeners.size === 0) {
        timer = setInterval(() => void poll(), intervalMs);
        (timer as { unref?: () => void }).unref?.();
      }
      const remove = listeners.add(listener);
      return () => {
        if (remove() && listeners.size === 0) stop();
      };
    },
    remember,
    tell(organizationId, revision) {
      remember(organizationId, revision);
      listeners.tell(organizationId, revision);
    },
    close() {
      stop();
      listeners.clear();
      known.clear();
    },
  };
}
