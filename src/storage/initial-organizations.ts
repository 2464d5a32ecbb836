/**
 * The `initial` option every adapter takes: organizations given as `GraphInput`s, validated like
 * `createGraph` input and turned into what an adapter stores.
 * @module
 */
import { validationError } from "../core/errors.js";
import { AccessError, createGraph, type GraphInput, graphToInput } from "../core/index.js";
import { toGrantRecord } from "./grant-records.js";
import type { GrantRecord } from "./storage-adapter.js";

/** One organization to seed: its canonical graph and its grants as complete records. */
export interface SeedOrganization {
  readonly graph: GraphInput;
  readonly grants: readonly GrantRecord[];
}

/**
 * Validates `initial` (errors name the field as `initial[i].…`; an organization given twice is a
 * `VALIDATION_ERROR`) and completes grants: missing timestamps become `seededAt`.
 */
export function seedOrganizations(initial: readonly GraphInput[], seededAt: Date): SeedOrganization[] {
  const seen = new Set<string>();
  return initial.map((input, index) => {
    let graph: GraphInput;
    try {
      graph = graphToInput(createGraph(input));
    } catch (error) {
      if (error instanceof AccessError && typeof error.details.field === "string") {
        throw new AccessError(
          error.code,
          { ...error.details, field: `initial[${index}].${error.details.field}` },
          { message: error.message, system_message: error.system_message, cause: error },
        );
      }
      throw error;
    }
    if (seen.has(graph.organization_id)) {
      throw validationError(
        `initial[${index}].organization_id`,
        `organization ${graph.organization_id} appears twice in initial`,
      );
    }
    seen.add(graph.organization_id);
    const grants = (graph.grants ?? []).map((grant) => toGrantRecord(grant, graph.organization_id, seededAt));
    return { graph, grants };
  });
}
