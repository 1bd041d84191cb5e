/** What the bot knows when a customer message is its turn. */
export interface ResponderInput {
  servicePointId: string;
  conversationId: string;
  customerPhone: string;
  customerName: string | null;
  messageId: string;
  text: string;
}

export interface ResponderReply {
  text: string;
}

/**
 * Produces the bot's reply to one customer message, or null for none. The AI module plugs in
 * here; until then MinimalResponder acknowledges each message.
 */
export interface Responder {
  reply(input: ResponderInput): Promise<ResponderReply | null>;
}

export const RESPONDER = Symbol('RESPONDER');

/** Acknowledges every message, quoting it (so order is visible in the chat). */
export class MinimalResponder implements Responder {
  async reply(input: ResponderInput): Promise<ResponderReply> {
    const quoted = input.text.length > 200 ? `${input.text.slice(0, 200)}…` : input.text;
    return { text: `Recibimos tu mensaje: «${quoted}». Te responderemos en breve.` };
  }
}
