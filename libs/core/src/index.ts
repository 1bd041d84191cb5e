export const CORE = 1;
