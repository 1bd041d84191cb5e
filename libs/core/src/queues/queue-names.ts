/**
 * Queues known to the dashboard. Each domain module owns its queue; the name lives here only so
 * api (which shows the dashboard) and worker (which processes) agree on it.
 */
export const QUEUES = {
  /** Housekeeping: the worker's heartbeat and, later, sweeps. */
  system: 'system',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
