using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Configuration.PutCalendar;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Sla.Format;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Configuration.PutSlaPolicy;

public sealed record TargetsBody(string? FirstResponse, string? NextReply, string? Resolution)
{
    /// <summary>A priority's targets as the API and the simulator's scenario write them (absent: null).</summary>
    public static TargetsBody From(SlaTargets t) => new(Format(t.FirstResponse), Format(t.NextReply), Format(t.Resolution));

    private static string? Format(NodaTime.Duration? d) => d is { } v ? IsoDuration.Format(v) : null;
}

public sealed record ConditionsBody(List<string>? Priorities, List<string>? Teams, List<string>? Channels, List<string>? Tags, List<string>? Organisations);

/// <summary>
/// An SLA policy as the API takes it: position (lower is tried first), calendar name, conditions (empty = any),
/// ISO-8601 targets per priority, warning thresholds and pause statuses (defaults [75, 90] and pending, on_hold).
/// </summary>
public sealed record PolicyBody(int Position, string? Calendar, ConditionsBody? Conditions, Dictionary<string, TargetsBody>? Targets,
    List<int>? WarnAtPercent, List<string>? PauseOn, bool Active = true)
{
    /// <summary>A priority's targets as the API takes them: positive durations; problems by field (<c>targets.normal.firstResponse</c>).</summary>
    public static SlaTargets ReadTargets(string priority, TargetsBody targets, List<FieldError> errors)
    {
        var read = new List<FieldError>();
        var result = PolicyTermsFormat.Targets(targets.FirstResponse, targets.NextReply, targets.Resolution, allowZero: false, read);
        errors.AddRange(read.Select(e => e.Under($"targets.{priority}")));
        return result;
    }

    /// <summary>The policy version as the API shows it: what a PUT of it would store again.</summary>
    public static PolicyBody From(SlaPolicyVersion p) => new(p.Position, p.CalendarName,
        new ConditionsBody(p.Conditions.Priorities.Order().Select(Vocabulary.Name).ToList(), p.Conditions.Teams.Order().ToList(),
            p.Conditions.Channels.Order().ToList(), p.Conditions.Tags.Order().ToList(), p.Conditions.Organisations.Order().ToList()),
        p.Terms.Targets.OrderBy(kv => kv.Key).ToDictionary(kv => Vocabulary.Name(kv.Key), kv => TargetsBody.From(kv.Value)),
        p.Terms.WarnAtPercent.Order().ToList(), p.Terms.PauseOn.Order().Select(Vocabulary.Name).ToList(), p.IsActive);

    public SlaPolicyTerms ToTerms() => new(
        (Targets ?? []).ToDictionary(kv => Vocabulary.ParsePriority(kv.Key),
            kv => ReadTargets(kv.Key, kv.Value, [])),
        (WarnAtPercent ?? [.. SlaPolicyTerms.DefaultWarnAtPercent]).Distinct().Order().ToList(),
        PauseOn is null ? SlaPolicyTerms.DefaultPauseOn : PauseOn.Select(Vocabulary.ParseStatus).ToHashSet());

    public SlaPolicyConditions ToConditions() => new(
        (Conditions?.Priorities ?? []).Select(Vocabulary.ParsePriority).ToHashSet(),
        (Conditions?.Teams ?? []).Select(t => t.ToLowerInvariant()).ToHashSet(StringComparer.OrdinalIgnoreCase),
        (Conditions?.Channels ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase),
        (Conditions?.Tags ?? []).Select(Ticket.NormaliseTag).ToHashSet(StringComparer.OrdinalIgnoreCase),
        (Conditions?.Organisations ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase));
}

/// <summary>Creates a policy or adds a new version of it; running SLA cycles of open tickets are recomputed.</summary>
/// <param name="IfMatch">The entity tag the client read (<see cref="EntityTags"/>); a stale one is refused with 412.</param>
public sealed record PutSlaPolicy(string Name, PolicyBody? Body, string? IfMatch = null) : ICommand<ConfigurationVersionDto>, IAdminOnly, ISlaPolicyWrite;

/// <summary>A policy write as the API takes it: the save (<see cref="PutSlaPolicy"/>) and its dry run take the same request.</summary>
public interface ISlaPolicyWrite
{
    string Name { get; }
    PolicyBody? Body { get; }
    string? IfMatch { get; }
}

public sealed class PutSlaPolicyValidator(HelpDeskDbContext db) : SlaPolicyWriteValidator<PutSlaPolicy>(db);

