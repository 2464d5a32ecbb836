/**
 * Starts service instances in child processes and talks to them over IPC: each child runs
 * instance.mjs's commands (the test's child.mjs on the built package, or the storage bench's
 * own bundle), and `startInstance` hands back those commands as async functions.
 */
import { type ChildProcess, fork } from "node:child_process";
import type { ErrorReport, Instance, InstanceCommandName, InstanceCommands } from "./instance.mjs";

/** An instance in a child process, and the means to end it. */
export interface ChildInstance extends Instance {
  readonly pid: number;
  /** Sends `close`, waits for the child to exit, and kills it if it does not within 5 s. */
  shutdown(): Promise<void>;
  /** Kills the child at once (after a failure). */
  kill(): void;
}

type Reply = { readonly id: number; readonly result?: unknown; readonly error?: ErrorReport };

/** An error a child answered with, its code kept. */
export class InstanceError extends Error {
  constructor(
    readonly command: string,
    readonly report: ErrorReport,
  ) {
    super(`${command}: ${report.code} ${report.message}`);
  }
}

/**
 * Forks `modulePath` (with `args`); commands sent before the child listens wait in the IPC
 * channel. The child's stdout and stderr are the parent's, so what it logs shows in the output.
 */
export function startInstance(modulePath: string, args: readonly string[] = []): ChildInstance {
  const child: ChildProcess = fork(modulePath, [...args], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = new Map<
    number,
    { command: string; resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  let nextId = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = true;
      for (const waiter of pending.values()) {
        waiter.reject(new Error(`instance ${child.pid} exited (code ${code}, signal ${signal}) before answering`));
      }
      pending.clear();
      resolve();
    });
  });
  // A child that could not start (or be signalled) fails whatever waits on it, instead of throwing.
  child.on("error", (error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });
  child.on("message", (message: Reply) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new InstanceError(waiter.command, message.error));
    else waiter.resolve(message.result);
  });

  function call<C extends InstanceCommandName>(
    command: C,
    commandArgs: InstanceCommands[C]["args"],
  ): Promise<InstanceCommands[C]["result"]> {
    if (exited) return Promise.reject(new Error(`instance ${child.pid} has exited`));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, command, args: commandArgs }, (error) => {
        if (error && pending.delete(id)) reject(error);
      });
    });
  }

  return {
    pid: child.pid ?? -1,
    open: (a) => call("open", a),
    write: (a) => call("write", a),
    read: (a) => call("read", a),
    stopReading: (a) => call("stopReading", a),
    count: (a) => call("count", a),
    close: (a) => call("close", a),
    async shutdown() {
      if (exited) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      try {
        await call("close", undefined);
      } catch {
        child.kill("SIGKILL");
      }
      await exit;
      clearTimeout(timer);
    },
    kill() {
      if (!exited) child.kill("SIGKILL");
    },
  };
}
