using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Notifications.MarkNotificationRead;

/// <summary>
/// Marks one of the caller's notifications read. A team notification has one read mark for the whole team: once a
/// member has seen it, it stops counting as unread for the others too.
/// </summary>
public sealed record MarkNotificationRead(Guid Id) : ICommand<NotificationDto>;

public sealed class MarkNotificationReadHandler(HelpDeskDbContext db, Caller caller, IClock clock) : ICommandHandler<MarkNotificationRead, NotificationDto>
{
    public async ValueTask<NotificationDto> Handle(MarkNotificationRead command, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        var notification = await db.Notifications.ForAgent(agent).SingleOrDefaultAsync(n => n.Id == command.Id, ct)
            ?? throw new NotFoundException($"Notification {command.Id} was not found.");
        notification.MarkRead(clock.GetCurrentInstant());
        await db.SaveChangesAsync(ct);
        return new NotificationDto(notification.Id, notification.Kind, notification.TicketNumber, notification.Message,
            notification.CreatedAt, notification.ReadAt, notification.AgentId == null);
    }
}