/// <summary>The rules of a policy write, one set for the save and its preview.</summary>
public abstract class SlaPolicyWriteValidator<T> : AbstractValidator<T> where T : ISlaPolicyWrite
{
    protected SlaPolicyWriteValidator(HelpDeskDbContext db)
    {
        RuleFor(c => c.Name).NotEmpty().StoredAs(db, (SlaPolicyVersion p) => p.Name).Matches("^[A-Za-z0-9_.-]+$").WithName("name");
        RuleFor(c => c.Body).NotNull().WithName("body");
        When(c => c.Body is not null, () =>
        {
            RuleFor(c => c.Body!.Calendar).NotEmpty().WithName("calendar");
            RuleFor(c => c.Body!.Targets).NotEmpty().WithName("targets");
            RuleForEach(c => c.Body!.Targets).Custom((kv, ctx) =>
            {
                if (!Vocabulary.TryPriority(kv.Key, out _))
                    ctx.AddFailure(new FluentValidation.Results.ValidationFailure($"targets.{kv.Key}", $"'{kv.Key}' is not a priority ({Vocabulary.ListOf(Vocabulary.PriorityNames)})."));
                var errors = new List<FieldError>();
                PolicyBody.ReadTargets(kv.Key, kv.Value, errors);
                errors.ForEach(e => ctx.AddFailure(new FluentValidation.Results.ValidationFailure(e.Field, e.Message)));
            });
            RuleForEach(c => c.Body!.WarnAtPercent).InclusiveBetween(1, 99).OverridePropertyName("warnAtPercent");
            RuleForEach(c => c.Body!.PauseOn).Must(s => Vocabulary.TryStatus(s, out var st) && PolicyTermsFormat.CanPauseOn(st))
                .WithMessage("'pauseOn' lists statuses other than solved and closed.").OverridePropertyName("pauseOn");
            RuleForEach(c => c.Body!.Conditions!.Priorities).Must(p => Vocabulary.TryPriority(p, out _))
                .WithMessage($"'conditions.priorities' must be among {Vocabulary.ListOf(Vocabulary.PriorityNames)}.")
                .OverridePropertyName("conditions.priorities").When(c => c.Body!.Conditions?.Priorities is not null);
            RuleForEach(c => c.Body!.Conditions!.Tags).Must(Ticket.IsTag)
                .WithMessage("'conditions.tags' must be valid tags.").OverridePropertyName("conditions.tags")
                .When(c => c.Body!.Conditions?.Tags is not null);
        });
    }
}

public sealed class PutSlaPolicyHandler(HelpDeskDbContext db, SlaConfigurationCache slaConfiguration, IClock clock, SlaRecomputation recomputation)
    : ICommandHandler<PutSlaPolicy, ConfigurationVersionDto>
{
    public async ValueTask<ConfigurationVersionDto> Handle(PutSlaPolicy command, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var policy = await NextVersionAsync(db, command, now, ct);
        db.SlaPolicyVersions.Add(policy);
        await db.SaveChangesAsync(ct);
        slaConfiguration.Invalidate();
        var recomputed = await recomputation.RecomputeOpenTicketsAsync(now, ct);
        return new ConfigurationVersionDto(policy.Name, policy.Version, now, recomputed);
    }

    /// <summary>
    /// The version a write would store at <paramref name="now"/> (not added to the context): its calendar must exist, and a
    /// stale <c>If-Match</c> is refused with 412.
    /// </summary>
    public static async Task<SlaPolicyVersion> NextVersionAsync(HelpDeskDbContext db, ISlaPolicyWrite write, Instant now, CancellationToken ct)
    {
        var body = write.Body!;
        var calendar = body.Calendar!.ToLowerInvariant();
        if (!await db.CalendarVersions.AnyAsync(c => c.Name == calendar, ct))
            throw new ValidationException([new FluentValidation.Results.ValidationFailure("calendar", $"There is no calendar '{body.Calendar}'.")]);
        var name = write.Name.ToLowerInvariant();
        var current = await db.SlaPolicyVersions.Where(p => p.Name == name).MaxAsync(p => (int?)p.Version, ct);
        EntityTags.Require(write.IfMatch, current, $"SLA policy '{name}'");
        return new SlaPolicyVersion(Guid.CreateVersion7(), name, (current ?? 0) + 1, now, body.Position, calendar,
            body.ToConditions(), body.ToTerms(), body.Active);
    }
}
