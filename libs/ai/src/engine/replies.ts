import type { ShipmentStatus } from '@bandeja/core';
import type { GuiaResult } from '../tools/bot-tools';
import type { Language } from './text';

export const STATUS_LABELS: Record<Language, Record<ShipmentStatus, string>> = {
  es: {
    CREATED: 'registrado, aún no despachado',
    IN_TRANSIT: 'en tránsito',
    OUT_FOR_DELIVERY: 'en reparto',
    DELIVERED: 'entregado',
    RETURNED: 'devuelto al remitente',
    EXCEPTION: 'con una incidencia',
  },
  en: {
    CREATED: 'registered, not dispatched yet',
    IN_TRANSIT: 'in transit',
    OUT_FOR_DELIVERY: 'out for delivery',
    DELIVERED: 'delivered',
    RETURNED: 'returned to sender',
    EXCEPTION: 'held up by an incident',
  },
};

/** Short WhatsApp texts, one set per language. */
export const REPLIES = {
  es: {
    greeting: (point: string | null) =>
      `¡Hola! Soy el asistente virtual${point ? ` de ${point}` : ''}. Puedo decirte dónde está tu envío (mándame tu número de guía) o responder tus dudas.`,
    thanks: '¡Con gusto! Si necesitas algo más, aquí estoy.',
    askNumber:
      'Claro, te ayudo a ubicar tu envío. ¿Me envías tu número de guía? Por ejemplo: LP-2024-000187.',
    notFound: (n: string) =>
      `No encontré ningún envío con la guía ${n}. Por favor revisa el número e inténtalo de nuevo.`,
    found: (r: Extract<GuiaResult, { found: true }>) =>
      `Tu envío ${r.trackingNumber} está ${STATUS_LABELS.es[r.status]}` +
      (r.destination ? ` (destino: ${r.destination})` : '') +
      (r.eta && r.status !== 'DELIVERED' ? `. Entrega estimada: ${r.eta.slice(0, 10)}` : '') +
      '.',
    handoff: 'Te comunico con una persona de nuestro equipo; te responderá por aquí en breve.',
    cantHelp:
      'Lo siento, con eso no puedo ayudarte. Puedo consultar tus envíos o responder preguntas frecuentes. ¿Quieres que te comunique con una persona?',
    injection:
      'Solo puedo darte información real de tus envíos y responder preguntas frecuentes. ¿Quieres que te comunique con una persona?',
  },
  en: {
    greeting: (point: string | null) =>
      `Hi! I'm the virtual assistant${point ? ` of ${point}` : ''}. I can tell you where your shipment is (send me your tracking number) or answer your questions.`,
    thanks: "You're welcome! I'm here if you need anything else.",
    askNumber:
      "Sure, I'll help you find your shipment. Could you send me your tracking number? For example: LP-2024-000187.",
    notFound: (n: string) =>
      `I couldn't find a shipment with tracking number ${n}. Please check the number and try again.`,
    found: (r: Extract<GuiaResult, { found: true }>) =>
      `Your shipment ${r.trackingNumber} is ${STATUS_LABELS.en[r.status]}` +
      (r.destination ? ` (destination: ${r.destination})` : '') +
      (r.eta && r.status !== 'DELIVERED' ? `. Estimated delivery: ${r.eta.slice(0, 10)}` : '') +
      '.',
    handoff: "I'm passing you to a person from our team; they will reply here shortly.",
    cantHelp:
      "Sorry, I can't help with that. I can check your shipments or answer common questions. Would you like me to connect you with a person?",
    injection:
      'I can only give you real information about your shipments and answer common questions. Would you like me to connect you with a person?',
  },
} as const;
