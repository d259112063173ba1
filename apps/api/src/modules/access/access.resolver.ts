import { Args, ArgsType, Authorized, Ctx, Field, Query, Resolver } from 'type-graphql';
import type { Context } from '../../graphql/context';
import { Connection, PageArgs } from '../../graphql/pagination';
import { ApiKeyInfo, AuditEntryInfo, Caller } from './access.types';
import { ApiKeysService } from './api-keys.service';
import { AuditService } from './audit.service';

const AuditEntryConnection = Connection(AuditEntryInfo, 'AuditEntry');

@ArgsType()
class AuditLogArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only this mutation or command.' }) action?: string | null;
  @Field(() => String, { nullable: true, description: 'Only this actor (key name).' }) actor?: string | null;
}

@Resolver()
export class AccessResolver {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  @Query(() => Caller, { nullable: true, description: 'Who this request authenticated as; null when anonymous.' })
  whoami(@Ctx() { actor }: Context): Caller | null {
    return actor ? { name: actor.name, role: actor.role } : null;
  }

  @Authorized('ADMIN')
  @Query(() => [ApiKeyInfo], { description: 'API keys (created and revoked with `dgascope keys`).' })
  apiKeys() {
    return this.keys.list();
  }

  @Authorized('ADMIN')
  @Query(() => AuditEntryConnection, { description: 'Admin actions, newest first.' })
  async auditLog(@Args(() => AuditLogArgs) { action, actor, first, after }: AuditLogArgs) {
    const page = await this.audit.list({ action, actor }, first, after);
    const entry = (e: (typeof page.nodes)[number]): AuditEntryInfo => ({ ...e, id: e.id.toString() });
    return { ...page, nodes: page.nodes.map(entry), edges: page.edges.map((x) => ({ cursor: x.cursor, node: entry(x.node) })) };
  }
}
