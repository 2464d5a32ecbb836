// One grantpath service instance driven by commands: the writer or reader of the multiprocess
// tests and of `npm run bench:storage`. Plain JavaScript with the library passed in, so the
// test's child runs the built package (child.mjs) and the bench runs its own bundle through the
// same code. Types: instance.d.mts. Cross-process times are Date.now(), which every process on
// one machine shares; latencies are performance.now() differences.

/** Waits for the macrotask queue: timers (SQLite's poll) and IPC run between two operations. */
const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));

const sleepUntil = (wallTime) => new Promise((resolve) => setTimeout(resolve, Math.max(0, wallTime - Date.now())));

/** An error as plain data: what crosses the IPC channel and what the tests print. */
export function describeError(error) {
  if (error !== null && typeof error === "object") {
    return {
      code: typeof error.code === "string" ? error.code : "ERROR",
      message: String(error.message),
      at: Date.now(),
    };
  }
  return { code: "ERROR", message: String(error), at: Date.now() };
}

/**
 * The commands of one instance. `library.openStorage(spec)` makes the adapter the instance
 * runs on; `createAccessControl` and `checkAccess` are grantpath's.
 */
export function createInstance(library) {
  let storage = null;
  let accessControl = null;
  /** Set by stopReading: the reader finishes once a read saw `revision`, or at `deadline`. */
  let stop = null;

  const service = () => {
    if (accessControl === null) throw new Error("instance: open it first");
    return accessControl;
  };

  return {
    /** Opens the adapter and the service, and loads the organization (the cold load). */
    async open({ storage: spec, organizationId }) {
      const start = performance.now();
      storage = library.openStorage(spec);
      accessControl = library.createAccessControl({ storage });
      const { revision } = await accessControl.graph(organizationId);
      return { revision, loadMs: performance.now() - start };
    },

    /**
     * Creates one grant per step from `startAt` until `until`: a step every `intervalMs` (at
     * fixed times, so a slow write does not slow the rate), or back to back when it is 0.
     * Every grant is on a new knowledge slice `kslice_<entityPrefix>_<i>`, to `granteeId`.
     */
    async write({ organizationId, actorId, granteeId, entityPrefix, startAt, until, intervalMs }) {
      const commits = [];
      const errors = [];
      let lastEntityId = null;
      await sleepUntil(startAt);
      for (let i = 0; ; i++) {
        if (intervalMs > 0) {
          const due = startAt + i * intervalMs;
          if (due >= until) break;
          await sleepUntil(due);
        } else {
          if (Date.now() >= until) break;
          await yieldToEventLoop();
        }
        const entityId = `kslice_${entityPrefix}_${i}`;
        const begun = performance.now();
        try {
          await service().createGrant(
            organizationId,
            actorId,
            {
              entity_type: "knowledge_slice",
              entity_id: entityId,
              grantee_type: "user",
              grantee_id: granteeId,
              access_level: "read",
            },
            {
              onRevision: (revision) => {
                commits.push({ revision, at: Date.now(), ms: performance.now() - begun });
              },
            },
          );
          lastEntityId = entityId;
        } catch (error) {
          errors.push(describeError(error));
        }
      }
      return { commits, errors, lastEntityId };
    },

    /**
     * Reads from `startAt` until stopReading's condition holds: in turn, `resolveAccess` of the
     * next of `userIds` (kind 0) and `graph()` with the core's `checkAccess` of `probe` (kind
     * 1). Each read is `[kind, start (wall ms), latency (ms), revision]`.
     */
    async read({ organizationId, userIds, probe, startAt }) {
      const reads = [];
      const errors = [];
      let sawRevision = null;
      let sawEntity = null;
      stop = null;
      await sleepUntil(startAt);
      for (let i = 0; ; i++) {
        const userId = userIds[i % userIds.length];
        const kind = i % 2;
        const wall = Date.now();
        const begun = performance.now();
        let revision = -1;
        try {
          if (kind === 0) {
            await service().resolveAccess(organizationId, userId, userId, undefined, {
              onRevision: (r) => {
                revision = r;
              },
            });
          } else {
            const held = await service().graph(organizationId);
            library.checkAccess(held.graph, userId, probe.entity_type, probe.entity_id);
            revision = held.revision;
          }
          reads.push([kind, wall, performance.now() - begun, revision]);
        } catch (error) {
          errors.push(describeError(error));
        }
        if (stop !== null) {
          if (stop.revision !== undefined && revision >= stop.revision) {
            sawRevision = revision;
            // The revision number must come with the content: the last write's grant is there.
            const held = await service().graph(organizationId);
            sawEntity = library.checkAccess(held.graph, stop.granteeId, "knowledge_slice", stop.entityId).allowed;
            break;
          }
          if (Date.now() > stop.deadline) break;
        }
        await yieldToEventLoop();
      }
      return { reads, errors, sawRevision, sawEntity };
    },

    /**
     * Tells a running read to finish once it sees `revision` (checking that `granteeId` reaches
     * `entityId` there), or at `deadline` (wall ms) whatever it saw.
     */
    async stopReading(condition) {
      stop = condition;
      return null;
    },

    /** The organization's active grants as stored, and the revision the service holds. */
    async count({ organizationId, actorId }) {
      let revision = -1;
      const page = await service().listGrants(
        organizationId,
        actorId,
        { limit: 1 },
        {
          onRevision: (r) => {
            revision = r;
          },
        },
      );
      return { total: page.total, revision };
    },

    async close() {
      await accessControl?.close();
      await storage?.close?.();
      accessControl = null;
      storage = null;
      return null;
    },
  };
}

/**
 * Serves an instance's commands over the IPC channel of a forked process: each message
 * `{ id, command, args }` is answered `{ id, result }` or `{ id, error }`; after `close` the
 * process lets go of the channel and exits.
 */
export function serveInstance(library) {
  const instance = createInstance(library);
  process.on("message", async ({ id, command, args }) => {
    try {
      const run = instance[command];
      if (typeof run !== "function") throw new Error(`instance: no command ${command}`);
      const result = await run(args);
      process.send({ id, result });
      if (command === "close") process.disconnect();
    } catch (error) {
      process.send({ id, error: describeError(error) });
    }
  });
}
