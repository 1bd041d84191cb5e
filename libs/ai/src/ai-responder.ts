import { Injectable, Logger } from '@nestjs/common';
import type { Responder, ResponderInput, ResponderReply } from '@bandeja/inbox/pipeline/responder';
import type { TurnContext, TurnResult } from './engine/bot-engine';
import { FAILURES_BEFORE_HANDOFF, LocalEngine } from './engine/local-engine';
import { OpenAiEngine, OpenAiTurnError } from './engine/openai-engine';
import { mentionsUnseenStatus } from './engine/guardrails';
import { REPLIES } from './engine/replies';
import { detectLanguage } from './engine/text';
import { AiTraceRepository } from './traces/ai-trace.repository';
import { BotDataRepository } from './tools/bot-data.repository';
import { BotToolbox } from './tools/bot-tools';

/**
 * The bot's turn: builds the point-bound toolbox, lets the engine answer (OpenAI when
 * OPENAI_API_KEY is set, the local engine otherwise or when OpenAI fails), applies the guardrails
 * and stores the trace. Called once per customer message, in order per conversation.
 */
@Injectable()
export class AiResponder implements Responder {
  private readonly logger = new Logger(AiResponder.name);

  constructor(
    private readonly data: BotDataRepository,
    private readonly traces: AiTraceRepository,
    private readonly local: LocalEngine,
    private readonly openai: OpenAiEngine,
  ) {}

  async reply(input: ResponderInput): Promise<ResponderReply | null> {
    const started = performance.now();
    const tools = new BotToolbox(this.data, input.servicePointId, input.conversationId);
    const [pointName, previousOutcomes] = await Promise.all([
      this.data.pointName(input.servicePointId),
      this.traces.recentOutcomes(input.conversationId, FAILURES_BEFORE_HANDOFF - 1),
    ]);
    const ctx: TurnContext = { input, pointName, previousOutcomes, tools };
    const { result, provider, fallbackUsed } = await this.run(ctx);
    let reply = result.reply;
    if (
      reply &&
      mentionsUnseenStatus(this.guardedPart(reply, result, provider, tools), tools.statusesSeen)
    ) {
      // A status no tool returned this turn must never reach the customer.
      this.logger.warn(
        { conversationId: input.conversationId, provider },
        'reply dropped by status guard',
      );
      reply = REPLIES[result.language].cantHelp;
    }
    await this.traces.record({
      conversationId: input.conversationId,
      servicePointId: input.servicePointId,
      messageId: input.messageId,
      provider,
      outcome: result.outcome,
      toolCalls: tools.calls,
      reply,
      latencyMs: Math.round(performance.now() - started),
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
      fallbackUsed,
    });
    return reply ? { text: reply } : null;
  }

  /** OpenAI first when configured; on any failure the local engine answers this turn. */
  private async run(
    ctx: TurnContext,
  ): Promise<{ result: TurnResult; provider: string; fallbackUsed: boolean }> {
    if (!this.openai.enabled) {
      return { result: await this.local.run(ctx), provider: this.local.name, fallbackUsed: false };
    }
    try {
      return {
        result: await this.openai.run(ctx),
        provider: this.openai.name,
        fallbackUsed: false,
      };
    } catch (err) {
      const failure =
        err instanceof OpenAiTurnError
          ? err
          : new OpenAiTurnError('error', err instanceof Error ? err.message : String(err), 0, 0);
      this.logger.warn(
        {
          conversationId: ctx.input.conversationId,
          reason: failure.reason,
          error: failure.message,
        },
        'OpenAI turn failed; the local engine answers',
      );
      const tokens = {
        promptTokens: failure.promptTokens,
        completionTokens: failure.completionTokens,
      };
      const transfer = ctx.tools.calls.find((c) => c.name === 'transferir_a_humano');
      if (transfer) {
        // The model already handed over: say so (once) rather than answering as the bot again.
        const transferred = (transfer.result as { transferred: boolean }).transferred;
        const language = detectLanguage(ctx.input.text);
        const reply = transferred ? REPLIES[language].handoff : null;
        return {
          result: { reply, outcome: 'handoff', language, ...tokens },
          provider: this.local.name,
          fallbackUsed: true,
        };
      }
      const result = await this.local.run(ctx);
      return { result: { ...result, ...tokens }, provider: this.local.name, fallbackUsed: true };
    }
  }

  /**
   * The part of a reply the status guard reads. A stored FAQ answer the local engine sends as is
   * may name a status ("los paquetes devueltos…"); a model's reply is checked whole, except for
   * FAQ answers a tool returned this turn and it quotes.
   */
  private guardedPart(reply: string, result: TurnResult, provider: string, tools: BotToolbox) {
    if (provider === this.local.name) return result.outcome === 'faq' ? '' : reply;
    let rest = reply;
    for (const call of tools.calls) {
      const r = call.result as { found?: boolean; answer?: string };
      if (call.name === 'consultar_faq' && r.found && r.answer)
        rest = rest.split(r.answer).join(' ');
    }
    return rest;
  }
}
