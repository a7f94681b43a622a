using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Mail.Admin;

public sealed record QuarantinedMailDto(Guid Id, string Mailbox, string MessageId, long Size, string Sha256, string Source, Instant ReceivedAt,
    string? Reason, int Attempts);

/// <summary>Admins: inbound mail that could not be processed (kept raw, reprocessable).</summary>
public sealed record GetQuarantinedMail(int Limit = 100) : IQuery<IReadOnlyList<QuarantinedMailDto>>;

public sealed class GetQuarantinedMailHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetQuarantinedMail, IReadOnlyList<QuarantinedMailDto>>
{
    public async ValueTask<IReadOnlyList<QuarantinedMailDto>> Handle(GetQuarantinedMail query, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        return await db.Set<InboundMail>().AsNoTracking().Where(m => m.State == InboundState.Quarantined)
            .OrderByDescending(m => m.ReceivedAt).Take(Math.Clamp(query.Limit, 1, 1000))
            .Select(m => new QuarantinedMailDto(m.Id, m.Mailbox, m.MessageId, m.Size, m.Sha256, m.Source, m.ReceivedAt, m.Reason, m.Attempts))
            .ToListAsync(ct);
    }
}

public sealed record AttachmentContent(string FileName, string ContentType, byte[] Content);

/// <summary>An attachment's bytes, for agents who may see the ticket.</summary>
public sealed record GetAttachment(int Number, Guid AttachmentId) : IQuery<AttachmentContent>;

public sealed class GetAttachmentHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetAttachment, AttachmentContent>
{
    public async ValueTask<AttachmentContent> Handle(GetAttachment query, CancellationToken ct)
    {
        var ticket = await caller.VisibleTicketAsync(db.Tickets.AsNoTracking(), query.Number, ct);
        var file = await db.Set<MailAttachment>().AsNoTracking().SingleOrDefaultAsync(f => f.Id == query.AttachmentId && f.TicketId == ticket.Id, ct);
        if (file?.Content is null) throw new NotFoundException("The attachment was not found.");
        return new AttachmentContent(file.FileName, file.ContentType, file.Content);
    }
}
