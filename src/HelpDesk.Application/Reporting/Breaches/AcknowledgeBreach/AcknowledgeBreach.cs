using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Reporting;
using Mediator;
using NodaTime;

namespace HelpDesk.Application.Reporting.Breaches.AcknowledgeBreach;

/// <summary>
/// A lead (or admin) acknowledges a breach of their team with a root cause and a note; acknowledging again replaces
/// both and records the new author and instant. Answers the review item.
/// </summary>
public sealed record AcknowledgeBreach(int TicketNumber, string? Metric, int Cycle, string? Category, string? Note)
    : ICommand<BreachItem>, ILeadOnly;

/// <summary>Withdraws a breach's acknowledgement (nothing to do when there is none). Answers the review item.</summary>
public sealed record WithdrawBreachAcknowledgement(int TicketNumber, string? Metric, int Cycle) : ICommand<BreachItem>, ILeadOnly;

public sealed class AcknowledgeBreachValidator : AbstractValidator<AcknowledgeBreach>
{
    public AcknowledgeBreachValidator()
    {
        RuleFor(c => c.Metric).Must(m => Vocabulary.TryMetric(m, out _))
            .WithMessage($"'metric' must be one of {Vocabulary.ListOf(Vocabulary.MetricNames)}.");
        RuleFor(c => c.Cycle).GreaterThanOrEqualTo(1).WithMessage("'cycle' must be 1 or more.");
        RuleFor(c => c.Category).Must(c => BreachCauses.TryParse(c, out _))
            .WithMessage($"'category' must be one of {Vocabulary.ListOf(BreachCauses.Names)}.");
        RuleFor(c => c.Note).Must(n => (n?.Trim().Length ?? 0) <= BreachAcknowledgement.MaxNoteLength)
            .WithMessage($"'note' may have at most {BreachAcknowledgement.MaxNoteLength} characters.");
        RuleFor(c => c.Note).NoControlCharacters(multiline: true);
        RuleFor(c => c.Note).Must((c, n) => !string.IsNullOrWhiteSpace(n) || !BreachCauses.TryParse(c.Category, out var cause) || cause != BreachCause.Other)
            .WithMessage("'note' is required when the category is other.");
    }
}

public sealed class WithdrawBreachAcknowledgementValidator : AbstractValidator<WithdrawBreachAcknowledgement>
{
    public WithdrawBreachAcknowledgementValidator()
    {
        RuleFor(c => c.Metric).Must(m => Vocabulary.TryMetric(m, out _))
            .WithMessage($"'metric' must be one of {Vocabulary.ListOf(Vocabulary.MetricNames)}.");
        RuleFor(c => c.Cycle).GreaterThanOrEqualTo(1).WithMessage("'cycle' must be 1 or more.");
    }
}

public sealed class AcknowledgeBreachHandler(HelpDeskDbContext db, Caller caller, IClock clock) : ICommandHandler<AcknowledgeBreach, BreachItem>
{
    public async ValueTask<BreachItem> Handle(AcknowledgeBreach command, CancellationToken ct)
    {
        Vocabulary.TryMetric(command.Metric, out var metric);
        BreachCauses.TryParse(command.Category, out var category);
        var key = await BreachItems.FindForAcknowledgementAsync(db, caller, command.TicketNumber, metric, command.Cycle, ct);
        var agent = await caller.RequireAgentAsync(ct);
        var now = clock.GetCurrentInstant();
        var existing = await db.Set<BreachAcknowledgement>().FindAsync([key.TicketId, key.Metric, key.Cycle], ct);
        if (existing is null) db.Add(BreachAcknowledgement.Record(key.TicketId, key.Metric, key.Cycle, category, command.Note, agent.Id, now));
        else existing.Replace(category, command.Note, agent.Id, now);
        await db.SaveChangesAsync(ct);
        return (await BreachItems.LoadOneAsync(db, key, ct)).Single();
    }
}

public sealed class WithdrawBreachAcknowledgementHandler(HelpDeskDbContext db, Caller caller) : ICommandHandler<WithdrawBreachAcknowledgement, BreachItem>
{
    public async ValueTask<BreachItem> Handle(WithdrawBreachAcknowledgement command, CancellationToken ct)
    {
        Vocabulary.TryMetric(command.Metric, out var metric);
        var key = await BreachItems.FindForAcknowledgementAsync(db, caller, command.TicketNumber, metric, command.Cycle, ct);
        if (await db.Set<BreachAcknowledgement>().FindAsync([key.TicketId, key.Metric, key.Cycle], ct) is { } existing)
        {
            db.Remove(existing);
            await db.SaveChangesAsync(ct);
        }
        return (await BreachItems.LoadOneAsync(db, key, ct)).Single();
    }
}
