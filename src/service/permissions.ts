/**
 * Who may do what (docs/spec.md §6). Owners may do everything in their organization; otherwise
 * managing or inspecting an entity's grants needs `admin` on that entity, a user's resolved
 * access is readable by that user, and a check of a user on an entity may be asked by that user
 * or by an admin of the entity (docs/spec.md §9).
 * @module
 */
import { AccessError, type AccessGraph, checkAccess, type EntityType, isOwner } from "../core/index.js";

function forbidden(action: string, details: Record<string, unknown>): AccessError {
  return new AccessError("INSUFFICIENT_PERMISSIONS", details, {
    message: `You do not have permission to ${action}.`,
  });
}

function isOwnerOrEntityAdmin(
  graph: AccessGraph,
  actorId: string,
  entityType: EntityType,
  entityId: string,
  at: Date,
): boolean {
  return isOwner(graph, actorId) || checkAccess(graph, actorId, entityType, entityId, { level: "admin", at }).allowed;
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
  if (isOwnerOrEntityAdmin(graph, actorId, entityType, entityId, at)) return;
  throw forbidden(action, { entity_type: entityType, entity_id: entityId, required_level: "admin" });
}

/**
 * Passes when the actor may ask whether the user reaches the entity: the user themself, an owner,
 * or an actor holding `admin` on the entity at `at` (an entity's admins already see everyone who
 * reaches it through users-with-access, so a check tells them nothing more).
 */
export function requireCheckPermission(
  graph: AccessGraph,
  actorId: string,
  userId: string,
  entityType: EntityType,
  entityId: string,
  at: Date,
): void {
  if (actorId === userId || isOwnerOrEntityAdmin(graph, actorId, entityType, entityId, at)) return;
  throw forbidden("check another user's access to this entity", {
    user_id: userId,
    entity_type: entityType,
    entity_id: entityId,
    required_level: "admin",
  });
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
