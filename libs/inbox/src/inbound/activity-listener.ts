/**
 * Told about every customer message once it is stored (not duplicates, not the branch's own
 * phone). The app provides it (follow-ups), so the inbox does not depend on who listens.
 */
export const ACTIVITY_LISTENER = Symbol('ACTIVITY_LISTENER');

export interface CustomerActivity {
  servicePointId: string;
  conversationId: string;
  messageId: string;
  at: Date;
}

export interface ActivityListener {
  customerActivity(activity: CustomerActivity): Promise<void>;
}
