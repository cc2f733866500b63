import type {
  DevUser,
  DirectoryEnrollment,
  DirectorySync,
  DirectorySyncResult,
  Me,
  Person,
  Roster,
} from '@teacher-hub/protocol';
import { ApiError } from '../errors.ts';
import type { Principal } from '../identity.ts';
import { checkDirectory } from './directory-plan.ts';
import type { DirectoryChange, DirectoryRepository, DirectoryUserRecord } from './directory-repository.ts';

/**
 * Called after a directory write committed, with the enrollments it removed. Rule 9 (a student removed
 * from a course leaves that teacher's group chats and future sessions) hangs off this; listeners run in
 * registration order and their errors reach the caller.
 */
export type EnrollmentsRemovedListener = (removed: readonly DirectoryEnrollment[]) => Promise<void>;

/**
 * Called after any directory write committed on this instance, so other instances can be told to forget
 * the users they know (`forgetKnownUsers`); `services.ts` sends it over the live bus.
 */
export type DirectoryChangedListener = () => Promise<void>;

/**
 * Users known to exist, with the directory's record of them, so a token's first request upserts its user
 * and later ones (and the token routes' directory lookup) cost no query.
 */
const KNOWN_USERS_LIMIT = 10_000;

const byName = new Intl.Collator('en', { sensitivity: 'base', numeric: true });
const compareByNameThenId = (a: Person, b: Person) =>
  byName.compare(a.name, b.name) || (a.id < b.id ? -1 : 1);

/** The LMS directory: who exists, which courses they teach or take, and who sees whom on a roster. */
export class DirectoryService {
  readonly #repository: DirectoryRepository;
  readonly #listeners: EnrollmentsRemovedListener[] = [];
  readonly #changedListeners: DirectoryChangedListener[] = [];
  readonly #knownUsers = new Map<string, DirectoryUserRecord>();

  constructor(deps: { repository: DirectoryRepository }) {
    this.#repository = deps.repository;
  }

  /** Registers a rule-9 listener; returns a function that unregisters it. */
  onEnrollmentsRemoved(listener: EnrollmentsRemovedListener): () => void {
    this.#listeners.push(listener);
    return () => {
      const index = this.#listeners.indexOf(listener);
      if (index >= 0) this.#listeners.splice(index, 1);
    };
  }

  /** Registers a listener for committed directory writes (see `DirectoryChangedListener`). */
  onDirectoryChanged(listener: DirectoryChangedListener): void {
    this.#changedListeners.push(listener);
  }

  /**
   * Forgets which users are known to exist, so each is upserted again on their next request. Every
   * instance does this when the directory changed anywhere (a sync removes users who may still hold a
   * valid token), and when it may have missed being told so.
   */
  forgetKnownUsers(): void {
    this.#knownUsers.clear();
  }

  /** Forgets one user: their row turned out to be missing (a write that references them failed). */
  forgetUser(id: string): void {
    this.#knownUsers.delete(id);
  }

  /**
   * Makes sure the token's user is in the directory, so an LMS can go live before its first sync, and
   * answers the directory's record of them. An existing user is left as the LMS synced them. No query
   * after the first request of each user, until the directory changes (`forgetKnownUsers`).
   */
  async ensureUser(principal: Principal): Promise<DirectoryUserRecord> {
    const known = this.#knownUsers.get(principal.id);
    if (known) return known;
    const record = await this.#repository.insertUserIfMissing({
      id: principal.id,
      name: principal.name,
      role: principal.role,
      email: null,
    });
    if (this.#knownUsers.size >= KNOWN_USERS_LIMIT) this.#knownUsers.clear();
    this.#knownUsers.set(principal.id, record);
    return record;
  }

  findUser(id: string): Promise<DirectoryUserRecord | undefined> {
    return this.#repository.findUser(id);
  }

  /** `GET /v1/me`: the directory's record of the caller (the token's claims if the LMS removed them since). */
  async me(principal: Principal): Promise<Me> {
    const user = await this.#repository.findUser(principal.id);
    return {
      user: user
        ? { id: user.id, name: user.name, role: user.role, email: user.email }
        : { id: principal.id, name: principal.name, role: principal.role, email: null },
    };
  }

  /**
   * `GET /v1/roster`. A teacher sees the courses they teach with their students; a student sees the
   * courses they take with their teachers (in `students`, the contract's one shape). The token's role
   * decides which, since the LMS signed it for this very request.
   */
  async roster(principal: Principal): Promise<Roster> {
    const courses =
      principal.role === 'teacher'
        ? await this.#repository.coursesOf(principal.id, 'teacher', 'student')
        : await this.#repository.coursesOf(principal.id, 'student', 'teacher');
    return {
      courses: courses
        .map((course) => ({
          id: course.id,
          name: course.name,
          students: [...course.members].sort(compareByNameThenId),
        }))
        .sort(compareByNameThenId),
    };
  }

  /** Everyone in the directory, teachers first; for the demo's sign-in page. */
  async listUsers(): Promise<DevUser[]> {
    const users = await this.#repository.listUsers();
    return users
      .map(({ id, name, role, email }) => ({ id, name, role, email }))
      .sort((a, b) => (a.role === b.role ? (a.id < b.id ? -1 : 1) : a.role === 'teacher' ? -1 : 1));
  }

  /**
   * `PUT /v1/admin/directory`: the LMS's whole directory replaces ours. Refused as a whole (and nothing
   * changes) when an enrollment points at a user or course the directory does not have.
   */
  async sync(directory: DirectorySync): Promise<DirectorySyncResult> {
    this.#assertSound(directory);
    return this.#afterWrite(await this.#repository.replaceAll(directory));
  }

  /** Upserts part of a directory (the dev seed); its courses end up with exactly its enrollments. */
  async seed(directory: DirectorySync): Promise<DirectorySyncResult> {
    this.#assertSound(directory);
    return this.#afterWrite(await this.#repository.upsertPart(directory));
  }

  #assertSound(directory: DirectorySync): void {
    const details = checkDirectory(directory);
    if (details.length > 0) {
      throw new ApiError('VALIDATION_FAILED', 'The directory is inconsistent; nothing was changed.', details);
    }
  }

  async #afterWrite(change: DirectoryChange): Promise<DirectorySyncResult> {
    // Forget what we knew: a removed user who still holds a valid token is re-created (without
    // enrollments) on their next request, so every caller has a row that later tables can reference.
    this.#knownUsers.clear();
    for (const listener of this.#changedListeners) await listener();
    if (change.removedEnrollments.length > 0) {
      for (const listener of this.#listeners) await listener(change.removedEnrollments);
    }
    return change.result;
  }
}
