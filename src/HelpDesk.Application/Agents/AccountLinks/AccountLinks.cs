using FluentValidation;
using HelpDesk.Application.Agents.ChangePassword;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Application.Agents.AccountLinks;

/// <summary>
/// Mails an agent a link to set their password (docs/security.md "Accounts"): an invitation (valid <see cref="AccountLinkMail.InviteValidity"/>)
/// or a reset (valid <see cref="AccountLinkMail.ResetValidity"/>), through the outbox in the same unit of work. Earlier
/// unused links of the same purpose stop working. Admins only.
/// </summary>
public sealed record SendAccountLink(string Email, AccountLinkPurpose Purpose) : ICommand<AccountLinkSent>, IAdminOnly;

public sealed record AccountLinkSent(string Email, string Purpose, Instant ExpiresAt);

/// <summary>Sets a password with a mailed link (anonymous: the link is the credential). Used once, before it expires.</summary>
public sealed record AcceptAccountLink(string? Token, string? Password) : ICommand<PasswordChanged>;

public sealed class AcceptAccountLinkValidator : AbstractValidator<AcceptAccountLink>
{
    public AcceptAccountLinkValidator()
    {
        RuleFor(c => c.Token).NotEmpty().MaximumLength(100).WithName("token");
        RuleFor(c => c.Password).NotEmpty().WithName("password");
        RuleFor(c => c.Password!).Password().WithName("password").When(c => !string.IsNullOrEmpty(c.Password));
    }
}

public static class AccountLinkMail
{
    public static readonly Duration InviteValidity = Duration.FromDays(7);
    public static readonly Duration ResetValidity = Duration.FromHours(24);
}

public sealed class AccountLinksHandler(HelpDeskDbContext db, Caller caller, Sessions sessions, MailOutbox outbox, IOptions<MailOptions> mail, IClock clock)
    : ICommandHandler<SendAccountLink, AccountLinkSent>, ICommandHandler<AcceptAccountLink, PasswordChanged>
{
    public async ValueTask<AccountLinkSent> Handle(SendAccountLink command, CancellationToken ct)
    {
        if (mail.Value.PublicBaseUrl is not { Length: > 0 } baseUrl)
            throw new DomainRuleViolation("mail.no_public_base_url", "HelpDesk:PublicBaseUrl is not set, so there is no link to mail.");
        var email = EmailAddress.IsValid(command.Email) ? EmailAddress.Normalise(command.Email) : "";
        var agent = await caller.KnownOrNullAsync(await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Email == email, ct), ct)
                    ?? throw new NotFoundException($"There is no agent '{command.Email}'.");
        if (!agent.IsActive) throw new DomainRuleViolation("agent.inactive", $"{agent.Email} is deactivated.");
        var now = clock.GetCurrentInstant();
        var invite = command.Purpose == AccountLinkPurpose.Invite;
        var expiresAt = now + (invite ? AccountLinkMail.InviteValidity : AccountLinkMail.ResetValidity);
        var token = Credentials.NewSecret();
        var url = $"{baseUrl.TrimEnd('/')}/set-password?token={token}";
        await db.InTransactionAsync(async ct =>
        {
            await db.AccountLinks.Where(l => l.AgentId == agent.Id && l.Purpose == command.Purpose && l.UsedAt == null && l.ExpiresAt > now)
                .ExecuteUpdateAsync(u => u.SetProperty(l => l.ExpiresAt, now), ct);
            db.AccountLinks.Add(new AccountLink
            {
                Id = Guid.CreateVersion7(), AgentId = agent.Id, Purpose = command.Purpose, TokenHash = Credentials.HashToken(token),
                CreatedAt = now, ExpiresAt = expiresAt,
            });
            await outbox.EnqueueAccountMailAsync(agent.Email, invite ? "You are invited to HelpDesk" : "Reset your HelpDesk password", $"""
                Hello {agent.Name},

                {(invite ? "you have been invited to the HelpDesk agent console." : "an admin asked for your HelpDesk password to be reset.")}
                Set your password here (the link works once, until {expiresAt.InUtc():uuuu-MM-dd HH:mm} UTC):

                {url}

                If you did not expect this mail, ignore it.
                """, ct);
            await db.SaveChangesAsync(ct);
        }, ct);
        return new AccountLinkSent(agent.Email, invite ? "invite" : "reset", expiresAt);
    }

    public async ValueTask<PasswordChanged> Handle(AcceptAccountLink command, CancellationToken ct)
    {
        var hash = Credentials.HashToken(command.Token!.Trim());
        var passwordHash = PasswordHashing.Hash(command.Password!);
        var now = clock.GetCurrentInstant();
        return await db.InTransactionAsync(async ct =>
        {
            var link = await db.AccountLinks.SingleOrDefaultAsync(l => l.TokenHash == hash, ct);
            var active = link is not null && await db.Agents.AnyAsync(a => a.Id == link.AgentId && a.IsActive, ct);
            // Unknown, used, expired or of a deactivated agent: one answer, so a link tells nothing but that it does not work.
            if (link is null || link.UsedAt is not null || link.ExpiresAt <= now || !active)
                throw new DomainRuleViolation("link.invalid", "This link does not work (any more). Ask an admin for a new one.");
            link.UsedAt = now;
            return await ChangePasswordHandler.StoreAsync(db, sessions, link.AgentId, passwordHash, mustChange: false, now, keepSession: null, ct);
        }, ct);
    }
}
