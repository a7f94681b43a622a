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
public sealed record CreateApiToken(string? Email, string? Name) : ICommand<IssuedToken>;

public sealed record IssuedToken(string Token, string Email, string Name);

public sealed class CreateApiTokenValidator : AbstractValidator<CreateApiToken>
{
    public CreateApiTokenValidator(HelpDeskDbContext db)
    {
        RuleFor(c => c.Email).Must(EmailAddress.IsValid).WithMessage("'email' must be an e-mail address.");
        RuleFor(c => c.Name).StoredAs(db, (ApiToken t) => t.Name);
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
        credentials.IssueToken(agent.Id, name, clock.GetCurrentInstant(), out var token);
        await db.SaveChangesAsync(ct);
        return new IssuedToken(token, email, name);
    }
}
