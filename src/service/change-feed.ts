/**
 * What the service tells a replica (docs/spec.md §8): pages of the change log, the snapshot a
 * replica starts from, and, for trusted embedding code, the immutable graph itself.
 * @module
 */
import { organizationNotFound } from "../core/error-constructors.js";
import { validationError } from "../core/errors.js";
import { graphToInput } from "../core/index.js";
import type { AccessControl } from "./access-control-types.js";
import { requireOwner } from "./permissions.js";
import { answer, queryObject, type ServiceContext } from "./service-context.js";
import { actorArg, callArg, changesArg, organizationArg } from "./service-input.js";

/** The service's change feed. */
export type ChangeFeed = Pick<AccessControl, "changes" | "snapshot" | "graph">;

/** The change feed over the service's shared parts. */
export function changeFeed(context: ServiceContext): ChangeFeed {
  const { storage, read } = context;
  return {
    async changes(organizationId, actorId, query, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const { since, limit } = changesArg(queryObject(query));
      const call = callArg(options);
      const { graph } = await read(org, call);
      requireOwner(graph, actor, "read the change log");
      const found = await storage.readChanges(org, since, limit);
      if (!found) throw organizationNotFound(org);
      if (since > found.revision) {
        throw validationError(
          "since",
          `since ${since} is beyond the organization's current revision ${found.revision}`,
          {
            revision: found.revision,
          },
        );
      }
      return answer(call, found.revision, found);
    },

    async snapshot(organizationId, actorId, options) {
      const org = organizationArg(organizationId);
      const actor = actorArg(actorId);
      const call = callArg(options);
      const { graph, revision } = await read(org, call);
      requireOwner(graph, actor, "read the organization's snapshot");
      return answer(call, revision, { revision, graph: graphToInput(graph) });
    },

    async graph(organizationId, options) {
      const org = organizationArg(organizationId);
      const call = callArg(options);
      const { graph, revision } = await read(org, call);
      return { revision, graph };
    },
  };
}
