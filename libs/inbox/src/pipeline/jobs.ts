import { QUEUES, QueueFactory } from '@bandeja/core';

export const inboundJobId = (messageId: string) => `in_${messageId}`;

const inboundJobOptions = (messageId: string) => ({
  jobId: inboundJobId(messageId),
  removeOnComplete: true,
  removeOnFail: { count: 1000 },
  attempts: 5,
  backoff: { type: 'exponential', delay: 500 },
});

/**
 * One `process` job per stored customer message (deterministic id: a redelivery or a sweep adds
 * nothing). The job works through the whole conversation in order, so it may find its own
 * message already done by an earlier job.
 */
export function enqueueInbound(
  queues: QueueFactory,
  conversationId: string,
  messageId: string,
): Promise<unknown> {
  return queues
    .get(QUEUES.pipeline)
    .add('process', { conversationId, messageId }, inboundJobOptions(messageId));
}

/** The same jobs as `enqueueInbound`, for many messages in one round trip (`addBulk`). */
export function enqueueInboundBulk(
  queues: QueueFactory,
  messages: { conversationId: string; messageId: string }[],
): Promise<unknown> {
  if (messages.length === 0) return Promise.resolve([]);
  return queues.get(QUEUES.pipeline).addBulk(
    messages.map(({ conversationId, messageId }) => ({
      name: 'process',
      data: { conversationId, messageId },
      opts: inboundJobOptions(messageId),
    })),
  );
}
