using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla.DueQueue;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Escalation.PutEscalationRule;

/// <summary>Creates the rule <paramref name="Name"/> or replaces it (<c>PUT /api/v1/escalation-rules/{name}</c>). Admins only.</summary>
/// <param name="IfMatch">The entity tag the client read (<see cref="EntityTags"/>); a stale one is refused with 412.</param>
public sealed record PutEscalationRule(string Name, EscalationRuleBody? Body, string? IfMatch = null) : ICommand<EscalationRuleDto>, IAdminOnly;

public sealed class PutEscalationRuleValidator : AbstractValidator<PutEscalationRule>
{
    public PutEscalationRuleValidator()
    {
        RuleFor(c => c.Name).Must(IsRuleName).OverridePropertyName("name")
            .WithMessage("'name' must be 1-100 of a-z, 0-9, - _ .");
        RuleFor(c => c.Body).NotNull().OverridePropertyName("body").WithMessage("A rule body is required.");
        RuleFor(c => c.Body).Custom((body, context) =>
        {
            if (body is null) return;
            foreach (var (path, message) in EscalationRuleShape.Problems(body))
                context.AddFailure(new ValidationFailure(path, $"'{path}' {message}"));
        });
    }

    private static bool IsRuleName(string? name)
    {
        if (name is null) return false;
        try { EscalationRule.NormaliseName(name); return true; }
        catch (DomainRuleViolation) { return false; }
    }
}

public sealed class PutEscalationRuleHandler(HelpDeskDbContext db, EscalationRuleCache rules, IClock clock, DueQueueSignal dueQueue)
    : ICommandHandler<PutEscalationRule, EscalationRuleDto>
{
    public async ValueTask<EscalationRuleDto> Handle(PutEscalationRule command, CancellationToken ct)
    {
        var body = command.Body!;
        await EnsureReferencesExistAsync(body, ct);
        var (filters, steps) = EscalationRuleShape.ToDomain(body);
        var now = clock.GetCurrentInstant();
        var name = EscalationRule.NormaliseName(command.Name);

        var rule = await db.InTransactionAsync(async ct =>
        {
            var rule = await db.EscalationRules.SingleOrDefaultAsync(r => r.Name == name, ct);
            EntityTags.Require(command.IfMatch, rule?.Version, $"Escalation rule '{name}'");
            if (rule is null)
            {
                rule = new EscalationRule(Guid.CreateVersion7(), name, body.Position ?? 0, body.Active ?? true, filters, steps, now);
                db.EscalationRules.Add(rule);
            }
            else rule.Replace(body.Position ?? rule.Position, body.Active ?? true, filters, steps, now);
            await db.SaveChangesAsync(ct);
            if (rule is { IsActive: true, HasTimers: true })
            {
                // Unassigned tickets have no instant scheduled for this rule yet: make them due now, and the due-queue
                // fires what is already overdue and schedules the rest.
                var workable = new[] { TicketStatus.New, TicketStatus.Open, TicketStatus.Pending, TicketStatus.OnHold };
                await db.Tickets.Where(t => t.AssigneeId == null && workable.Contains(t.Status) && (t.SlaNextAlertAt == null || t.SlaNextAlertAt > now))
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.SlaNextAlertAt, (Instant?)now), ct);
            }
            return rule;
        }, ct);
        rules.Invalidate();
        dueQueue.Wake();
        return EscalationRuleDto.From(rule);
    }

    /// <summary>Teams and agents are named in rules by handle; a name that does not exist is a field error.</summary>
    private async Task EnsureReferencesExistAsync(EscalationRuleBody body, CancellationToken ct)
    {
        var teams = (body.Filters?.Teams ?? []).Select((t, i) => (Path: $"filters.teams[{i}]", Name: t))
            .Concat(Actions(body).Where(a => a.Action.Team is not null).Select(a => (Path: $"{a.Path}.team", Name: a.Action.Team!)))
            .ToList();
        var agents = Actions(body).Where(a => a.Action.Agent is not null).Select(a => (Path: $"{a.Path}.agent", Email: a.Action.Agent!)).ToList();
        var teamNames = teams.Select(t => t.Name.Trim().ToLowerInvariant()).Distinct().ToList();
        var knownTeams = await db.Teams.Where(t => teamNames.Contains(t.Name)).Select(t => t.Name).ToListAsync(ct);
        var emails = agents.Select(a => EmailAddress.Normalise(a.Email)).Distinct().ToList();
        var knownAgents = await db.Agents.Where(a => emails.Contains(a.Email)).Select(a => a.Email).ToListAsync(ct);
        var failures = teams.Where(t => !knownTeams.Contains(t.Name.Trim().ToLowerInvariant()))
            .Select(t => new ValidationFailure(t.Path, $"There is no team '{t.Name}'."))
            .Concat(agents.Where(a => !knownAgents.Contains(EmailAddress.Normalise(a.Email)))
                .Select(a => new ValidationFailure(a.Path, $"There is no agent '{a.Email}'.")))
            .ToList();
        if (failures.Count > 0) throw new ValidationException(failures);
    }

    private static IEnumerable<(string Path, EscalationActionBody Action)> Actions(EscalationRuleBody body) =>
        (body.Steps ?? []).SelectMany((s, i) => (s.Actions ?? []).Select((a, j) => ($"steps[{i}].actions[{j}]", a)));
}
