using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Notifications.GetNotifications;

/// <summary>The calling agent's notifications and their teams', newest first.</summary>
public sealed record GetNotifications(bool UnreadOnly = false, int Limit = 50) : IQuery<IReadOnlyList<NotificationDto>>;

public sealed class GetNotificationsValidator : AbstractValidator<GetNotifications>
{
    public GetNotificationsValidator() => RuleFor(q => q.Limit).InclusiveBetween(1, 500).OverridePropertyName("limit");
}

public sealed class GetNotificationsHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetNotifications, IReadOnlyList<NotificationDto>>
{
    public async ValueTask<IReadOnlyList<NotificationDto>> Handle(GetNotifications query, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        var notifications = db.Notifications.AsNoTracking().ForAgent(agent);
        if (query.UnreadOnly) notifications = notifications.Where(n => n.ReadAt == null);
        return await notifications.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(query.Limit)
            .Select(n => new NotificationDto(n.Id, n.Kind, n.TicketNumber, n.Message, n.CreatedAt, n.ReadAt, n.AgentId == null))
            .ToListAsync(ct);
    }
}
