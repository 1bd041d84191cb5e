import type { ArgumentMetadata, ValidationError } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { AppError } from './app-error';
import { createValidationPipe, flattenValidationErrors } from './validation.pipe';

describe('flattenValidationErrors', () => {
  const error = (
    property: string,
    constraints?: Record<string, string>,
    children: ValidationError[] = [],
  ): ValidationError => ({ property, constraints, children });

  it('returns no rows for no errors', () => {
    expect(flattenValidationErrors([])).toEqual([]);
  });

  it('gives one row per constraint of a top-level property', () => {
    expect(
      flattenValidationErrors([
        error('name', { isString: 'name must be a string', minLength: 'name is too short' }),
        error('age', { isInt: 'age must be an integer number' }),
      ]),
    ).toEqual([
      { field: 'name', message: 'name must be a string' },
      { field: 'name', message: 'name is too short' },
      { field: 'age', message: 'age must be an integer number' },
    ]);
  });

  it('joins nested properties and array indexes with dots', () => {
    const tree = [
      error('address', undefined, [
        error('city', { isString: 'city must be a string' }),
        error('geo', undefined, [error('lat', { isNumber: 'lat must be a number' })]),
      ]),
      error('items', undefined, [
        error('0', undefined, [error('sku', { isString: 'sku must be a string' })]),
        error('2', undefined, [error('qty', { min: 'qty must not be less than 1' })]),
      ]),
    ];

    expect(flattenValidationErrors(tree)).toEqual([
      { field: 'address.city', message: 'city must be a string' },
      { field: 'address.geo.lat', message: 'lat must be a number' },
      { field: 'items.0.sku', message: 'sku must be a string' },
      { field: 'items.2.qty', message: 'qty must not be less than 1' },
    ]);
  });

  it('reports a parent constraint before its children', () => {
    const tree = [
      error('address', { isObject: 'address must be an object' }, [
        error('city', { isString: 'city must be a string' }),
      ]),
    ];

    expect(flattenValidationErrors(tree)).toEqual([
      { field: 'address', message: 'address must be an object' },
      { field: 'address.city', message: 'city must be a string' },
    ]);
  });

  it('prefixes every field with the given parent', () => {
    expect(flattenValidationErrors([error('x', { a: 'bad x' })], 'outer')).toEqual([
      { field: 'outer.x', message: 'bad x' },
    ]);
  });

  it('skips nodes that carry neither constraints nor children', () => {
    expect(flattenValidationErrors([{ property: 'empty' } as ValidationError])).toEqual([]);
  });
});

class AddressDto {
  @IsString()
  @MinLength(1)
  city: string;

  @IsOptional()
  @IsString()
  zip?: string;
}

class CreateOrderDto {
  @IsString()
  @MaxLength(10)
  name: string;

  @IsInt()
  @Min(1)
  quantity: number;

  @IsOptional()
  @IsBoolean()
  urgent?: boolean;

  @IsObject()
  @ValidateNested()
  @Type(() => AddressDto)
  address: AddressDto;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => AddressDto)
  stops?: AddressDto[];
}

describe('createValidationPipe', () => {
  const pipe = createValidationPipe();
  const body: ArgumentMetadata = { type: 'body', metatype: CreateOrderDto };
  const valid = () => ({ name: 'Order 1', quantity: 2, address: { city: 'La Paz' } });

  /** Runs the pipe and returns the AppError it rejects with. */
  async function failure(value: unknown, metadata: ArgumentMetadata = body): Promise<AppError> {
    const outcome = await pipe.transform(value, metadata).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(AppError);
    const error = outcome as AppError;
    expect(error.getStatus()).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe('Request validation failed');
    return error;
  }

  const details = (error: AppError) => error.details as { field: string; message: string }[];
  const fields = (error: AppError) => [...new Set(details(error).map((d) => d.field))].sort();

  it('passes valid input through as an instance of the DTO, nested objects included', async () => {
    const result = await pipe.transform(
      { ...valid(), urgent: true, stops: [{ city: 'El Alto', zip: '0000' }] },
      body,
    );

    expect(result).toBeInstanceOf(CreateOrderDto);
    expect(result.address).toBeInstanceOf(AddressDto);
    expect(result.stops[0]).toBeInstanceOf(AddressDto);
    expect(result).toEqual({
      name: 'Order 1',
      quantity: 2,
      urgent: true,
      address: { city: 'La Paz' },
      stops: [{ city: 'El Alto', zip: '0000' }],
    });
  });

  it('rejects an unknown top-level property, naming it', async () => {
    const error = await failure({ ...valid(), isAdmin: true });

    expect(details(error)).toEqual([
      { field: 'isAdmin', message: 'property isAdmin should not exist' },
    ]);
  });

  it('rejects an unknown nested property with a dotted field', async () => {
    const error = await failure({ ...valid(), address: { city: 'La Paz', country: 'BO' } });

    expect(details(error)).toEqual([
      { field: 'address.country', message: 'property country should not exist' },
    ]);
  });

  it('names array elements by index', async () => {
    const error = await failure({ ...valid(), stops: [{ city: 'ok' }, { city: 5 }] });

    expect(fields(error)).toEqual(['stops.1.city']);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['a missing string', { name: undefined }, ['name']],
    ['a missing nested object', { address: undefined }, ['address']],
    ['a number where a string is declared', { name: 42 }, ['name']],
    ['a string too long', { name: 'x'.repeat(11) }, ['name']],
    ['a numeric string (no implicit conversion)', { quantity: '2' }, ['quantity']],
    ['a fraction', { quantity: 1.5 }, ['quantity']],
    ['a value below the minimum', { quantity: 0 }, ['quantity']],
    ['a "true" string for a boolean', { urgent: 'true' }, ['urgent']],
    ['an object where an array is declared', { stops: { city: 'x' } }, ['stops']],
    ['a nested wrong type', { address: { city: 7 } }, ['address.city']],
    ['several problems at once', { name: 1, quantity: 'a' }, ['name', 'quantity']],
  ])('rejects %s', async (_label, patch, expectedFields) => {
    const error = await failure({ ...valid(), ...patch });

    expect(fields(error)).toEqual(expectedFields);
    for (const row of details(error)) {
      expect(Object.keys(row).sort()).toEqual(['field', 'message']);
      expect(typeof row.message).toBe('string');
      expect(row.message.length).toBeGreaterThan(0);
    }
  });

  it('does not echo the offending values back', async () => {
    const error = await failure({ ...valid(), name: 'super-secret-password-value' });

    expect(JSON.stringify(error.details)).not.toContain('super-secret-password-value');
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'just text'],
    ['an array', [valid()]],
  ])('rejects %s as the body', async (_label, value) => {
    const error = await failure(value);

    expect(details(error).length).toBeGreaterThan(0);
  });

  it('leaves values alone when there is no class to validate against', async () => {
    const value = { anything: 'goes' };

    await expect(pipe.transform(value, { type: 'body', metatype: Object })).resolves.toBe(value);
    await expect(pipe.transform(value, { type: 'body' })).resolves.toBe(value);
  });
});
