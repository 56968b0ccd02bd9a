import { Injectable, NotFoundException } from '@nestjs/common';
import { isUuid } from '../common/uuid';
import { PrismaService } from '../prisma/prisma.service';
import { CreateDocumentDto } from './dto/create-document.dto';

export interface DocumentView {
  id: string;
  title: string;
  content: string;
  createdAt: Date;
}

const DOCUMENT_FIELDS = { id: true, title: true, content: true, createdAt: true } as const;

@Injectable()
export class DocumentsService {
  constructor(private readonly prisma: PrismaService) {}

  list(ownerId: string): Promise<DocumentView[]> {
    return this.prisma.document.findMany({
      where: { ownerId },
      select: DOCUMENT_FIELDS,
      orderBy: { createdAt: 'desc' },
    });
  }

  create(ownerId: string, dto: CreateDocumentDto): Promise<DocumentView> {
    return this.prisma.document.create({
      data: { ownerId, title: dto.title, content: dto.content },
      select: DOCUMENT_FIELDS,
    });
  }

  /**
   * The caller's document, or 404: an id that is not a UUID, a document that
   * does not exist and another user's all look the same (never 403, which
   * would confirm that it exists).
   */
  async findOwned(ownerId: string, id: string): Promise<DocumentView> {
    const document = isUuid(id)
      ? await this.prisma.document.findFirst({ where: { id, ownerId }, select: DOCUMENT_FIELDS })
      : null;
    if (!document) throw new NotFoundException('Document not found');
    return document;
  }
}
