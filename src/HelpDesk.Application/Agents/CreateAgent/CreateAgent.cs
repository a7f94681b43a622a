using FluentValidation;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Agents.CreateAgent;

/// <summary>Creates an agent in the given teams (by name), with a console password when one is given.</summary>
/// <param name="MustChangePassword">The password was chosen by someone else (an admin through the API, the operator's CLI,
/// the demo seed): the agent's sessions may do nothing but change it until they have (<see cref="AgentCredential.MustChange"/>).</param>
public sealed record CreateAgent(string? Email, string? Name, string? Role, IReadOnlyList<string>? Teams, string? Password,
    bool MustChangePassword = false) : ICommand<AgentDto>, IAdminOnly;

/// <summary>An agent as the API shows it; <see cref="Version"/> is its entity tag (<see cref="EntityTags"/>).</summary>
public sealed record AgentDto(string Email, string Name, string Role, IReadOnlyList<string> Teams, bool Active, int Version)
{
    public static AgentDto From(Agent a, IEnumerable<Domain.Teams.Team> teams) =>
        new(a.Email, a.Name, Vocabulary.Name(a.Role), teams.Where(t => a.IsMemberOf(t.Id)).Select(t => t.Name).Order(StringComparer.Ordinal).ToList(), a.IsActive, a.Version);
}

public sealed class CreateAgentValidator : AbstractValidator<CreateAgent>
{
    public CreateAgentValidator(HelpDeskDbContext db)
    {
        RuleFor(c => c.Email).Must(EmailAddress.IsValid).WithMessage("'email' must be an e-mail address.").StoredAs(db, (Agent a) => a.Email);
        RuleFor(c => c.Name).NotEmpty().StoredAs(db, (Agent a) => a.Name);
        RuleForEach(c => c.Teams).StoredAs(db, (Domain.Teams.Team t) => t.Name).OverridePropertyName("teams");
        RuleFor(c => c.Role).Must(r => Vocabulary.TryRole(r, out _))
            .WithMessage($"'role' must be one of {Vocabulary.ListOf(Vocabulary.RoleNames)}.");
        RuleFor(c => c.Password!).Password().When(c => c.Password is not null);
    }
}

public sealed class CreateAgentHandler(HelpDeskDbContext db, IClock clock) : ICommandHandler<CreateAgent, AgentDto>
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
            db.AgentCredentials.Add(new AgentCredential
            {
                AgentId = agent.Id, PasswordHash = PasswordHashing.Hash(command.Password), MustChange = command.MustChangePassword, ChangedAt = clock.GetCurrentInstant(),
            });
        await db.SaveChangesAsync(ct);
        return AgentDto.From(agent, teams);
    }
}
