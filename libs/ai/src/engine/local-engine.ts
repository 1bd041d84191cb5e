import { Injectable } from '@nestjs/common';
import { BotEngine, FAILED_OUTCOMES, TurnContext, TurnOutcome, TurnResult } from './bot-engine';
import { REPLIES } from './replies';
import {
  asksAboutShipment,
  asksForHuman,
  detectLanguage,
  foldText,
  isGreeting,
  isThanks,
  isYes,
  looksLikeInjection,
  soundsAngry,
} from './text';
import { extractTrackingNumbers } from './tracking-extractor';

/** Failed turns in a row after which the bot hands over instead of apologising again. */
export const FAILURES_BEFORE_HANDOFF = 3;

/**
 * Rules and Postgres search, no network: the default engine, and the one that answers when a
 * model provider fails. Order matters: a person asked for or an upset customer wins over
 * everything; tracking numbers are always looked up (never taken from the text's claims).
 */
@Injectable()
export class LocalEngine implements BotEngine {
  readonly name = 'local';

  async run(ctx: TurnContext): Promise<TurnResult> {
    const text = ctx.input.text;
    const folded = foldText(text);
    const language = detectLanguage(text);
    const say = REPLIES[language];
    const handoff = async (reason: string, prefix?: string): Promise<TurnResult> => {
      const { transferred } = await ctx.tools.transferirAHumano(reason);
      const reply = transferred ? (prefix ? `${prefix} ${say.handoff}` : say.handoff) : null;
      return { reply, outcome: 'handoff', language };
    };
    const failuresSoFar = ctx.previousOutcomes.findIndex((o) => !FAILED_OUTCOMES.has(o));
    const failedStreak = failuresSoFar === -1 ? ctx.previousOutcomes.length : failuresSoFar;
    const fail = (outcome: TurnOutcome, reply: string): Promise<TurnResult> | TurnResult =>
      failedStreak + 1 >= FAILURES_BEFORE_HANDOFF
        ? handoff('repeated_failures', outcome === 'tracking_not_found' ? reply : undefined)
        : { reply, outcome, language };

    if (asksForHuman(folded)) return handoff('customer_request');
    if (soundsAngry(text, folded)) return handoff('customer_upset');
    if (ctx.previousOutcomes[0] && FAILED_OUTCOMES.has(ctx.previousOutcomes[0]) && isYes(folded))
      return handoff('customer_accepted_offer');

    const numbers = extractTrackingNumbers(text);
    if (numbers.length > 0) {
      const results = await ctx.tools.consultarGuias(numbers);
      const lines = results.map((r) => (r.found ? say.found(r) : say.notFound(r.trackingNumber)));
      const found = results.filter((r) => r.found).length;
      const reply = lines.join('\n');
      if (found === results.length) return { reply, outcome: 'tracking_found', language };
      if (found > 0) return { reply, outcome: 'tracking_partial', language };
      return fail('tracking_not_found', reply);
    }
    if (looksLikeInjection(folded)) return fail('injection', say.injection);
    if (asksAboutShipment(folded))
      return { reply: say.askNumber, outcome: 'tracking_missing', language };
    if (isGreeting(folded))
      return { reply: say.greeting(ctx.pointName), outcome: 'greeting', language };
    if (isThanks(folded)) return { reply: say.thanks, outcome: 'thanks', language };

    const faq = await ctx.tools.consultarFaq(text);
    if (faq.found) return { reply: faq.answer, outcome: 'faq', language };
    return fail('unknown', say.cantHelp);
  }
}
