using HelpDesk.Domain.Common;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Macros;

/// <summary>What a macro does when applied to a ticket, each part optional.</summary>
/// <param name="Body">Reply text with variables (<see cref="MacroTemplate"/>), written as <paramref name="Visibility"/>.</param>
/// <param name="Assignee"><c>me</c> (whoever applies it), <c>none</c> (unassign) or an agent's e-mail address.</param>
public sealed record MacroActions(string? Body, Visibility Visibility, TicketStatus? Status, Priority? Priority,
    IReadOnlyList<string> AddTags, IReadOnlyList<string> RemoveTags, string? Assignee);

/// <summary>
/// A canned reply with actions, global (<see cref="TeamId"/> null) or one team's. Applying it changes a ticket through
/// the same aggregate methods as a change by hand; a macro only describes what to do.
/// </summary>
public sealed class Macro
{
    public const int MaxNameLength = 80;
    private List<string> _addTags = [];
    private List<string> _removeTags = [];

    private Macro() { Name = ""; }

    public Macro(Guid id, string name, Guid? teamId, MacroActions actions, Instant now)
    {
        Id = id;
        Name = "";
        CreatedAt = now;
        Change(name, teamId, actions, now);
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; }
    public Guid? TeamId { get; private set; }
    public string? Body { get; private set; }
    public Visibility Visibility { get; private set; }
    public TicketStatus? Status { get; private set; }
    public Priority? Priority { get; private set; }
    public IReadOnlyList<string> AddTags => _addTags;
    public IReadOnlyList<string> RemoveTags => _removeTags;
    public string? Assignee { get; private set; }
    public Instant CreatedAt { get; private set; }
    public Instant UpdatedAt { get; private set; }

    public MacroActions Actions => new(Body, Visibility, Status, Priority, _addTags, _removeTags, Assignee);

    /// <summary>Replaces what the macro is and does. Refuses a macro that would do nothing, or a reply with bad placeholders.</summary>
    public void Change(string name, Guid? teamId, MacroActions actions, Instant now)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new DomainRuleViolation("macro.name_required", "A macro needs a name.");
        var body = string.IsNullOrWhiteSpace(actions.Body) ? null : actions.Body;
        if (body is not null && MacroTemplate.Problems(body) is [var problem, ..])
            throw new DomainRuleViolation("macro.template_invalid", problem);
        var add = actions.AddTags.Select(Ticket.NormaliseTag).Distinct().ToList();
        var remove = actions.RemoveTags.Select(Ticket.NormaliseTag).Distinct().ToList();
        if (body is null && actions.Status is null && actions.Priority is null && add.Count == 0 && remove.Count == 0 && actions.Assignee is null)
            throw new DomainRuleViolation("macro.empty", "A macro must write a reply or change something.");
        Name = name.Trim();
        TeamId = teamId;
        Body = body;
        Visibility = actions.Visibility;
        Status = actions.Status;
        Priority = actions.Priority;
        _addTags = add;
        _removeTags = remove;
        Assignee = string.IsNullOrWhiteSpace(actions.Assignee) ? null : actions.Assignee.Trim().ToLowerInvariant();
        UpdatedAt = now;
    }
}

/// <summary>One application of a macro (who, on which ticket, when): the usage count is the number of these rows.</summary>
public sealed class MacroUse
{
    private MacroUse() { }

    public MacroUse(Guid id, Guid macroId, Guid ticketId, Guid agentId, Instant at)
    {
        Id = id;
        MacroId = macroId;
        TicketId = ticketId;
        AgentId = agentId;
        At = at;
    }

    public Guid Id { get; private set; }
    public Guid MacroId { get; private set; }
    public Guid TicketId { get; private set; }
    public Guid AgentId { get; private set; }
    public Instant At { get; private set; }
}
