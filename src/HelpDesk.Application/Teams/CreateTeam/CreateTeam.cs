using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Teams;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Teams.CreateTeam;

public sealed record CreateTeam(string? Name, string? DisplayName) : ICommand<TeamDto>, IAdminOnly;

public sealed record TeamDto(string Name, string DisplayName);

public sealed class CreateTeamValidator : AbstractValidator<CreateTeam>
{
    public CreateTeamValidator(HelpDeskDbContext db)
    {
        RuleFor(c => c.Name).NotEmpty().StoredAs(db, (Team t) => t.Name).Matches("^[a-z0-9][a-z0-9_-]*$")
            .WithMessage("'name' is lower-case letters, digits, - and _ (e.g. tier-2).");
        RuleFor(c => c.DisplayName).StoredAs(db, (Team t) => t.DisplayName);
    }
}

public sealed class CreateTeamHandler(HelpDeskDbContext db) : ICommandHandler<CreateTeam, TeamDto>
{
    public async ValueTask<TeamDto> Handle(CreateTeam command, CancellationToken ct)
    {
        if (await db.Teams.AnyAsync(t => t.Name == command.Name, ct))
            throw new DomainRuleViolation("team.exists", $"A team '{command.Name}' already exists.");
        var team = new Team(Guid.CreateVersion7(), command.Name!, command.DisplayName ?? command.Name!);
        db.Teams.Add(team);
        await db.SaveChangesAsync(ct);
        return new TeamDto(team.Name, team.DisplayName);
    }
}
