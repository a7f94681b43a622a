using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Agents.ChangePassword;

/// <summary>
/// The caller changes their own password (<c>POST /api/v1/me/password</c>): the current one must be right, the new one must
/// pass <see cref="PasswordPolicy"/>. Every other session of theirs ends (<paramref name="KeepSession"/>, the one asking, stays).
/// </summary>
public sealed record ChangePassword(string? CurrentPassword, string? NewPassword, Guid? KeepSession) : ICommand<PasswordChanged>;

/// <summary>The change is made; <see cref="SessionsEnded"/> other sessions were signed out.</summary>
public sealed record PasswordChanged(Guid AgentId, int SessionsEnded);

public sealed class ChangePasswordValidator : AbstractValidator<ChangePassword>
{
    public ChangePasswordValidator()
    {
        RuleFor(c => c.CurrentPassword).NotEmpty().MaximumLength(PasswordPolicy.MaximumLength).WithName("currentPassword");
        RuleFor(c => c.NewPassword).NotEmpty().WithName("newPassword");
        RuleFor(c => c.NewPassword!).Password().WithName("newPassword").When(c => !string.IsNullOrEmpty(c.NewPassword));
    }
}

public sealed class ChangePasswordHandler(HelpDeskDbContext db, Caller caller, Sessions sessions, IClock clock) : ICommandHandler<ChangePassword, PasswordChanged>
{
    public async ValueTask<PasswordChanged> Handle(ChangePassword command, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        var hash = await db.AgentCredentials.AsNoTracking().Where(c => c.AgentId == agent.Id).Select(c => c.PasswordHash).SingleOrDefaultAsync(ct);
        if (hash is null || PasswordHashing.Verify(hash, command.CurrentPassword!) == PasswordHashing.Result.Failed)
            throw new ValidationException([new ValidationFailure("currentPassword", "'currentPassword' is not your current password.")]);
        return await SetAsync(db, sessions, agent.Id, command.NewPassword!, mustChange: false, clock.GetCurrentInstant(), command.KeepSession, ct);
    }

    /// <summary>
    /// Stores a new password for the agent and ends their other sessions, in one unit of work: the one way a password is
    /// set on an existing agent (own change, the operator's CLI, a mailed link).
    /// </summary>
    public static Task<PasswordChanged> SetAsync(HelpDeskDbContext db, Sessions sessions, Guid agentId, string password, bool mustChange,
        Instant now, Guid? keepSession, CancellationToken ct)
    {
        var hash = PasswordHashing.Hash(password);
        return db.InTransactionAsync(ct => StoreAsync(db, sessions, agentId, hash, mustChange, now, keepSession, ct), ct);
    }

    /// <summary>The steps of <see cref="SetAsync"/> inside a unit of work the caller runs (a mailed link marks itself used in the same one).</summary>
    public static async Task<PasswordChanged> StoreAsync(HelpDeskDbContext db, Sessions sessions, Guid agentId, string hash, bool mustChange,
        Instant now, Guid? keepSession, CancellationToken ct)
    {
        var credential = await db.AgentCredentials.SingleOrDefaultAsync(c => c.AgentId == agentId, ct);
        if (credential is null) db.AgentCredentials.Add(credential = new AgentCredential { AgentId = agentId });
        credential.PasswordHash = hash;
        credential.MustChange = mustChange;
        credential.ChangedAt = now;
        await db.SaveChangesAsync(ct);
        return new PasswordChanged(agentId, await sessions.EndAllAsync(agentId, keepSession, ct));
    }
}
