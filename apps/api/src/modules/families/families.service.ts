import type { PrismaClient } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import { decodeCursor, toConnection, type ConnectionValue } from '../../pagination/keyset-page';
import type { Family } from './family.type';

export class FamiliesService {
  constructor(private readonly prisma: PrismaClient) {}

  async list(search: string | null | undefined, first: number, after?: string | null): Promise<ConnectionValue<Family>> {
    const cursor = decodeCursor<[string]>(after, ['string']);
    const where = search ? { name: { contains: search, mode: 'insensitive' as const } } : {};
    const rows = await this.prisma.family.findMany({
      where: { ...where, ...(cursor ? { name: { ...where.name, gt: cursor[0] } } : {}) },
      orderBy: { name: 'asc' },
      take: first + 1,
    });
    return toConnection(rows, first, (f) => [f.name], await this.prisma.family.count({ where }));
  }

  /**
   * Makes `alias` resolve to `family` in future ingestions. An alias that is already a
   * family with stored rows is refused: merging stored data is a separate, explicit step.
   */
  async addAlias(familyName: string, alias: string): Promise<Family> {
    const label = alias.trim();
    if (label === '' || label.length > 100) throw new AppError('BAD_USER_INPUT', 'INVALID_ALIAS', 'alias must be 1 to 100 characters');
    return this.prisma.$transaction(async (tx) => {
      const family = await tx.family.findUnique({ where: { name: familyName } });
      if (!family) throw new AppError('NOT_FOUND', 'FAMILY_NOT_FOUND', `family "${familyName}" not found`);
      if (label === family.name || family.aliases.includes(label)) return family;
      const clash = await tx.family.findFirst({ where: { OR: [{ name: label }, { aliases: { has: label } }] } });
      if (clash) {
        throw new AppError(
          'CONFLICT',
          'ALIAS_TAKEN',
          `"${label}" already ${clash.name === label ? 'is a family' : `is an alias of "${clash.name}"`}`,
        );
      }
      return tx.family.update({ where: { id: family.id }, data: { aliases: { push: label } } });
    });
  }
}
