using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Tickets;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Application.Tickets.AssignTicket;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Macros;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Macros.ApplyMacro;

/// <summary>
/// Applies a macro to a ticket in one change, or with <see cref="Preview"/> answers what it would do without changing
/// anything. The reply text is filled in first: a variable without a value and without a fallback refuses the whole
/// macro (422 <c>macro.variable_missing</c>) before anything is written. Then, in one unit of work through
/// <see cref="TicketChanges"/> and the same aggregate methods as the commands by hand: assignee, reply or note (the
/// stale-reply guard applies with <see cref="ExpectedVersion"/>; the reply's mail goes through the outbox), priority,
/// tags, status — so history, SLA, reports and the console see ordinary changes. Each application is counted.
/// </summary>
public sealed record ApplyMacro(int Number, Guid MacroId, bool Preview = false, int? ExpectedVersion = null) : ICommand<MacroApplication>;

/// <summary>What a macro does to one ticket, variables filled in.</summary>
/// <param name="Assignee">The agent's e-mail address, <c>none</c> to unassign, null to leave it.</param>
public sealed record MacroPlanDto(string? Reply, string Visibility, string? Status, string? Priority, IReadOnlyList<string> AddTags,
    IReadOnlyList<string> RemoveTags, string? Assignee);

/// <param name="Applied">False for a preview.</param>
/// <param name="ArticleId">The reply or note written, if any.</param>
/// <param name="Ticket">The ticket after the macro (a preview: as it is).</param>
public sealed record MacroApplication(Guid MacroId, string Macro, bool Applied, MacroPlanDto Plan, Guid? ArticleId, TicketDto Ticket);

public sealed class ApplyMacroHandler(HelpDeskDbContext db, Caller caller, IClock clock, TicketChanges changes, TicketReplies replies,
    SlaConfigurationCache slaConfiguration) : ICommandHandler<ApplyMacro, MacroApplication>
{
    private static readonly LocalDateTimePattern DueAtPattern = LocalDateTimePattern.CreateWithInvariantCulture("yyyy-MM-dd HH:mm");

    public async ValueTask<MacroApplication> Handle(ApplyMacro command, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        var macro = await MacroAccess.VisibleMacroAsync(db, caller, command.MacroId, ct);
        if (command.Preview)
        {
            var current = await caller.VisibleTicketAsync(db.TicketsForChange().AsNoTracking(), command.Number, ct);
            var (preview, _) = await PlanAsync(current, macro, agent, clock.GetCurrentInstant(), ct);
            return new MacroApplication(macro.Id, macro.Name, false, preview, null, await db.ToDtoAsync(current, ct));
        }

        MacroPlanDto? plan = null;
        Article? article = null;
        var dto = await changes.ApplyAsync(command.Number, async c =>
        {
            (plan, var assignee) = await PlanAsync(c.Ticket, macro, agent, c.Now, ct);
            if (assignee is not null) c.Ticket.Assign(assignee, c.Actor, c.Now);
            else if (plan.Assignee == "none") c.Ticket.Unassign(c.Actor, c.Now);
            if (plan.Reply is { } text)
                article = await replies.WriteAsync(c.Ticket, agent, text, plan.Visibility, command.ExpectedVersion, c.Now, ct);
            if (macro.Priority is { } priority) c.Ticket.ChangePriority(priority, c.Actor, c.Now);
            foreach (var tag in macro.RemoveTags) c.Ticket.RemoveTag(tag, c.Actor, c.Now);
            foreach (var tag in macro.AddTags) c.Ticket.AddTag(tag, c.Actor, c.Now);
            if (macro.Status is { } status) c.Ticket.ChangeStatus(status, c.Actor, c.Now);
            db.MacroUses.Add(new MacroUse(Guid.CreateVersion7(), macro.Id, c.Ticket.Id, agent.Id, c.Now));
        }, ct);
        return new MacroApplication(macro.Id, macro.Name, true, plan!, article?.Id, dto);
    }

    /// <summary>The macro's effect on the ticket as it is at <paramref name="now"/>; preview and apply both read it here.</summary>
    private async Task<(MacroPlanDto Plan, Agent? Assignee)> PlanAsync(Ticket ticket, Macro macro, Agent agent, Instant now, CancellationToken ct)
    {
        string? reply = null;
        if (macro.Body is { } body)
        {
            var values = await VariablesAsync(ticket, agent, now, ct);
            reply = MacroTemplate.Render(body, name => values.GetValueOrDefault(name));
        }
        var assignee = macro.Assignee switch
        {
            null or "none" => null,
            "me" => agent,
            var email => await AssignTicketHandler.AgentNamedAsync(db, caller, email, "assignee", ct),
        };
        var plan = new MacroPlanDto(reply, Vocabulary.Name(macro.Visibility), macro.Status is { } s ? Vocabulary.Name(s) : null,
            macro.Priority is { } p ? Vocabulary.Name(p) : null, macro.AddTags.ToList(), macro.RemoveTags.ToList(),
            assignee?.Email ?? (macro.Assignee == "none" ? "none" : null));
        return (plan, assignee);
    }

    /// <summary>Every <see cref="MacroTemplate.Variables"/> value for this ticket; missing ones are null.</summary>
    private async Task<Dictionary<string, string?>> VariablesAsync(Ticket ticket, Agent agent, Instant now, CancellationToken ct)
    {
        var customer = await db.Customers.AsNoTracking().Where(c => c.Id == ticket.RequesterId)
            .Select(c => new { c.Email, c.Name, c.Organisation }).SingleAsync(ct);
        var customerName = Domain.Customers.Customer.RealName(customer.Name, customer.Email);
        var team = await db.Teams.Where(t => t.Id == ticket.TeamId).Select(t => t.Name).SingleAsync(ct);
        var configuration = await slaConfiguration.GetAsync(db, ct);
        var (initial, events) = TicketSla.Ledger(ticket, configuration, now);
        var report = initial is null ? SlaReport.Empty : SlaEngine.Evaluate(initial, events, now);
        var zone = events.OfType<SlaEvent.TermsChanged>().LastOrDefault()?.Terms.Calendar.Zone ?? initial?.Calendar.Zone ?? DateTimeZone.Utc;
        string? DueAt(SlaMetric metric) => report.Clocks.LastOrDefault(c => c.Metric == metric && c.StoppedAt is null)?.DueAt is { } due
            ? $"{DueAtPattern.Format(due.InZone(zone).LocalDateTime)} ({zone.Id})"
            : null;
        return new Dictionary<string, string?>
        {
            ["customer.name"] = customerName,
            ["customer.firstName"] = FirstName(customerName),
            ["customer.email"] = customer.Email,
            ["customer.organisation"] = customer.Organisation,
            ["ticket.number"] = ticket.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ticket.subject"] = ticket.Subject,
            ["ticket.status"] = Vocabulary.Label(ticket.Status),
            ["ticket.priority"] = Vocabulary.Name(ticket.Priority),
            ["ticket.team"] = team,
            ["agent.name"] = agent.Name,
            ["agent.firstName"] = FirstName(agent.Name),
            ["agent.email"] = agent.Email,
            ["sla.firstResponse.dueAt"] = DueAt(SlaMetric.FirstResponse),
            ["sla.nextReply.dueAt"] = DueAt(SlaMetric.NextReply),
            ["sla.resolution.dueAt"] = DueAt(SlaMetric.Resolution),
        };
    }

    private static string? FirstName(string? name) => name?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
