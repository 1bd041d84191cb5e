/**
 * Queues known to the dashboard. Each domain module owns its queue; the name lives here only so
 * api (which shows the dashboard) and worker (which processes) agree on it.
 */
export const QUEUES = {
  /** Housekeeping: the worker's heartbeat and, later, sweeps. */
  system: 'system',
  /** Inbound processing (one conversation at a time, in order) and outbound delivery. */
  pipeline: 'pipeline',
  /** Follow-up pings, reminders and resumes (delayed jobs `fu_<itemId>`). */
  followups: 'followups',
  /** Signed follow-up webhooks (`wh_<deliveryId>`), retried with backoff. */
  webhooks: 'webhooks',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
