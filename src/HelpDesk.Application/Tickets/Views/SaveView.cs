using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets.GetQueue;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tickets.Views;

/// <summary>Saves the caller's filters and sort under <see cref="Name"/>; saving under a name already used replaces that view.</summary>
public sealed record SaveView(string? Name, string? View, string? Team, IReadOnlyList<string>? Status, string? Assignee, string? Priority, string? Sort)
    : ICommand<SavedViewDto>, IQueueFilter;

/// <summary>A saved view; <see cref="Query"/> is the query string of <c>GET /api/v1/tickets</c> that lists it.</summary>
public sealed record SavedViewDto(Guid Id, string Name, string? View, string? Team, IReadOnlyList<string> Status, string? Assignee,
    string? Priority, string? Sort, string Query, Instant CreatedAt)
{
    public static SavedViewDto From(SavedView v)
    {
        var status = ((IQueueFilter)v).Status ?? [];
        var query = string.Join('&', new[] { ("view", v.View), ("team", v.Team) }
            .Concat(status.Select(s => ("status", (string?)s)))
            .Concat([("assignee", v.Assignee), ("priority", v.Priority), ("sort", v.Sort)])
            .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
        return new SavedViewDto(v.Id, v.Name, v.View, v.Team, status, v.Assignee, v.Priority, v.Sort, query, v.CreatedAt);
    }
}

public sealed class SaveViewValidator : AbstractValidator<SaveView>
{
    public SaveViewValidator()
    {
        RuleFor(c => c.Name).NotEmpty().WithMessage("'name' is required.")
            .MaximumLength(80).WithMessage("'name' is at most 80 characters.");
        RuleFor(c => c.Team).MaximumLength(100);
        Include(new QueueFilterValidator());
    }
}

public sealed class SaveViewHandler(HelpDeskDbContext db, Caller caller, IClock clock) : ICommandHandler<SaveView, SavedViewDto>
{
    public async ValueTask<SavedViewDto> Handle(SaveView command, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        var name = command.Name!.Trim();
        var view = await db.SavedViews.SingleOrDefaultAsync(v => v.AgentId == agent.Id && v.Name == name, ct);
        if (view is null)
        {
            view = new SavedView { Id = Guid.CreateVersion7(), AgentId = agent.Id, Name = name, CreatedAt = clock.GetCurrentInstant() };
            db.SavedViews.Add(view);
        }
        view.View = Blank(command.View);
        view.Team = Blank(command.Team)?.ToLowerInvariant();
        view.Statuses = command.Status is { Count: > 0 } s ? string.Join(',', s.Select(x => x.Trim().ToLowerInvariant()).Distinct()) : null;
        view.Assignee = Blank(command.Assignee);
        view.Priority = Blank(command.Priority)?.ToLowerInvariant();
        view.Sort = Blank(command.Sort);
        await db.SaveChangesAsync(ct);
        return SavedViewDto.From(view);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
