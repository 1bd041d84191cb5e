import { Param, ParseUUIDPipe } from '@nestjs/common';
import { AppError } from '@bandeja/core';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path parameter that must be a UUID; anything else is 400 validation_failed naming it. */
export const UuidParam = (name: string) =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        AppError.validation([{ field: name, message: `${name} must be a UUID` }]),
    }),
  );
