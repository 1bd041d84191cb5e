import { Injectable } from '@nestjs/common';

/**
 * Resolves a resource id to the id of the service point that owns it: a string, `null` for a
 * global resource, or `undefined` when no such resource exists.
 */
export type PointResolver = (id: string) => Promise<string | null | undefined>;

/** Domain modules register how their resources map to a point; the guard uses it. */
@Injectable()
export class PointResolverRegistry {
  private readonly resolvers = new Map<string, PointResolver>();

  register(resource: string, resolver: PointResolver): void {
    if (this.resolvers.has(resource))
      throw new Error(`point resolver for "${resource}" registered twice`);
    this.resolvers.set(resource, resolver);
  }

  get(resource: string): PointResolver {
    const resolver = this.resolvers.get(resource);
    if (!resolver) throw new Error(`no point resolver registered for "${resource}"`);
    return resolver;
  }
}
