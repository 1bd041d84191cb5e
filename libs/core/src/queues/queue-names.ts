/**
 * Queues known to the dashboard. Each domain module owns its queue; the name lives here only so
 * api (which shows the dashboard) and worker (which processes) agree on it.
 */
export const QUEUES = {
  /** Housekeeping: the worker's heartbeat and, later, sweeps. */
  system: 'system',
  /** Inbound processing (one conversation at a time, in order) and outbound delivery. */
  pipeline: 'pipeline',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
