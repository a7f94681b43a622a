using System.Text.Json;
using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Application.Surveys;

/// <summary>
/// The survey settings in force. <paramref name="Source"/> is <c>configuration</c> (never written here: <c>HelpDesk:Surveys</c>,
/// <paramref name="Version"/> 0) or <c>database</c> (written by an admin); <paramref name="Version"/> is the ETag.
/// </summary>
public sealed record SurveySettingsDto(bool Enabled, double ValidityDays, bool AskNps, bool AskCes, int Version, string Source,
    Instant? UpdatedAt, string? UpdatedBy);

/// <summary>Survey settings to write; a value left out keeps the one in force.</summary>
public sealed record SurveySettingsWrite(bool? Enabled = null, double? ValidityDays = null, bool? AskNps = null, bool? AskCes = null);

/// <summary>
/// The satisfaction survey's settings (docs/email.md, "Satisfaction surveys"): <c>HelpDesk:Surveys</c> until an admin saves
/// them through the API; from then on the saved ones, kept as one JSON <see cref="MailSetting"/> row (the table of
/// settings the system keeps in the database) and audited by <see cref="Audit.AuditTrail"/>. Every reader of the
/// settings (the survey on solve, the survey page, the settings health) asks <see cref="CurrentAsync"/>.
/// </summary>
public sealed class SurveySettings(HelpDeskDbContext db, Caller caller, IClock clock, IOptions<SurveyOptions> configured)
{
    public const string SettingName = "surveys";
    public const string ConfigurationSource = "configuration";
    public const string DatabaseSource = "database";
    private const double MaxValidityDays = 3650;

    private sealed record Stored(bool Enabled, double ValidityDays, bool AskNps, bool AskCes, int Version, Instant UpdatedAt, string UpdatedBy);

    /// <summary>The settings in force (no authorisation: the survey paths read them for customers).</summary>
    public async Task<SurveyOptions> CurrentAsync(CancellationToken ct)
    {
        var dto = Dto((await StoredAsync(tracked: false, ct)).Stored);
        return new SurveyOptions { Enabled = dto.Enabled, ValidityDays = dto.ValidityDays, AskNps = dto.AskNps, AskCes = dto.AskCes };
    }

    public async Task<SurveySettingsDto> GetAsync(CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Lead, ct);
        return Dto((await StoredAsync(tracked: false, ct)).Stored);
    }

    /// <summary>Saves the settings; <paramref name="ifMatch"/>, when sent, must be the version in force (0 for the configuration's).</summary>
    public async Task<SurveySettingsDto> PutAsync(SurveySettingsWrite write, string? ifMatch, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        var by = (await caller.RequireAgentAsync(ct)).Email;
        var (row, stored) = await StoredAsync(tracked: true, ct);
        var current = Dto(stored);
        EntityTags.Require(ifMatch, current.Version, "the survey settings");
        var validity = write.ValidityDays ?? current.ValidityDays;
        if (!(validity > 0 && validity <= MaxValidityDays))
            throw new ValidationException([new ValidationFailure("validityDays", $"More than 0 and at most {MaxValidityDays} days.")]);
        var next = new Stored(write.Enabled ?? current.Enabled, validity, write.AskNps ?? current.AskNps, write.AskCes ?? current.AskCes,
            current.Version + 1, clock.GetCurrentInstant(), by);
        var json = JsonSerializer.Serialize(next, Converters.Json);
        if (row is null) db.Set<MailSetting>().Add(new MailSetting { Name = SettingName, Value = json });
        else row.Value = json;
        await db.SaveChangesAsync(ct);
        return Dto(next);
    }

    private async Task<(MailSetting? Row, Stored? Stored)> StoredAsync(bool tracked, CancellationToken ct)
    {
        var set = tracked ? db.Set<MailSetting>() : db.Set<MailSetting>().AsNoTracking();
        var row = await set.SingleOrDefaultAsync(s => s.Name == SettingName, ct);
        return (row, row is null ? null : JsonSerializer.Deserialize<Stored>(row.Value, Converters.Json));
    }

    private SurveySettingsDto Dto(Stored? s) => s is null
        ? new(configured.Value.Enabled, configured.Value.ValidityDays, configured.Value.AskNps, configured.Value.AskCes, 0, ConfigurationSource, null, null)
        : new(s.Enabled, s.ValidityDays, s.AskNps, s.AskCes, s.Version, DatabaseSource, s.UpdatedAt, s.UpdatedBy);
}
