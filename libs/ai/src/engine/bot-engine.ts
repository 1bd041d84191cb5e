import type { ResponderInput } from '@bandeja/inbox/pipeline/responder';
import type { BotToolbox } from '../tools/bot-tools';
import type { Language } from './text';

/** What a turn amounted to; stored in the trace, read back for the repeated-failure rule. */
export type TurnOutcome =
  | 'greeting'
  | 'thanks'
  | 'tracking_found'
  | 'tracking_partial'
  | 'tracking_not_found'
  | 'tracking_missing'
  | 'faq'
  | 'handoff'
  | 'injection'
  | 'unknown'
  /** A model's own answer that used no tool result (small talk, a clarifying question). */
  | 'model_reply';

/** Turns where the bot did not help; three in a row hand the conversation to a person. */
export const FAILED_OUTCOMES: ReadonlySet<string> = new Set([
  'tracking_not_found',
  'injection',
  'unknown',
]);

export interface TurnContext {
  input: ResponderInput;
  pointName: string | null;
  /** Outcomes of this conversation's previous turns, newest first. */
  previousOutcomes: string[];
  tools: BotToolbox;
}

export interface TurnResult {
  /** Null: say nothing (e.g. the conversation already went to a person). */
  reply: string | null;
  outcome: TurnOutcome;
  language: Language;
  promptTokens?: number;
  completionTokens?: number;
}

/** One way of answering a turn (rules, a model): it acts only through the toolbox. */
export interface BotEngine {
  readonly name: string;
  run(context: TurnContext): Promise<TurnResult>;
}
