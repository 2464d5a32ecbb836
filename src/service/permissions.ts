/**
 * Who may do what (SPEC section 6). Owners may do everything in their organization; otherwise
 * managing or inspecting an entity's grants needs `admin` on that entity, and a user's resolved
 * access is readable by that user.
 * @module
 */
import { AccessError, type AccessGraph, checkAccess, type EntityType, isOwner } from "../core/index.js";

function forbidden(action: string, details: Record<string, unknown>): AccessError {
  return new AccessError("INSUFFICIENT_PERMISSIONS", details, {
    message: `You do not have permission to ${action}.`,
  });
}

/** Passes when the actor owns the organization or holds `admin` on the entity at `at`. */
export function requireEntityAdmin(
  graph: AccessGraph,
  actorId: string,
  entityType: EntityType,
  entityId: string,
  at: Date,
  action: string,
): void {
  if (isOwner(graph, actorId)) return;
  if (checkAccess(graph, actorId, entityType, entityId, { level: "admin", at }).allowed) return;
  throw forbidden(action, { entity_type: entityType, entity_id: entityId, required_level: "admin" });
}

/** Passes when the actor owns the organization. */
export function requireOwner(graph: AccessGraph, actorId: string, action: string): void {
  if (!isOwner(graph, actorId)) throw forbidden(action, { required: "organization owner" });
}

/** Passes when the actor is the user asked about, or an owner. */
export function requireSelfOrOwner(graph: AccessGraph, actorId: string, userId: string): void {
  if (actorId !== userId && !isOwner(graph, actorId)) {
    throw forbidden("read another user's access", { user_id: userId });
  }
}
