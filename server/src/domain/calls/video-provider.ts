import type { Role, VideoEngine, VideoGrant } from '@teacher-hub/protocol';

/**
 * The video port (DESIGN.md rules 4, 5): rooms are created on demand for a call (and, later, a live
 * session occurrence), members get a grant to join, and only the teacher's `end` ends a room, for everyone,
 * locked so nobody can come back. A member who loses her place (rule 9) is taken out of the room at once.
 * Adapters: 100ms (`adapters/video/hms.ts`) and the local WebRTC mesh
 * (`adapters/video/mesh.ts`).
 *
 * Errors: a provider that cannot be reached or refuses throws `ApiError('UNAVAILABLE')` (503), so the call
 * that needed it changes nothing.
 */
export interface VideoProvider {
  readonly engine: VideoEngine;
  /**
   * Whether a `grant` also lets a user taken out of the room (`removePeer`) back in (the mesh). Then the hub
   * checks membership again after granting, as a removal may have gone between its check and the grant.
   */
  readonly readmitsOnGrant: boolean;
  /**
   * Creates a room. `name` is unique per call or occurrence (`call-<id>`) and safe for 100ms
   * (`[a-zA-Z0-9.\-_:]`, at most 80 characters); `description` is for people reading the dashboard.
   */
  createRoom(request: { name: string; description: string }): Promise<{ roomId: string }>;
  /** Ends the room for everyone in it and locks it. Idempotent: a room that ended already is no error. */
  endRoom(roomId: string, reason: string): Promise<void>;
  /** A grant for one member; `role` picks the provider's role (`HMS_TEACHER_ROLE` / `HMS_STUDENT_ROLE`). */
  grant(request: { roomId: string; userId: string; name: string; role: Role }): Promise<VideoGrant>;
  /**
   * Takes a user out of a room at once (rule 9: the LMS removed the enrollment that let her in), with every
   * connection she has there; the others in the room see her leave. Idempotent: a user who is not in the
   * room, or a room with nobody in it, is no error. Where the provider can refuse a join (the mesh), the
   * grants she got before are refused from now on, until her next `grant` for the room (the hub grants only
   * to members, so a new grant means she was let back in).
   */
  removePeer(request: { roomId: string; userId: string; reason: string }): Promise<void>;
}
