import type { PointSource } from '@bandeja/auth';
import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  AppError,
  AuditActor,
  AuditService,
  Conversation,
  decodeCursor,
  DEFAULT_LIMIT,
  encodeCursor,
  KeysetCursor,
  Page,
  Prisma,
} from '@bandeja/core';
import { PointResolverRegistry, UUID_RE } from '@bandeja/auth';
import type { Principal } from '@bandeja/auth';
import {
  ListConversationsQuery,
  ListMessagesQuery,
  UpdateConversationDto,
} from './conversation.dto';
import {
  ConversationView,
  MessageView,
  toConversationView,
  toMessageView,
} from './conversation.view';
import {
  ConversationChanges,
  ConversationsRepository,
  KeysetPosition,
} from './conversations.repository';

/** For `@PointAccess`: the route's `:id` is a conversation; its point comes from the resolver below. */
export const CONVERSATION_FROM_ID = {
  from: 'resource',
  resource: 'conversation',
  param: 'id',
  label: 'Conversation',
} as const satisfies PointSource;

const invalidCursor = () =>
  AppError.badRequest('invalid_cursor', 'The cursor is not one this API produced');

/** Decodes a list cursor into a position the database can compare against (400 when foreign). */
function readCursor(raw: string | undefined): KeysetPosition | undefined {
  const cursor = decodeCursor(raw);
  if (!cursor) return undefined;
  const at = new Date(cursor.v);
  if (Number.isNaN(at.getTime()) || !UUID_RE.test(cursor.id)) throw invalidCursor();
  return { at, id: cursor.id.toLowerCase() };
}

/** `rows` holds up to limit + 1 rows: the extra one only says that another page exists. */
function toPage<R extends { id: string }, V>(
  rows: R[],
  limit: number,
  view: (row: R) => V,
  sortValue: (row: R) => Date,
): Page<V> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const next: KeysetCursor | undefined =
    rows.length > limit && last ? { v: sortValue(last).toISOString(), id: last.id } : undefined;
  return { items: items.map(view), nextCursor: next ? encodeCursor(next) : null };
}

/**
 * The inbox: a point's conversations, their messages, hand-over between bot and people and
 * assignment. Tenancy is enforced before these methods run (PointAccess + the 'conversation'
 * resolver registered here), so ids reaching them belong to a point the caller may act in.
 */
@Injectable()
export class ConversationsService implements OnModuleInit {
  constructor(
    private readonly repo: ConversationsRepository,
    private readonly audit: AuditService,
    private readonly resolvers: PointResolverRegistry,
  ) {}

  onModuleInit(): void {
    this.resolvers.register('conversation', (id) => this.repo.pointOf(id));
  }

  /** The API shape of a conversation (other features return it too). */
  toConversationView(row: Conversation): ConversationView {
    return toConversationView(row);
  }

  async list(
    servicePointId: string,
    principal: Principal,
    query: ListConversationsQuery,
  ): Promise<Page<ConversationView>> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const assignedToUserId = this.assigneeFilter(principal, query.assignedTo);
    const after = readCursor(query.cursor);
    const rows = await this.repo.listByPoint(
      servicePointId,
      { status: query.status, assignedToUserId, search: query.search },
      after,
      limit + 1,
    );
    return toPage(
      rows,
      limit,
      (row) => toConversationView(row),
      (row) => row.lastMessageAt,
    );
  }

  async get(id: string): Promise<ConversationView> {
    const row = await this.repo.find(id);
    if (!row) throw AppError.notFound('Conversation');
    return toConversationView(row);
  }

  /**
   * Switches BOT/HUMAN and (un)assigns, in one transaction with an audit row per field that
   * actually changed. The assignee must be a member of the conversation's point or an admin.
   */
  async update(
    id: string,
    dto: UpdateConversationDto,
    actor: AuditActor,
  ): Promise<ConversationView> {
    if (dto.status === undefined && dto.assignedToUserId === undefined) {
      const message = 'send status and/or assignedToUserId';
      throw AppError.validation(
        [
          { field: 'status', message },
          { field: 'assignedToUserId', message },
        ],
        'Nothing to change',
      );
    }
    const row = await this.repo.transaction(async (tx) => {
      const current = await this.repo.findForUpdate(tx, id);
      if (!current) throw AppError.notFound('Conversation');
      const changes: ConversationChanges = {};
      if (dto.status !== undefined && dto.status !== current.status) changes.status = dto.status;
      if (dto.assignedToUserId !== undefined) {
        const to = dto.assignedToUserId?.toLowerCase() ?? null;
        if (to !== null && !(await this.repo.isAssignable(tx, current.servicePointId, to))) {
          throw AppError.validation([
            {
              field: 'assignedToUserId',
              message: 'the assignee must be a member of this service point or an admin',
            },
          ]);
        }
        if (to !== current.assignedToUserId) changes.assignedToUserId = to;
      }
      if (Object.keys(changes).length === 0) return current;
      const updated = await this.repo.update(tx, id, changes);
      if (changes.status !== undefined) {
        await this.record(tx, actor, current, 'conversation.status_changed', {
          from: current.status,
          to: updated.status,
        });
      }
      if (changes.assignedToUserId !== undefined) {
        await this.record(tx, actor, current, 'conversation.assigned', {
          from: current.assignedToUserId,
          to: updated.assignedToUserId,
        });
      }
      return updated;
    });
    return toConversationView(row);
  }

  async markRead(id: string): Promise<ConversationView> {
    const row = await this.repo.markRead(id);
    if (!row) throw AppError.notFound('Conversation');
    return toConversationView(row);
  }

  async messages(id: string, query: ListMessagesQuery): Promise<Page<MessageView>> {
    const limit = query.limit ?? DEFAULT_LIMIT;
    const after = readCursor(query.cursor);
    const rows = await this.repo.listMessages(id, query.order ?? 'desc', after, limit + 1);
    return toPage(rows, limit, toMessageView, (row) => row.timestamp);
  }

  /** `assignedTo` as a user id, null ("none") or undefined (any). */
  private assigneeFilter(
    principal: Principal,
    assignedTo: string | undefined,
  ): string | null | undefined {
    if (assignedTo === undefined) return undefined;
    if (assignedTo === 'none') return null;
    if (assignedTo === 'me') {
      if (!principal.userId) {
        throw AppError.validation([
          { field: 'assignedTo', message: '"me" needs a signed-in user; API keys have none' },
        ]);
      }
      return principal.userId;
    }
    return assignedTo.toLowerCase();
  }

  private record(
    tx: Prisma.TransactionClient,
    actor: AuditActor,
    conversation: Conversation,
    action: string,
    data: { from: string | null; to: string | null },
  ): Promise<void> {
    return this.audit.record(
      actor,
      {
        action,
        entityType: 'conversation',
        entityId: conversation.id,
        servicePointId: conversation.servicePointId,
        data,
      },
      tx,
    );
  }
}
