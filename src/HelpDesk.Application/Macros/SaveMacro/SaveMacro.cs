using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets;
using HelpDesk.Application.Tickets.AssignTicket;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Macros;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Macros.SaveMacro;

/// <summary>A macro as the API writes it.</summary>
/// <param name="Team">A team's name for a team macro; null or empty for a global one.</param>
/// <param name="Visibility"><c>public</c> (default: a reply to the customer) or <c>internal</c> (a note).</param>
/// <param name="Assignee"><c>me</c>, <c>none</c> or an agent's e-mail address.</param>
public sealed record MacroInput(string? Name, string? Team, string? Body, string? Visibility, string? Status, string? Priority,
    IReadOnlyList<string>? AddTags, IReadOnlyList<string>? RemoveTags, string? Assignee);

/// <summary>Creates a macro (<see cref="Id"/> null) or replaces one. Leads and admins only (leads: global or their teams).</summary>
public sealed record SaveMacro(Guid? Id, MacroInput Macro) : ICommand<MacroDto>, ILeadOnly;

public sealed class SaveMacroValidator : AbstractValidator<SaveMacro>
{
    public SaveMacroValidator()
    {
        RuleFor(c => c.Macro.Name).NotEmpty().MaximumLength(Macro.MaxNameLength).NoControlCharacters().OverridePropertyName("name");
        RuleFor(c => c.Macro.Body).MaximumLength(1_000_000).NoControlCharacters(multiline: true).OverridePropertyName("body");
        RuleFor(c => c.Macro.Body).Custom((body, context) =>
        {
            foreach (var problem in MacroTemplate.Problems(body ?? "")) context.AddFailure("body", problem);
        });
        RuleFor(c => c.Macro.Visibility).Must(v => v is null or "public" or "internal")
            .WithMessage("'visibility' must be public or internal.").OverridePropertyName("visibility");
        RuleFor(c => c.Macro.Status).Must(s => s is null || Vocabulary.TryStatus(s, out var status) && status != TicketStatus.New)
            .WithMessage($"'status' must be one of {Vocabulary.ListOf(Vocabulary.StatusNames.Where(n => n != "new"))} (a ticket never goes back to new).")
            .OverridePropertyName("status");
        RuleFor(c => c.Macro.Priority).Must(p => p is null || Vocabulary.TryPriority(p, out _))
            .WithMessage($"'priority' must be one of {Vocabulary.ListOf(Vocabulary.PriorityNames)}.").OverridePropertyName("priority");
        RuleForEach(c => c.Macro.AddTags).Must(Ticket.IsTag).WithMessage("'addTags' holds tags (1-50 of a-z, 0-9, - _ . :).").OverridePropertyName("addTags");
        RuleForEach(c => c.Macro.RemoveTags).Must(Ticket.IsTag).WithMessage("'removeTags' holds tags (1-50 of a-z, 0-9, - _ . :).").OverridePropertyName("removeTags");
        RuleFor(c => c.Macro.Assignee).Must(a => a is null || a.Trim() is "me" or "none" || EmailAddress.IsValid(a.Trim()))
            .WithMessage("'assignee' must be me, none or an agent's e-mail address.").OverridePropertyName("assignee");
        RuleFor(c => c.Macro).Must(m => !string.IsNullOrWhiteSpace(m.Body) || m.Status is not null || m.Priority is not null
                || m.AddTags is { Count: > 0 } || m.RemoveTags is { Count: > 0 } || m.Assignee is not null)
            .WithMessage("A macro must write a reply (body) or change something (status, priority, tags, assignee).").OverridePropertyName("body");
    }

}

public sealed class SaveMacroHandler(HelpDeskDbContext db, Caller caller, IClock clock) : ICommandHandler<SaveMacro, MacroDto>
{
    public async ValueTask<MacroDto> Handle(SaveMacro command, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        var input = command.Macro;
        Guid? teamId = null;
        if (input.Team is { Length: > 0 } teamName)
            teamId = await db.TeamIdAsync(teamName, ct)
                ?? throw new ValidationException([new FluentValidation.Results.ValidationFailure("team", $"There is no team '{teamName}'.")]);
        MacroAccess.EnsureMayManage(agent, teamId);
        if (input.Assignee?.Trim() is { } assignee && assignee is not ("me" or "none"))
            await AssignTicketHandler.AgentNamedAsync(db, caller, assignee, "assignee", ct);
        var actions = new MacroActions(input.Body, input.Visibility == "internal" ? Visibility.Internal : Visibility.Public,
            input.Status is null ? null : Vocabulary.ParseStatus(input.Status), input.Priority is null ? null : Vocabulary.ParsePriority(input.Priority),
            input.AddTags ?? [], input.RemoveTags ?? [], input.Assignee);
        var now = clock.GetCurrentInstant();
        Macro macro;
        if (command.Id is { } id)
        {
            macro = await (await MacroAccess.VisibleAsync(db, caller, ct)).SingleOrDefaultAsync(m => m.Id == id, ct)
                ?? throw new NotFoundException($"Macro {id} was not found.");
            MacroAccess.EnsureMayManage(agent, macro.TeamId);
            macro.Change(input.Name!, teamId, actions, now);
        }
        else
        {
            macro = new Macro(Guid.CreateVersion7(), input.Name!, teamId, actions, now);
            db.Macros.Add(macro);
        }
        await db.SaveChangesAsync(ct);
        return (await MacroAccess.ToDtosAsync(db, db.Macros.Where(m => m.Id == macro.Id), ct))[0];
    }
}
