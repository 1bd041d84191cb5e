import { Injectable } from '@nestjs/common';
import { AppError, AuditActor, AuditService, DomainEvents, PrismaService } from '@bandeja/core';
import { SessionStatusService } from '@bandeja/whatsapp';
import { toMessageView } from '../conversations/conversation.view';
import { OutboundService } from './outbound.service';

/**
 * An agent's reply: refused up front when the point's session cannot send (nothing is stored),
 * otherwise stored PENDING with its audit row in one transaction and handed to a worker.
 */
@Injectable()
export class AgentSendService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbound: OutboundService,
    private readonly sessions: SessionStatusService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async send(conversationId: string, content: string, actor: AuditActor) {
    const conversation = await this.prisma.conversation.findUnique({
      where: { id: conversationId },
    });
    if (!conversation) throw AppError.notFound('Conversation');
    const session = await this.sessions.get(conversation.servicePointId);
    if (!session.canSendMessages) {
      throw AppError.unavailable(
        'whatsapp_not_ready',
        `The WhatsApp session of this service point cannot send now (state ${session.state})`,
        {
          state: session.state,
          recommendedAction: session.recommendedAction,
        },
      );
    }
    const message = await this.prisma.$transaction(async (tx) => {
      const row = await this.outbound.createPending(
        {
          conversationId,
          servicePointId: conversation.servicePointId,
          content,
          senderType: 'AGENT',
          senderUserId: actor.userId ?? null,
        },
        tx,
      );
      await this.audit.record(
        actor,
        {
          action: 'message.sent_by_agent',
          entityType: 'message',
          entityId: row.id,
          servicePointId: conversation.servicePointId,
          data: { conversationId },
        },
        tx,
      );
      return row;
    });
    await this.outbound.enqueue(message.id).catch(() => undefined); // the sweep covers a Redis outage
    await this.events.publish('message.created', message.servicePointId, toMessageView(message));
    return toMessageView(message);
  }
}
