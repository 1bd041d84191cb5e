import type { AuthenticationCreds, AuthenticationState } from '@whiskeysockets/baileys';

/** What Baileys needs to run a session: the live state and a way to persist the creds. */
export interface AuthStateHandle {
  state: AuthenticationState;
  /** Persists `state.creds` as it is now (Baileys calls this on every `creds.update`). */
  saveCreds(): Promise<void>;
}

/**
 * Where the WhatsApp credentials of each service point live. One auth state per point; never
 * log what goes through here.
 */
export interface AuthStateStore {
  readonly kind: 'file' | 'postgres';
  /** The point's auth state; fresh creds (not yet saved) when none exist. */
  load(servicePointId: string): Promise<AuthStateHandle>;
  /** True once a pairing saved creds with an identity (`registered` or `me` set). */
  hasCredentials(servicePointId: string): Promise<boolean>;
  /** Logout: deletes everything stored for the point. */
  clear(servicePointId: string): Promise<void>;
}

export const AUTH_STATE_STORE = Symbol('AUTH_STATE_STORE');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks that `servicePointId` is a UUID and returns it in lower case, so the same point always
 * maps to one folder / one set of rows and nothing else can reach a path or a query.
 */
export function normalizeServicePointId(servicePointId: string): string {
  if (typeof servicePointId !== 'string' || !UUID.test(servicePointId)) {
    throw new Error('servicePointId must be a UUID');
  }
  return servicePointId.toLowerCase();
}

/** Whether saved creds belong to a paired device (as opposed to fresh, never-scanned ones). */
export function isPaired(creds: Pick<AuthenticationCreds, 'registered' | 'me'>): boolean {
  return Boolean(creds.registered || creds.me);
}
