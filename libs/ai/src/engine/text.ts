/** Lower-case, accents stripped, punctuation as spaces: the form every matcher below reads. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9ñ\s]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export type Language = 'es' | 'en';

const SPANISH_WORDS = new Set(
  'hola buenos buenas dias tardes noches donde esta mi mis paquete envio pedido guia quiero hablar con una persona por favor gracias que como cuando cual cuanto cuesta horario abren tienen puedo hacen el la los las de del un es son para no si y o me necesito ayuda agente humano asesor estado senor llega llego numero rastrear sucursal tu su'.split(
    ' ',
  ),
);
const ENGLISH_WORDS = new Set(
  'hi hello hey good morning afternoon evening where is my package parcel order shipment tracking track want to talk speak with a person please thanks thank you what how when which much cost does do open hours can i the of an are for not yes and or me need help agent human someone status number your you it this'.split(
    ' ',
  ),
);

/**
 * Spanish or English from marker words and Spanish-only characters. Ties go to Spanish, the
 * language most customers of these points write in.
 */
export function detectLanguage(text: string): Language {
  if (/[ñ¿¡áéíóú]/i.test(text)) return 'es';
  let es = 0;
  let en = 0;
  for (const word of foldText(text).split(' ')) {
    if (SPANISH_WORDS.has(word)) es++;
    if (ENGLISH_WORDS.has(word)) en++;
  }
  return en > es ? 'en' : 'es';
}

const HUMAN_REQUEST = [
  /\b(hablar|comunicar\w*|contactar|pasar\w*|transferir\w*|atender\w*|chatear)\b.*\b(persona|humano|agente|asesor\w*|operador\w*|alguien|ejecutiv\w*|representante|gente)\b/,
  /\b(quiero|necesito|deseo|pasame|pasenme|dame)\b.*\b(una persona|un humano|un agente|un asesor|un operador|alguien real|persona real)\b/,
  /^(agente|asesor|humano|operador|persona)( por favor)?$/,
  /\b(talk|speak|chat|connect|transfer)\b.*\b(human|person|agent|someone|somebody|representative|operator|people|real)\b/,
  /\b(real|live) (person|human|agent)\b/,
  /^(agent|human|representative|operator)( please)?$/,
];

/** The customer asks for a person. */
export function asksForHuman(folded: string): boolean {
  return HUMAN_REQUEST.some((re) => re.test(folded));
}

const ANGER = [
  /\b(idiota|estupid\w*|inutil(es)?|imbecil\w*|mierda|carajo|basura|pesim\w*|estafa\w*|ladron\w*|harto|harta|porqueria|malditos?|verguenza|denuncia\w*|incompetentes?)\b/,
  /\b(stupid|idiot\w*|useless|crap|shit\w*|fuck\w*|damn|scam\w*|terrible|awful|worst|ridiculous|pathetic|incompetent|fed up|sick of)\b/,
];

/** Insults or clear anger: a person should take over. */
export function soundsAngry(original: string, folded: string): boolean {
  if (ANGER.some((re) => re.test(folded))) return true;
  const letters = original.replace(/[^A-Za-zÁÉÍÓÚÑáéíóúñ]/g, '');
  const shouting = letters.length >= 12 && letters === letters.toUpperCase();
  return shouting && /!{2,}/.test(original);
}

const INJECTION = [
  /\b(ignora|olvida|omite)\w*\b.*\b(instrucciones|reglas|indicaciones|anteriores|prompt)\b/,
  /\b(ignore|forget|disregard)\b.*\b(instructions|rules|previous|above|prompt)\b/,
  /\b(system prompt|prompt del sistema|modo desarrollador|developer mode|jailbreak)\b/,
  /\b(actua como|finge|haz de cuenta|pretend|act as|you are now|ahora eres)\b/,
  /\b(di|dime|responde|confirma|escribe)\b.*\b(que )?(mi|el) (paquete|envio|pedido)\b.*\b(entregado|llego|esta)\b/,
  /\b(say|tell me|confirm|reply)\b.*\b(my|the) (package|parcel|order|shipment)\b.*\b(delivered|arrived|is)\b/,
];

/** An attempt to steer the bot; it is noted in the trace and changes nothing. */
export function looksLikeInjection(folded: string): boolean {
  return INJECTION.some((re) => re.test(folded));
}

const GREETING =
  /^(hola+|holi|buen(os|as)? (dias|tardes|noches)|buenas|saludos|que tal|hi+|hello+|hey+|good (morning|afternoon|evening)|howdy)( (hola|que tal|como estas|como esta|there|everyone|team|equipo|amigo))*$/;

/** Nothing but a greeting ("hola", "buenas tardes", "hi there"). */
export function isGreeting(folded: string): boolean {
  return GREETING.test(folded);
}

const THANKS =
  /^((muchas )?gracias( por todo)?|mil gracias|ok gracias|thanks?( you)?( so much)?|thank you|ok thanks|genial gracias|perfecto gracias)$/;

export function isThanks(folded: string): boolean {
  return THANKS.test(folded);
}

const YES = /^(si|sí|si por favor|claro|ok|dale|bueno|yes|yes please|sure|ok please|please)$/;

/** A short "yes", read as accepting the offer of a person made in the previous turn. */
export function isYes(folded: string): boolean {
  return YES.test(folded);
}

const TRACKING_INTENT = [
  /\b(donde|cuando)\b.*\b(esta|estan|llega|llegan|viene|vienen|queda)\b.*\b(paquete|envio|pedido|encomienda|guia|caja|compra)s?\b/,
  /\b(rastre\w*|seguimiento|tracking|trackear)\b/,
  /\bestado (de|del) (mi|mis|el|la|un)? ?(paquete|envio|pedido|encomienda|guia)s?\b/,
  /\b(mi|mis) (paquete|envio|pedido|encomienda)s? (no ha llegado|no llega|no llego|todavia no)\b/,
  /\bwhere( is|s|'s)? (my|the) (package|parcel|order|shipment|delivery|box)\b/,
  /\b(track|status of|status for)\b.*\b(package|parcel|order|shipment|delivery)\b/,
  /\b(my )?(package|parcel|order|shipment) (has not|hasn t|hasnt|didn t|didnt) (arrived|arrive|come)\b/,
];

/** The customer wants to know where a shipment is (with or without a number). */
export function asksAboutShipment(folded: string): boolean {
  return TRACKING_INTENT.some((re) => re.test(folded));
}
