namespace HelpDesk.Domain.Teams;

/// <summary>A team owns a queue of tickets. <see cref="Name"/> is its stable, unique handle (e.g. <c>support</c>).</summary>
public sealed class Team
{
    private Team() { Name = ""; DisplayName = ""; }

    public Team(Guid id, string name, string displayName)
    {
        Id = id;
        Name = name.Trim().ToLowerInvariant();
        DisplayName = string.IsNullOrWhiteSpace(displayName) ? Name : displayName.Trim();
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; }
    public string DisplayName { get; private set; }
}
