import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'bandeja:isPublic';
/** Marks a route or controller as reachable without credentials. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
