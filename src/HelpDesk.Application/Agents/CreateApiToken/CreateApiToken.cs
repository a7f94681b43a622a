using FluentValidation;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Agents.CreateApiToken;

/// <summary>Issues an API token for an agent. Agents may issue their own; admins anyone's. The token is returned once.</summary>
/// <param name="ExpiresAt">When the token stops working; null: until revoked.</param>
public sealed record CreateApiToken(string? Email, string? Name, Instant? ExpiresAt = null) : ICommand<IssuedToken>;

public sealed record IssuedToken(string Token, string Email, string Name, Guid Id, Instant? ExpiresAt);

public sealed class CreateApiTokenValidator : AbstractValidator<CreateApiToken>
{
    public CreateApiTokenValidator(HelpDeskDbContext db, IClock clock)
    {
        RuleFor(c => c.Email).Must(EmailAddress.IsValid).WithMessage("'email' must be an e-mail address.");
        RuleFor(c => c.Name).StoredAs(db, (ApiToken t) => t.Name);
        RuleFor(c => c.ExpiresAt).Must(e => e is null || e > clock.GetCurrentInstant()).WithMessage("'expiresAt' must be in the future.");
    }
}

public sealed class CreateApiTokenHandler(HelpDeskDbContext db, Caller caller, Credentials credentials, IClock clock)
    : ICommandHandler<CreateApiToken, IssuedToken>
{
    public async ValueTask<IssuedToken> Handle(CreateApiToken command, CancellationToken ct)
    {
        var email = EmailAddress.Normalise(command.Email!);
        var agent = await db.Agents.SingleOrDefaultAsync(a => a.Email == email, ct)
            ?? throw new NotFoundException($"There is no agent '{email}'.");
        var me = await caller.AgentAsync(ct);
        if (me is not null && me.Id != agent.Id && me.Role != AgentRole.Admin)
            throw new ForbiddenException("Only admins issue tokens for other agents.");
        if (!agent.IsActive) throw new DomainRuleViolation("agent.inactive", $"{email} is not active.");
        var name = string.IsNullOrWhiteSpace(command.Name) ? "cli" : command.Name.Trim();
        var record = credentials.IssueToken(agent.Id, name, clock.GetCurrentInstant(), out var token, command.ExpiresAt);
        await db.SaveChangesAsync(ct);
        return new IssuedToken(token, email, name, record.Id, record.ExpiresAt);
    }
}
