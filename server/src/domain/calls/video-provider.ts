import type { Role, VideoEngine, VideoGrant } from '@teacher-hub/protocol';

/**
 * The video port (DESIGN.md rules 4, 5): rooms are created on demand for a call (and, later, a live
 * session occurrence), members get a grant to join, and only the teacher's `end` ends a room, for everyone,
 * locked so nobody can come back. Adapters: 100ms (`adapters/video/hms.ts`) and the local WebRTC mesh
 * (`adapters/video/mesh.ts`).
 *
 * Errors: a provider that cannot be reached or refuses throws `ApiError('UNAVAILABLE')` (503), so the call
 * that needed it changes nothing.
 */
export interface VideoProvider {
  readonly engine: VideoEngine;
  /**
   * Creates a room. `name` is unique per call or occurrence (`call-<id>`) and safe for 100ms
   * (`[a-zA-Z0-9.\-_:]`, at most 80 characters); `description` is for people reading the dashboard.
   */
  createRoom(request: { name: string; description: string }): Promise<{ roomId: string }>;
  /** Ends the room for everyone in it and locks it. Idempotent: a room that ended already is no error. */
  endRoom(roomId: string, reason: string): Promise<void>;
  /** A grant for one member; `role` picks the provider's role (`HMS_TEACHER_ROLE` / `HMS_STUDENT_ROLE`). */
  grant(request: { roomId: string; userId: string; name: string; role: Role }): Promise<VideoGrant>;
}
