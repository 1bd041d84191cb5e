import { Injectable, Logger } from '@nestjs/common';
import type { Responder, ResponderInput, ResponderReply } from '@bandeja/inbox/pipeline/responder';
import { FAILURES_BEFORE_HANDOFF, LocalEngine } from './engine/local-engine';
import { mentionsUnseenStatus } from './engine/guardrails';
import { REPLIES } from './engine/replies';
import { AiTraceRepository } from './traces/ai-trace.repository';
import { BotDataRepository } from './tools/bot-data.repository';
import { BotToolbox } from './tools/bot-tools';

/**
 * The bot's turn: builds the point-bound toolbox, lets the engine answer, applies the guardrails
 * and stores the trace. Called once per customer message, in order per conversation.
 */
@Injectable()
export class AiResponder implements Responder {
  private readonly logger = new Logger(AiResponder.name);

  constructor(
    private readonly data: BotDataRepository,
    private readonly traces: AiTraceRepository,
    private readonly local: LocalEngine,
  ) {}

  async reply(input: ResponderInput): Promise<ResponderReply | null> {
    const started = performance.now();
    const tools = new BotToolbox(this.data, input.servicePointId, input.conversationId);
    const [pointName, previousOutcomes] = await Promise.all([
      this.data.pointName(input.servicePointId),
      this.traces.recentOutcomes(input.conversationId, FAILURES_BEFORE_HANDOFF - 1),
    ]);
    const result = await this.local.run({ input, pointName, previousOutcomes, tools });
    let reply = result.reply;
    if (reply && result.outcome !== 'faq' && mentionsUnseenStatus(reply, tools.statusesSeen)) {
      // A status no tool returned this turn must never reach the customer.
      this.logger.warn({ conversationId: input.conversationId }, 'reply dropped by status guard');
      reply = REPLIES[result.language].cantHelp;
    }
    await this.traces.record({
      conversationId: input.conversationId,
      servicePointId: input.servicePointId,
      messageId: input.messageId,
      provider: this.local.name,
      outcome: result.outcome,
      toolCalls: tools.calls,
      reply,
      latencyMs: Math.round(performance.now() - started),
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
      fallbackUsed: false,
    });
    return reply ? { text: reply } : null;
  }
}
