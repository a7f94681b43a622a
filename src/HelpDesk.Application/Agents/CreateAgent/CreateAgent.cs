using FluentValidation;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Agents.CreateAgent;

/// <summary>Creates an agent in the given teams (by name), with a console password when one is given.</summary>
public sealed record CreateAgent(string? Email, string? Name, string? Role, IReadOnlyList<string>? Teams, string? Password) : ICommand<AgentDto>, IAdminOnly;

public sealed record AgentDto(string Email, string Name, string Role, IReadOnlyList<string> Teams, bool Active);

public sealed class CreateAgentValidator : AbstractValidator<CreateAgent>
{
    public CreateAgentValidator(HelpDeskDbContext db)
    {
        RuleFor(c => c.Email).Must(EmailAddress.IsValid).WithMessage("'email' must be an e-mail address.").StoredAs(db, (Agent a) => a.Email);
        RuleFor(c => c.Name).NotEmpty().StoredAs(db, (Agent a) => a.Name);
        RuleForEach(c => c.Teams).StoredAs(db, (Domain.Teams.Team t) => t.Name).OverridePropertyName("teams");
        RuleFor(c => c.Role).Must(r => Vocabulary.TryRole(r, out _))
            .WithMessage($"'role' must be one of {Vocabulary.ListOf(Vocabulary.RoleNames)}.");
        RuleFor(c => c.Password).MinimumLength(Credentials.MinimumPasswordLength).MaximumLength(200).When(c => c.Password is not null);
    }
}

public sealed class CreateAgentHandler(HelpDeskDbContext db) : ICommandHandler<CreateAgent, AgentDto>
{
    public async ValueTask<AgentDto> Handle(CreateAgent command, CancellationToken ct)
    {
        var email = EmailAddress.Normalise(command.Email!);
        if (await db.Agents.AnyAsync(a => a.Email == email, ct))
            throw new DomainRuleViolation("agent.exists", $"An agent '{email}' already exists.");
        var names = (command.Teams ?? []).Select(t => t.Trim().ToLowerInvariant()).Distinct().ToList();
        var teams = await db.Teams.Where(t => names.Contains(t.Name)).ToListAsync(ct);
        var missing = names.Except(teams.Select(t => t.Name)).ToList();
        if (missing.Count > 0)
            throw new ValidationException([new FluentValidation.Results.ValidationFailure("teams", $"There is no team '{missing[0]}'.")]);
        var agent = new Agent(Guid.CreateVersion7(), email, command.Name!, Vocabulary.ParseRole(command.Role!), teams.Select(t => t.Id));
        db.Agents.Add(agent);
        if (command.Password is not null)
            db.AgentCredentials.Add(new AgentCredential { AgentId = agent.Id, PasswordHash = PasswordHashing.Hash(command.Password) });
        await db.SaveChangesAsync(ct);
        return new AgentDto(agent.Email, agent.Name, Vocabulary.Name(agent.Role), teams.Select(t => t.Name).ToList(), agent.IsActive);
    }
}
