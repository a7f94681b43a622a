using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Mail.Admin;

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
