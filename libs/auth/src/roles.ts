import { SetMetadata } from '@nestjs/common';

export const ADMIN_ONLY = 'bandeja:adminOnly';
/** Only users (or API keys) with the global ADMIN role; others get 403. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);
