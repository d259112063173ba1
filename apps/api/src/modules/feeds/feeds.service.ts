import type { PrismaClient } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import { decodeCursor, toConnection, type ConnectionValue } from '../../pagination/keyset-page';
import type { Feed } from './feed.type';

export class FeedsService {
  constructor(private readonly prisma: PrismaClient) {}

  async list(first: number, after?: string | null): Promise<ConnectionValue<Feed>> {
    const cursor = decodeCursor<[string]>(after, ['string']);
    const rows = await this.prisma.feed.findMany({
      where: cursor ? { name: { gt: cursor[0] } } : {},
      orderBy: { name: 'asc' },
      take: first + 1,
    });
    return toConnection(rows, first, (f) => [f.name], await this.prisma.feed.count());
  }

  async get(where: { id?: number | null; name?: string | null }): Promise<Feed> {
    if ((where.id == null) === (where.name == null)) {
      throw new AppError('BAD_USER_INPUT', 'FEED_SELECTOR', 'give exactly one of id or name');
    }
    const feed = await this.prisma.feed.findUnique({ where: where.id != null ? { id: where.id } : { name: where.name! } });
    if (!feed) throw new AppError('NOT_FOUND', 'FEED_NOT_FOUND', `feed ${where.id ?? `"${where.name}"`} not found`);
    return feed;
  }
}
